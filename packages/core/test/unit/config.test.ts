import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadDotEnv, parseDryRun } from '../../src';

function campaignsFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'closrads-config-'));
  const path = join(dir, 'campaigns.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const good = {
  name: 'Veterans',
  closrtechCampaign: 'VND_VETERAN_LEADS',
  adAccountId: 'act_1111111111',
  facebookCampaignIds: ['120000000000000001'],
};

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('DRY_RUN', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['TRUE', true],
    ['1', true],
    ['Yes', true],
    ['false', false],
    ['0', false],
    ['NO', false],
    ['maybe', undefined],
  ])('%s → %s', (value, expected) => {
    expect(parseDryRun(value)).toBe(expected);
  });
});

describe('loadConfig', () => {
  it('applies the defaults of the contract', () => {
    const c = loadConfig(['redis', 'dryRun', 'schedule', 'worker', 'log'], {});
    expect(c).toEqual({
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'closrads' },
      dryRun: true,
      schedule: { cron: '0 13 * * *', tz: 'UTC', demandCheckCron: '*/15 * * * *' },
      worker: {
        concurrency: 10,
        verifyDelayMs: 3000,
        watchMs: 7_200_000,
        lockDurationMs: 30_000,
        stalledIntervalMs: 15_000,
        httpTimeoutMs: 30_000,
      },
      log: { level: 'info' },
    });
  });

  it('lists every problem of every section at once', () => {
    const list = problems(() =>
      loadConfig(['redis', 'dryRun', 'closrtech', 'facebook', 'worker', 'notify'], {
        REDIS_URL: 'http://nope',
        DRY_RUN: 'perhaps',
        FB_API_VERSION: '25',
        WORKER_CONCURRENCY: 'ten',
        SMTP_URL: 'smtp://mail.example.com',
      }),
    );
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/REDIS_URL/),
        expect.stringMatching(/DRY_RUN/),
        expect.stringMatching(/CLOSRTECH_EMAIL is required/),
        expect.stringMatching(/CLOSRTECH_PASSWORD is required/),
        expect.stringMatching(/FB_ACCESS_TOKEN is required/),
        expect.stringMatching(/FB_API_VERSION/),
        expect.stringMatching(/WORKER_CONCURRENCY/),
        expect.stringMatching(/missing NOTIFY_EMAIL, NOTIFY_FROM/),
      ]),
    );
  });

  it('never puts a secret value in a problem', () => {
    const list = problems(() =>
      loadConfig(['closrtech', 'facebook'], {
        CLOSRTECH_URL: 'ftp://x',
        CLOSRTECH_PASSWORD: 'pw-secret-123',
        FB_ACCESS_TOKEN: 'EAAB-secret',
      }),
    );
    expect(list.join('\n')).not.toMatch(/pw-secret-123|EAAB-secret/);
  });

  it('does not require a Facebook token from the dashboard, but refuses a public host without a password', () => {
    expect(loadConfig(['dashboard'], {}).dashboard).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(problems(() => loadConfig(['dashboard'], { DASHBOARD_HOST: '0.0.0.0' })).join()).toMatch(
      /not a loopback address/,
    );
    expect(
      loadConfig(['dashboard'], { DASHBOARD_HOST: '0.0.0.0', DASHBOARD_USER: 'ops', DASHBOARD_PASSWORD: 'pw' })
        .dashboard.auth,
    ).toEqual({ user: 'ops', password: 'pw' });
  });

  it('validates the campaigns file, naming the field', () => {
    const path = campaignsFile({
      campaigns: [good, { ...good, adAccountId: '1111', facebookCampaignIds: [] }, { ...good, enabeld: false }],
    });
    const list = problems(() => loadConfig(['campaigns'], { CAMPAIGNS_FILE: path }));
    expect(list.join('\n')).toMatch(/campaigns\[1\]\.adAccountId: must look like act_/);
    expect(list.join('\n')).toMatch(/campaigns\[1\]\.facebookCampaignIds/);
    expect(list.join('\n')).toMatch(/enabeld/);
  });

  it('rejects duplicate names and a Facebook campaign fed by two demands', () => {
    const path = campaignsFile({ campaigns: [good, good, { ...good, name: 'Other' }] });
    const list = problems(() => loadConfig(['campaigns'], { CAMPAIGNS_FILE: path }));
    expect(list.join('\n')).toMatch(/name "Veterans" is used twice/);
    expect(list.join('\n')).toMatch(/listed under both "Veterans" and "Other"/);
  });

  it('defaults protection and enabled to true', () => {
    const path = campaignsFile({ campaigns: [good] });
    expect(loadConfig(['campaigns'], { CAMPAIGNS_FILE: path }).campaigns.list[0]).toMatchObject({
      protection: true,
      enabled: true,
    });
  });

  it('reads DEMAND_CHECK_CRON: empty turns demand checks off, unset is every 15 minutes, nonsense is refused', () => {
    expect(loadConfig(['schedule'], { DEMAND_CHECK_CRON: '' }).schedule.demandCheckCron).toBeUndefined();
    expect(loadConfig(['schedule'], { DEMAND_CHECK_CRON: '  ' }).schedule.demandCheckCron).toBeUndefined();
    expect(loadConfig(['schedule'], { DEMAND_CHECK_CRON: '*/5 * * * *' }).schedule.demandCheckCron).toBe('*/5 * * * *');
    expect(problems(() => loadConfig(['schedule'], { DEMAND_CHECK_CRON: 'hourly' })).join()).toMatch(
      /DEMAND_CHECK_CRON is not a valid cron expression/,
    );
  });

  it('reads NOTIFY_ON, always by default', () => {
    expect(loadConfig(['notify'], {}).notify.notifyOn).toBe('always');
    expect(loadConfig(['notify'], { NOTIFY_ON: 'problems' }).notify.notifyOn).toBe('problems');
    expect(problems(() => loadConfig(['notify'], { NOTIFY_ON: 'sometimes' })).join()).toMatch(
      /NOTIFY_ON must be one of always, changes, problems/,
    );
  });

  it('reads guardrails, defaulting each figure, and refuses impossible ones', () => {
    const ok = campaignsFile({ campaigns: [{ ...good, guardrails: { minStates: 3 } }] });
    expect(loadConfig(['campaigns'], { CAMPAIGNS_FILE: ok }).campaigns.list[0]!.guardrails).toEqual({
      minStates: 3,
      maxDropPercent: 50,
    });
    const bad = campaignsFile({ campaigns: [{ ...good, guardrails: { minStates: 0, maxDropPercent: 120, max: 1 } }] });
    const list = problems(() => loadConfig(['campaigns'], { CAMPAIGNS_FILE: bad })).join('\n');
    expect(list).toMatch(/guardrails\.minStates: must be at least 1/);
    expect(list).toMatch(/guardrails\.maxDropPercent: must be at most 100/);
    expect(list).toMatch(/max/);
  });

  it('reports a missing or broken campaigns file clearly', () => {
    expect(problems(() => loadConfig(['campaigns'], { CAMPAIGNS_FILE: '/nonexistent/c.json' })).join()).toMatch(
      /file not found/,
    );
    expect(problems(() => loadConfig(['campaigns'], { CAMPAIGNS_FILE: campaignsFile('{nope') })).join()).toMatch(
      /not valid JSON/,
    );
  });
});

describe('strict values', () => {
  it.each(['0x10', '1e3', '0b1', '10.0', '-5', '+7', '1_000', 'Infinity'])(
    '%s is not a whole number in decimal digits',
    (value) => {
      const list = problems(() => loadConfig(['worker'], { WORKER_CONCURRENCY: value }));
      expect(list).toEqual([expect.stringMatching(/WORKER_CONCURRENCY must be a whole number in decimal digits/)]);
    },
  );

  it('decimal digits are read as the number, with the range still checked', () => {
    expect(loadConfig(['worker'], { WORKER_CONCURRENCY: '016', HTTP_TIMEOUT_MS: '5000' }).worker).toMatchObject({
      concurrency: 16,
      httpTimeoutMs: 5000,
    });
    expect(problems(() => loadConfig(['worker'], { WORKER_CONCURRENCY: '501' }))).toEqual([
      expect.stringMatching(/at most 500/),
    ]);
  });

  it.each([
    ['smtp://u:p@mail.example.com?secure=maybe', /secure must be true or false/],
    ['smtp://u:p@mail.example.com?pool=true', /unknown query parameter "pool"/],
    ['smtps://u:p@mail.example.com?tls.rejectUnauthorized=nah', /must be true or false/],
  ])('SMTP_URL %s is refused at start', (smtpUrl, message) => {
    const list = problems(() =>
      loadConfig(['notify'], { SMTP_URL: smtpUrl, NOTIFY_EMAIL: 'a@example.com', NOTIFY_FROM: 'b@example.com' }),
    );
    expect(list).toEqual([expect.stringMatching(message)]);
    expect(list.join(' ')).not.toContain('u:p');
  });
});

describe('loadDotEnv', () => {
  const VAR = 'CLOSRADS_TEST_FROM_ENV_FILE';
  const saved = process.env.ENV_FILE;
  afterEach(() => {
    delete process.env[VAR];
    if (saved === undefined) delete process.env.ENV_FILE;
    else process.env.ENV_FILE = saved;
  });

  function envFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'closrads-env-'));
    writeFileSync(join(dir, 'vars.env'), `${VAR}=from-the-file\n`);
    return join(dir, 'vars.env');
  }

  it('reads the file ENV_FILE names; a variable already set wins', () => {
    process.env.ENV_FILE = envFile();
    loadDotEnv();
    expect(process.env[VAR]).toBe('from-the-file');
    process.env[VAR] = 'set-before';
    loadDotEnv();
    expect(process.env[VAR]).toBe('set-before');
  });

  it('reads no file with ENV_FILE=none, as every command the tests start', () => {
    const file = envFile();
    process.env.ENV_FILE = 'none';
    loadDotEnv();
    expect(process.env[VAR]).toBeUndefined();
    loadDotEnv(file);
    expect(process.env[VAR]).toBe('from-the-file');
  });
});
