import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '@closrads/test-support/cli';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Keyspace, QUEUES } from '@closrads/core';
import { startSimulator, type Simulator } from '@closrads/simulator';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import { startHarness, type Harness, VET, MTG } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario } from '@closrads/test-support/scenarios';

let dir: string;
let campaignsFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'closrads-cli-'));
  campaignsFile = join(dir, 'campaigns.json');
  writeFileSync(campaignsFile, JSON.stringify({ campaigns: [VET, MTG] }));
});

describe('pnpm enqueue', () => {
  const prefix = uniquePrefix('cli');
  const env = () => ({
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    CAMPAIGNS_FILE: campaignsFile,
    DRY_RUN: 'false',
  });
  afterAll(async () => deleteUnder(testRedisUrl(), prefix));

  it('exits 2 with a usage line on an unknown option', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', ['--bogus'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: pnpm enqueue/);
  });

  it('exits 2 on --approve without --campaign: an approval names what it lets through', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', ['--approve'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--approve needs --campaign NAME/);
  });

  it('exits 2 on an unknown campaign, naming the known ones', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', ['--campaign', 'Nope'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown campaign "Nope"; known: Veterans, Mortgage/);
  });

  it('exits 2 listing every configuration problem at once', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', [], {
      ...env(),
      DRY_RUN: 'maybe',
      QUEUE_PREFIX: 'bad:prefix',
      CAMPAIGNS_FILE: join(dir, 'missing.json'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/DRY_RUN must be/);
    expect(r.stderr).toMatch(/QUEUE_PREFIX may only/);
    expect(r.stderr).toMatch(/file not found/);
  });

  it('exits 2 with one line when Redis is unreachable', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', [], { ...env(), REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/Redis is not reachable/);
  });

  it('prints the run id and exits 0 without --wait', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', ['--dry-run'], env());
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^r-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(r.stderr).toMatch(/DRY RUN/);
  });

  it('exits 3 when --wait times out', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', ['--wait', '--timeout', '1'], env());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/did not finish within 1 s/);
  });

  it('says on stderr that no worker is running and exits 3 long before the timeout, keeping stdout clean', async () => {
    const r = await runScript('apps/scheduler/src/enqueue.ts', ['--wait', '--json', '--timeout', '600'], env());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^run r-\S+: no worker is running$/m);
    expect(r.stderr).toMatch(/enqueue: no worker is running: run r-\S+ stays queued and starts when a worker does/);
    expect(r.stderr).not.toMatch(/did not finish within/);
    expect(r.stdout).toBe('');
  });
});

describe('pnpm enqueue --wait with a worker', () => {
  let h: Harness;
  beforeAll(async () => {
    const scenario = baseScenario();
    h = await startHarness({ scenario, campaigns: [VET, MTG], closrtechCredentials: CREDENTIALS, accessToken: TOKEN });
  });
  afterAll(async () => h.close());
  const env = () => ({ REDIS_URL: h.redisUrl, QUEUE_PREFIX: h.prefix, CAMPAIGNS_FILE: campaignsFile, DRY_RUN: 'true' });

  it('--json prints exactly the report JSON on stdout and exits 0 on success', async () => {
    const r = await runScript(
      'apps/scheduler/src/enqueue.ts',
      ['--live', '--wait', '--json', '--campaign', 'Veterans'],
      env(),
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      dryRun: boolean;
      success: boolean;
      trigger: string;
      campaigns: Array<{ name: string }>;
    };
    expect(report).toMatchObject({ dryRun: false, success: true, trigger: 'manual' });
    expect(report.campaigns.map((c) => c.name)).toEqual(['Veterans']);
  });

  it('a held campaign exits 1 and writes nothing; --approve runs it once past its guardrails', async () => {
    const first = await runScript(
      'apps/scheduler/src/enqueue.ts',
      ['--live', '--wait', '--campaign', 'Veterans'],
      env(),
    );
    expect(first.code).toBe(0);
    const vet = h.sim.state.closrtech.campaigns.VET;
    h.sim.state.closrtech.campaigns.VET = { OH: 15 }; // CA, OH, TX → OH: two thirds of the states gone
    try {
      const writes = h.sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST').length;
      const held = await runScript(
        'apps/scheduler/src/enqueue.ts',
        ['--live', '--wait', '--campaign', 'Veterans'],
        env(),
      );
      expect(held.code).toBe(1);
      expect(held.stdout).toMatch(/Campaign Veterans: HELD — demand would drop 2 of the 3 states/);
      expect(held.stdout).toContain('pnpm enqueue --campaign Veterans --approve');
      expect(h.sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST')).toHaveLength(writes);

      const approved = await runScript(
        'apps/scheduler/src/enqueue.ts',
        ['--live', '--wait', '--json', '--campaign', 'Veterans', '--approve'],
        env(),
      );
      expect(approved.code).toBe(0);
      const report = JSON.parse(approved.stdout) as {
        campaigns: Array<{ status: string; activeStates: string[]; counts: { updated: number } }>;
      };
      expect(report.campaigns[0]).toMatchObject({ status: 'completed', activeStates: ['OH'] });
      expect(report.campaigns[0]!.counts.updated).toBeGreaterThan(0);
    } finally {
      h.sim.state.closrtech.campaigns.VET = vet;
    }
  });

  it('prints a readable summary and exits 1 when the run did not succeed', async () => {
    h.sim.addFault({
      match: { api: 'closrtech', campaign: 'MTG' },
      times: -1,
      response: { kind: 'http', status: 403, body: 'No access to this campaign' },
    });
    const r = await runScript('apps/scheduler/src/enqueue.ts', ['--wait'], env());
    h.sim.clearFaults();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/DRY RUN/);
    expect(r.stdout).toMatch(/Mortgage/);
    expect(r.stdout).toMatch(/No access to this campaign/);
  });
});

describe('pnpm scheduler', () => {
  it('leaves exactly one schedule however often it runs, and removes unconfigured ones', async () => {
    const prefix = uniquePrefix('sched');
    const keys = new Keyspace(prefix);
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const queue = new Queue(QUEUES.planSync, { connection: redis, prefix: keys.bullPrefix });
    try {
      await queue.upsertJobScheduler(
        'old-hourly',
        { pattern: '0 * * * *' },
        { name: 'scheduled-sync', data: { dryRun: true } },
      );
      const env = {
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: prefix,
        SYNC_CRON: '0 13 * * *',
        SYNC_TZ: 'America/Bogota',
        DRY_RUN: 'false',
      };
      const [a, b] = await Promise.all([
        runScript('apps/scheduler/src/main.ts', [], env),
        runScript('apps/scheduler/src/main.ts', [], env),
      ]);
      expect([a.code, b.code]).toEqual([0, 0]);
      const again = await runScript('apps/scheduler/src/main.ts', [], env);
      expect(again.code).toBe(0);
      const schedulers = await queue.getJobSchedulers(0, -1);
      expect(schedulers.map((s) => s.key).sort()).toEqual(['daily-sync', 'demand-check']);
      expect(schedulers.find((s) => s.key === 'daily-sync')).toMatchObject({
        pattern: '0 13 * * *',
        tz: 'America/Bogota',
      });
      expect(schedulers.find((s) => s.key === 'demand-check')).toMatchObject({ pattern: '*/15 * * * *' });
      expect(await queue.getDelayedCount()).toBe(2);

      // DEMAND_CHECK_CRON empty turns the checks off and removes their schedule.
      const off = await runScript('apps/scheduler/src/main.ts', [], { ...env, DEMAND_CHECK_CRON: '' });
      expect(off.code).toBe(0);
      expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key)).toEqual(['daily-sync']);
      expect(await queue.getDelayedCount()).toBe(1);
    } finally {
      await queue.close();
      redis.disconnect();
      await deleteUnder(testRedisUrl(), prefix);
    }
  });

  it('refuses an invalid cron with exit 2', async () => {
    const r = await runScript('apps/scheduler/src/main.ts', [], {
      REDIS_URL: testRedisUrl(),
      SYNC_CRON: 'every day',
      SYNC_TZ: 'Mars/Base',
      DEMAND_CHECK_CRON: 'often',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/SYNC_CRON/);
    expect(r.stderr).toMatch(/DEMAND_CHECK_CRON is not a valid cron expression/);
    expect(r.stderr).toMatch(/SYNC_TZ/);
  });
});

describe('pnpm doctor', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ scenario: baseScenario() });
  });
  afterAll(async () => sim.close());
  const env = () => ({
    REDIS_URL: testRedisUrl(),
    CAMPAIGNS_FILE: campaignsFile,
    CLOSRTECH_URL: sim.closrtechUrl,
    CLOSRTECH_EMAIL: CREDENTIALS.email,
    CLOSRTECH_PASSWORD: CREDENTIALS.password,
    FB_GRAPH_URL: sim.graphUrl,
    FB_ACCESS_TOKEN: TOKEN,
  });

  it('passes every check against a healthy setup', async () => {
    const r = await runScript('apps/scheduler/src/doctor.ts', [], env());
    expect(r.stdout).toMatch(
      /PASS\s+facebook token\s+valid SYSTEM_USER token, never expires, has ads_management; scopes: ads_management, ads_read, business_management/,
    );
    expect(r.stdout).toMatch(/PASS\s+closrtech Veterans/);
    expect(r.stdout).toMatch(/PASS\s+facebook Veterans 9001\s+Facebook campaign 9001 \(VET, ACTIVE\) in act_1/);
    expect(r.stdout).toMatch(/PASS\s+facebook Mortgage 9003\s+Facebook campaign 9003 \(MTG B, ACTIVE\) in act_2/);
    expect(r.stdout).toMatch(/PASS\s+graph api version\s+v26\.0 \(released 2026-07-29\) is current/);
    expect(r.stdout).toMatch(/PASS\s+region keys\s+51 states/);
    expect(r.stdout).toMatch(/No check failed\.$/m);
    expect(r.code).toBe(0);
  });

  it('finds a wrong Facebook campaign id and one in another ad account before a run does', async () => {
    const file = join(dir, 'campaigns-wrong.json');
    const wrong = [
      { ...VET, facebookCampaignIds: ['9001', '9999'] },
      { ...MTG, adAccountId: 'act_1' },
    ];
    writeFileSync(file, JSON.stringify({ campaigns: wrong }));
    const r = await runScript('apps/scheduler/src/doctor.ts', [], { ...env(), CAMPAIGNS_FILE: file });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/PASS\s+facebook Veterans 9001/);
    expect(r.stdout).toMatch(
      /FAIL\s+facebook Veterans 9999\s+Facebook campaign 9999 does not exist, or the token cannot see it/,
    );
    expect(r.stdout).toMatch(
      /FAIL\s+facebook Mortgage 9002\s+Facebook campaign 9002 \(MTG A\) belongs to ad account act_2, not act_1/,
    );
    expect(r.stdout).toMatch(/Some checks failed \(3 failed\)/);
  });

  it('warns, never passes silently, when debug_token fails, and says the scopes are unknown', async () => {
    sim.addFault({
      match: { api: 'graph', objectId: 'debug_token' },
      times: -1,
      response: { kind: 'graph-error', code: 100, subcode: 33 },
    });
    const r = await runScript('apps/scheduler/src/doctor.ts', [], env());
    sim.clearFaults();
    expect(r.stdout).toMatch(
      /WARN\s+facebook token\s+accepted \(as closrads-sim system user\), but type and scopes are unknown: debug_token failed/,
    );
    expect(r.stdout).toMatch(/1 with a warning/);
    expect(r.code).toBe(0);
  });

  it("warns 60 days before the configured version's Marketing API support ends, and fails once it has", async () => {
    const soon = await runScript('apps/scheduler/src/doctor.ts', [], { ...env(), FB_API_VERSION: 'v25.0' });
    // v25.0 ends 2027-02-23: a warning from 2026-12-25 on, a pass before; either way the date is named.
    expect(soon.stdout).toMatch(/(PASS|WARN)\s+graph api version\s+v25\.0 Marketing API support ends 2027-02-23/);
    const gone = await runScript('apps/scheduler/src/doctor.ts', [], { ...env(), FB_API_VERSION: 'v24.0' });
    expect(gone.code).toBe(1);
    expect(gone.stdout).toMatch(/FAIL\s+graph api version\s+v24\.0 Marketing API support ended 2026-11-10/);
  });

  it('exits 2 on invalid configuration and prints the checks it skipped', async () => {
    const r = await runScript('apps/scheduler/src/doctor.ts', [], { ...env(), DRY_RUN: 'maybe' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/FAIL\s+configuration\s+.*DRY_RUN/);
    expect(r.stdout).toMatch(/SKIP\s+facebook token\s+skipped: the configuration is invalid/);
    expect(r.stdout).toMatch(/SKIP\s+redis\s+skipped/);
  });

  it('fails with a clear verdict on a bad token and a refused campaign, without printing secrets', async () => {
    sim.state.closrtech.noAccess = ['MTG'];
    const r = await runScript('apps/scheduler/src/doctor.ts', [], {
      ...env(),
      FB_ACCESS_TOKEN: 'EAAB-wrong-token-9999',
    });
    sim.state.closrtech.noAccess = [];
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+facebook token\s+.*(invalid|expired)/);
    expect(r.stdout).toMatch(/FAIL\s+closrtech Mortgage\s+.*No access/);
    expect(r.stdout).not.toContain('EAAB-wrong-token-9999');
    expect(r.stdout).not.toContain(CREDENTIALS.password);
  });
});
