import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { readCampaignsFile, type Campaign } from './campaigns';
import { ConfigError } from './errors';
import { parseSmtpUrl } from './smtp-url';

/**
 * Configuration comes from environment variables (and a `.env` file in the working directory).
 * Each process asks only for the sections it uses, so the dashboard needs no Facebook token.
 * Every problem is collected and reported at once, before any network call.
 */

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['json', 'pretty'] as const;

/** NOTIFY_ON: which reports go to Slack and email (see @closrads/notify, policy.ts). */
export const NOTIFY_ON = ['always', 'changes', 'problems'] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];

/** Variables whose empty value means "off" rather than "use the default". */
const EMPTY_MEANS_OFF = new Set(['DEMAND_CHECK_CRON']);

const required = (name: string) => z.string({ error: `${name} is required` }).min(1, `${name} is required`);

const httpUrl = (name: string) => z.url({ protocol: /^https?$/, error: `${name} must be an http(s) URL` });

/**
 * A whole number written in plain decimal digits. `Number()` would also take `0x10`, `1e3` and `0b1`,
 * which no operator means for a port or a delay.
 */
const intInRange = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, `${name} must be a whole number in decimal digits`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
    .default(fallback);

/** DRY_RUN: unset/empty/true/1/yes = dry run; false/0/no = live; anything else is an error. */
export function parseDryRun(value: string | undefined): boolean | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  return undefined;
}

const sections = {
  log: z
    .object({
      LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
      // Unset: JSON lines, or human-readable when the log goes to a terminal (see logger.ts).
      LOG_FORMAT: z.enum(LOG_FORMATS, { error: `LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}` }).optional(),
    })
    .transform((e) => ({ level: e.LOG_LEVEL, format: e.LOG_FORMAT })),

  redis: z
    .object({
      REDIS_URL: z
        .url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL' })
        .default('redis://127.0.0.1:6379'),
      QUEUE_PREFIX: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/, 'QUEUE_PREFIX may only hold letters, digits, - and _ (at most 40)')
        .default('closrads'),
    })
    .transform((e) => ({ url: e.REDIS_URL, prefix: e.QUEUE_PREFIX })),

  dryRun: z
    .object({
      DRY_RUN: z
        .string()
        .optional()
        .refine((v) => parseDryRun(v) !== undefined, 'DRY_RUN must be true/1/yes or false/0/no'),
    })
    .transform((e) => parseDryRun(e.DRY_RUN) ?? true),

  closrtech: z
    .object({
      CLOSRTECH_URL: httpUrl('CLOSRTECH_URL').default('https://closrtech.com/mergers/api/demand.php'),
      CLOSRTECH_EMAIL: required('CLOSRTECH_EMAIL'),
      CLOSRTECH_PASSWORD: required('CLOSRTECH_PASSWORD'),
    })
    .transform((e) => ({ url: e.CLOSRTECH_URL, email: e.CLOSRTECH_EMAIL, password: e.CLOSRTECH_PASSWORD })),

  facebook: z
    .object({
      FB_GRAPH_URL: httpUrl('FB_GRAPH_URL').default('https://graph.facebook.com'),
      FB_API_VERSION: z
        .string()
        .regex(/^v\d+\.\d+$/, 'FB_API_VERSION must look like v26.0')
        .default('v26.0'),
      FB_ACCESS_TOKEN: required('FB_ACCESS_TOKEN'),
      FB_APP_SECRET: z.string().optional(),
    })
    .transform((e) => ({
      graphUrl: e.FB_GRAPH_URL.replace(/\/+$/, ''),
      apiVersion: e.FB_API_VERSION,
      accessToken: e.FB_ACCESS_TOKEN,
      appSecret: e.FB_APP_SECRET,
    })),

  schedule: z
    .object({
      SYNC_CRON: z
        .string()
        .default('0 13 * * *')
        .refine(isValidCron, 'SYNC_CRON is not a valid cron expression (5 fields, or 6 with seconds)'),
      SYNC_TZ: z.string().default('UTC').refine(isValidTimeZone, 'SYNC_TZ is not a known IANA time zone'),
      // Empty (not unset) switches demand checks off; see EMPTY_MEANS_OFF.
      DEMAND_CHECK_CRON: z
        .string()
        .default('*/15 * * * *')
        .refine(
          (v) => v === '' || isValidCron(v),
          'DEMAND_CHECK_CRON is not a valid cron expression (5 fields, or 6 with seconds); leave it empty to turn demand checks off',
        ),
    })
    .transform((e) => ({
      cron: e.SYNC_CRON,
      tz: e.SYNC_TZ,
      demandCheckCron: e.DEMAND_CHECK_CRON === '' ? undefined : e.DEMAND_CHECK_CRON,
    })),

  worker: z
    .object({
      WORKER_CONCURRENCY: intInRange('WORKER_CONCURRENCY', 1, 500, 10),
      VERIFY_DELAY_MS: intInRange('VERIFY_DELAY_MS', 0, 600_000, 3000),
      // How long after a live write the ads are watched while Meta reviews them (2 hours by default).
      WATCH_MS: intInRange('WATCH_MS', 0, 7 * 24 * 3600_000, 7_200_000),
      // Advanced: how soon a crashed worker's jobs are taken over, and the per-call upstream timeout.
      WORKER_LOCK_DURATION_MS: intInRange('WORKER_LOCK_DURATION_MS', 1000, 600_000, 30_000),
      WORKER_STALLED_INTERVAL_MS: intInRange('WORKER_STALLED_INTERVAL_MS', 500, 600_000, 15_000),
      HTTP_TIMEOUT_MS: intInRange('HTTP_TIMEOUT_MS', 1000, 120_000, 30_000),
    })
    .transform((e) => ({
      concurrency: e.WORKER_CONCURRENCY,
      verifyDelayMs: e.VERIFY_DELAY_MS,
      watchMs: e.WATCH_MS,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      httpTimeoutMs: e.HTTP_TIMEOUT_MS,
    })),

  notify: z
    .object({
      SLACK_WEBHOOK_URL: httpUrl('SLACK_WEBHOOK_URL').optional(),
      SMTP_URL: z
        .url({ protocol: /^smtps?$/, error: 'SMTP_URL must be an smtp:// or smtps:// URL' })
        .superRefine((v, ctx) => {
          // Its options are checked now, not at the first delivery (which would fail every report).
          try {
            parseSmtpUrl(v);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        })
        .optional(),
      NOTIFY_EMAIL: z
        .string()
        .optional()
        .refine(
          (v) => v === undefined || splitList(v).every((a) => z.email().safeParse(a).success),
          'NOTIFY_EMAIL must be a comma-separated list of email addresses',
        ),
      NOTIFY_FROM: z.string().optional(),
      DASHBOARD_PUBLIC_URL: httpUrl('DASHBOARD_PUBLIC_URL').optional(),
      NOTIFY_ON: z.enum(NOTIFY_ON, { error: `NOTIFY_ON must be one of ${NOTIFY_ON.join(', ')}` }).default('always'),
    })
    .superRefine((e, ctx) => {
      const emailVars = { SMTP_URL: e.SMTP_URL, NOTIFY_EMAIL: e.NOTIFY_EMAIL, NOTIFY_FROM: e.NOTIFY_FROM };
      const set = Object.entries(emailVars).filter(([, v]) => v !== undefined);
      if (set.length > 0 && set.length < 3) {
        const missing = Object.keys(emailVars).filter((k) => emailVars[k as keyof typeof emailVars] === undefined);
        ctx.addIssue({
          code: 'custom',
          message: `email reports need SMTP_URL, NOTIFY_EMAIL and NOTIFY_FROM; missing ${missing.join(', ')}`,
        });
      }
    })
    .transform((e) => ({
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
      email:
        e.SMTP_URL && e.NOTIFY_EMAIL && e.NOTIFY_FROM
          ? { smtpUrl: e.SMTP_URL, to: splitList(e.NOTIFY_EMAIL), from: e.NOTIFY_FROM }
          : undefined,
      dashboardPublicUrl: e.DASHBOARD_PUBLIC_URL?.replace(/\/+$/, ''),
      notifyOn: e.NOTIFY_ON,
    })),

  dashboard: z
    .object({
      DASHBOARD_HOST: z.string().default('127.0.0.1'),
      DASHBOARD_PORT: intInRange('DASHBOARD_PORT', 0, 65535, 3000),
      DASHBOARD_USER: z.string().optional(),
      DASHBOARD_PASSWORD: z.string().optional(),
      DASHBOARD_PUBLIC_URL: httpUrl('DASHBOARD_PUBLIC_URL').optional(),
    })
    .superRefine((e, ctx) => {
      if (e.DASHBOARD_PASSWORD === undefined && !isLoopback(e.DASHBOARD_HOST)) {
        ctx.addIssue({
          code: 'custom',
          message: `DASHBOARD_HOST ${e.DASHBOARD_HOST} is not a loopback address: set DASHBOARD_USER and DASHBOARD_PASSWORD, or listen on 127.0.0.1`,
        });
      }
      if ((e.DASHBOARD_PASSWORD === undefined) !== (e.DASHBOARD_USER === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'DASHBOARD_USER and DASHBOARD_PASSWORD must be set together' });
      }
    })
    .transform((e) => ({
      host: e.DASHBOARD_HOST,
      port: e.DASHBOARD_PORT,
      auth:
        e.DASHBOARD_USER && e.DASHBOARD_PASSWORD
          ? { user: e.DASHBOARD_USER, password: e.DASHBOARD_PASSWORD }
          : undefined,
      publicUrl: e.DASHBOARD_PUBLIC_URL?.replace(/\/+$/, ''),
    })),

  campaigns: z
    .object({ CAMPAIGNS_FILE: z.string().default('config/campaigns.json') })
    .transform((e, ctx): { file: string; list: Campaign[] } => {
      const { campaigns, problems } = readCampaignsFile(e.CAMPAIGNS_FILE);
      for (const message of problems) ctx.addIssue({ code: 'custom', message });
      return { file: e.CAMPAIGNS_FILE, list: campaigns };
    }),
};

export type ConfigSections = typeof sections;
export type SectionName = keyof ConfigSections;
export type Config<K extends SectionName> = { [P in K]: z.output<ConfigSections[P]> };
export type FullConfig = Config<SectionName>;
export type FacebookConfig = z.output<ConfigSections['facebook']>;
export type ClosrtechConfig = z.output<ConfigSections['closrtech']>;
export type RedisConfig = z.output<ConfigSections['redis']>;
export type NotifyConfig = z.output<ConfigSections['notify']>;
export type WorkerConfig = z.output<ConfigSections['worker']>;
export type DashboardConfig = z.output<ConfigSections['dashboard']>;

/**
 * Validates the named sections against `env` and returns them, or throws a ConfigError that lists
 * every problem of every section.
 */
export function loadConfig<K extends SectionName>(names: readonly K[], env: Env = process.env): Config<K> {
  const cleaned = withoutEmptyValues(env);
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const parsed = sections[name].safeParse(cleaned);
    if (parsed.success) out[name] = parsed.data;
    else problems.push(...parsed.error.issues.map((i) => i.message));
  }
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return out as Config<K>;
}

/** Sections whose every variable has a default: their values with nothing set. */
type DefaultedSection = 'log' | 'redis' | 'dryRun' | 'schedule' | 'worker' | 'dashboard';

/**
 * The defaults of a section, as the schema above gives them: code that needs a default (a client's
 * timeout, the workers' stall settings) takes it from here, so each default is written once.
 */
export function configDefaults<K extends DefaultedSection>(name: K): Config<K>[K] {
  return loadConfig([name], {})[name];
}

/**
 * Reads the env file when present (`ENV_FILE`, default `.env` in the working directory); variables
 * already set win. `ENV_FILE=none` reads no file: the tests start every command that way, so that a
 * developer's own `.env` never changes what they see.
 */
export function loadDotEnv(path = process.env.ENV_FILE || '.env'): void {
  if (path === 'none') return;
  if (existsSync(path)) process.loadEnvFile(path);
}

/** An empty variable counts as unset (DRY_RUN= means the default, dry). */
function withoutEmptyValues(env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && (v.trim() !== '' || EMPTY_MEANS_OFF.has(k))) out[k] = v.trim();
  return out;
}

function splitList(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function isValidCron(expr: string): boolean {
  const fields = expr.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return false;
  try {
    CronExpressionParser.parse(expr);
    return true;
  } catch {
    return false;
  }
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}
