import { createHmac } from 'node:crypto';

/** Query and body parameters that carry credentials and must never be written anywhere. */
const SECRET_PARAMS = ['access_token', 'appsecret_proof', 'input_token', 'client_secret', 'pass', 'password', 'email'];
/** Path segments after which a webhook URL is its own secret (Slack: /services/T…/B…/secret). */
const SECRET_PATH_MARKERS = new Set(['services', 'triggers', 'workflows']);
/** Object keys that may hold a credential anywhere in a logged object (the logger redacts their values). */
export const SECRET_FIELDS = [
  'accessToken',
  'access_token',
  'password',
  'pass',
  'appSecret',
  'token',
  'smtpUrl',
  'webhookUrl',
  'authorization',
] as const;
/** Shorter values are not treated as secrets: scrubbing "ab" everywhere would garble every text. */
const MIN_SECRET_LENGTH = 4;

/**
 * A URL fit for a log line or an error message: no userinfo, every credential parameter replaced by
 * `***`, and the secret path segments of webhook URLs replaced by `***`. Something that does not
 * parse as a URL comes back as `[invalid URL]`: it might hold anything.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[invalid URL]';
  }
  url.username = '';
  url.password = '';
  for (const name of SECRET_PARAMS) {
    if (url.searchParams.has(name)) url.searchParams.set(name, '***');
  }
  const segments = url.pathname.split('/');
  const marker = segments.findIndex((s) => SECRET_PATH_MARKERS.has(s));
  if (marker >= 0) url.pathname = segments.map((s, i) => (i > marker && s ? '***' : s)).join('/');
  return url.toString().replace(/%2A%2A%2A/gi, '***');
}

/** `name=value` and `"name":"value"` credential parameters, in any case, raw or URL-encoded `=`. */
const CREDENTIAL_PARAM = new RegExp(`((?:${SECRET_PARAMS.join('|')})(?:=|%3D))[^&\\s"'<>()]+`, 'gi');
const CREDENTIAL_JSON = new RegExp(`((?:${SECRET_PARAMS.join('|')})\\\\?"\\s*:\\s*\\\\?")[^"\\\\]+`, 'gi');
/**
 * userinfo of any URL in a text (`scheme://user:pass@host`). Anchored on `://` and bounded, so a long
 * upstream text costs linear time (a pattern that starts with the scheme's letters is quadratic on a
 * long run of letters).
 */
const URL_USERINFO = /(:\/\/)[^/\s@"'<>]{1,256}@/g;

/** Free text (an upstream error message) with the credential parameters of any URL or query masked. */
export function redactText(text: string): string {
  return text.replace(CREDENTIAL_PARAM, '$1***').replace(CREDENTIAL_JSON, '$1***').replace(URL_USERINFO, '$1***@');
}

const HTML_FORMS: Array<Record<string, string>> = [
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' },
  { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#x27;' },
];

/**
 * Every form in which a secret can come back from an upstream or reach an output: raw, URL-encoded
 * (`%20` and `+` for spaces), HTML-escaped (both usual spellings of quotes) and JSON-escaped.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ]);
  for (const entities of HTML_FORMS) forms.add(secret.replace(/[&<>"']/g, (ch) => entities[ch] ?? ch));
  forms.add(JSON.stringify(secret).slice(1, -1));
  // A JSON-escaped HTML form (an HTML error page quoted in a JSON body).
  for (const form of [...forms]) forms.add(JSON.stringify(form).slice(1, -1));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

const scrubberCache = new WeakMap<readonly (string | undefined)[], RegExp | null>();

function scrubPattern(secrets: readonly (string | undefined)[]): RegExp | null {
  const cached = scrubberCache.get(secrets);
  if (cached !== undefined) return cached;
  const forms = new Set<string>();
  for (const s of secrets)
    if (typeof s === 'string' && s.length >= MIN_SECRET_LENGTH) for (const f of secretForms(s)) forms.add(f);
  // Longest first, so a secret that contains another is masked whole. Case-insensitive: percent-encoding
  // may come back with lower-case hex, and masking a little too much is harmless.
  const sorted = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = sorted.length === 0 ? null : new RegExp(sorted.join('|'), 'gi');
  scrubberCache.set(secrets, pattern);
  return pattern;
}

/**
 * The one scrubber of the product: every text from an upstream or an error goes through it before it
 * is stored, logged, shown or sent. It masks each given secret in every form of `secretForms`, and
 * the credential parameters of any URL or query in the text.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const pattern = scrubPattern(secrets);
  const masked = pattern ? text.replace(pattern, '***') : text;
  return redactText(masked);
}

/** The `appsecret_proof` Meta expects with every call when the app secret is set. */
export function appsecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/**
 * The secret parts of a webhook URL: the URL itself and every path segment but the well-known
 * markers (a receiver that echoes one segment of a Slack URL gives away part of the credential).
 */
export function webhookSecrets(webhookUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    return [webhookUrl];
  }
  const segments = url.pathname.split('/').filter((s) => s.length > 0 && !SECRET_PATH_MARKERS.has(s));
  const decoded = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return [...new Set([webhookUrl, url.pathname, ...segments, ...decoded, url.search.slice(1)])].filter(
    (s) => s.length > 0,
  );
}

/** The secrets of an `smtp(s)://user:pass@host` URL: the URL, and its user and password (decoded or not). */
export function smtpUrlSecrets(smtpUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return [smtpUrl];
  }
  const parts = [url.username, url.password].filter((s) => s.length > 0);
  const decoded = parts.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return [...new Set([smtpUrl, ...(url.password ? parts : []), ...(url.password ? decoded : [])])];
}

/**
 * Every secret of the configuration sections a process loaded, in one list for `scrubSecrets` and
 * the logger: Facebook token, app secret and its proof, CLOSRTECH email and password, the SMTP URL
 * and its credentials, the Slack webhook URL and its path segments, the dashboard password.
 */
export function configSecrets(config: {
  facebook?: { accessToken: string; appSecret?: string };
  closrtech?: { email: string; password: string };
  notify?: { slackWebhookUrl?: string; email?: { smtpUrl: string } };
  dashboard?: { auth?: { password: string } };
}): string[] {
  const out: string[] = [];
  if (config.facebook) {
    out.push(config.facebook.accessToken);
    if (config.facebook.appSecret)
      out.push(config.facebook.appSecret, appsecretProof(config.facebook.accessToken, config.facebook.appSecret));
  }
  if (config.closrtech) out.push(config.closrtech.email, config.closrtech.password);
  if (config.notify?.slackWebhookUrl) out.push(...webhookSecrets(config.notify.slackWebhookUrl));
  if (config.notify?.email) out.push(...smtpUrlSecrets(config.notify.email.smtpUrl));
  if (config.dashboard?.auth) out.push(config.dashboard.auth.password);
  return [...new Set(out.filter((s) => s.length >= MIN_SECRET_LENGTH))];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
