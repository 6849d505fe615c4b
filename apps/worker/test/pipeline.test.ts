import { afterEach, describe, expect, it, vi } from 'vitest';
import { JOB_NAMES } from '@closrads/core';
import { Redis } from 'ioredis';
import type { Scenario } from '@closrads/simulator';
import { keysUnder } from '@closrads/test-support/redis';
import { startHarness, type Harness, VET, MTG } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, ad, adset, baseScenario, keyOf } from '@closrads/test-support/scenarios';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(
  scenario: Scenario,
  campaigns = [VET, MTG],
  extra: Parameters<typeof startHarness>[0] extends infer O ? Partial<O> : never = {},
) {
  h = await startHarness({ scenario, campaigns, closrtechCredentials: CREDENTIALS, accessToken: TOKEN, ...extra });
  return h;
}

const posts = (hh: Harness, objectId?: string) =>
  hh.sim.calls.filter(
    (c) => c.api === 'graph' && c.method === 'POST' && (objectId === undefined || c.objectId === objectId),
  );
const regionKeys = (hh: Harness, id: string) =>
  ((hh.sim.state.adsets[id]!.targeting.geo_locations as { regions: Array<{ key: string }> }).regions ?? [])
    .map((r) => String(r.key))
    .sort();

describe('a live run', () => {
  it('updates ad sets that differ, leaves in-sync and paused ones alone, and reports per campaign', async () => {
    const hh = await harness(baseScenario());
    const report = await hh.system.run({ dryRun: false });

    expect(report.success).toBe(true);
    expect(report.runId).toMatch(/^r-\d{8}-\d{6}-[0-9a-f]{4}$/);
    const vet = report.campaigns.find((c) => c.name === 'Veterans')!;
    expect(vet.status).toBe('completed');
    expect(vet.activeStates).toEqual(['CA', 'OH', 'TX']);
    expect(vet.counts).toMatchObject({ processed: 2, updated: 1, unchanged: 1, failed: 0 });
    expect(vet.adsets.map((a) => a.id)).toEqual(['201', '202']); // the paused ad set 203 is not there
    expect(vet.adsets[0]).toMatchObject({
      id: '201',
      outcome: 'updated',
      added: ['CA', 'TX'],
      removed: ['NY'],
      facebookCampaignId: '9001',
    });

    expect(regionKeys(hh, '201')).toEqual(['CA', 'OH', 'TX'].map(keyOf).sort());
    expect(posts(hh, '202')).toHaveLength(0);
    expect(posts(hh, '203')).toHaveLength(0);
    expect(regionKeys(hh, '203')).toEqual([keyOf('WA')]);
    // A changed ad set costs exactly one Graph call in the common path: its write.
    expect(hh.sim.calls.filter((c) => c.objectId === '201')).toHaveLength(1);
  });

  it('handles two Facebook campaigns under one campaign and plain-number demand', async () => {
    const hh = await harness(baseScenario());
    const report = await hh.system.run({ dryRun: false });
    const mtg = report.campaigns.find((c) => c.name === 'Mortgage')!;
    expect(mtg.activeStates).toEqual(['FL', 'NY']);
    expect(mtg.adsets.map((a) => [a.id, a.facebookCampaignId, a.outcome])).toEqual([
      ['301', '9002', 'updated'],
      ['302', '9003', 'updated'],
    ]);
    expect(regionKeys(hh, '301')).toEqual(['FL', 'NY'].map(keyOf).sort());
    expect(regionKeys(hh, '302')).toEqual(['FL', 'NY'].map(keyOf).sort());
  });

  it('pages through every page of ad sets, even when the server returns fewer than asked', async () => {
    const scenario = baseScenario();
    scenario.graph.pageCap = 2;
    for (let i = 0; i < 7; i++) scenario.graph.adsets.push(adset(String(210 + i), '9001', ['NY']));
    const hh = await harness(scenario, [VET]);
    const report = await hh.system.run({ dryRun: false });
    const listing = hh.sim.calls.filter((c) => c.edge === 'adsets');
    expect(listing.length).toBeGreaterThanOrEqual(5);
    expect(report.campaigns[0]!.counts.processed).toBe(9);
    expect(report.campaigns[0]!.counts.updated).toBe(8);
  });

  it('preserves every other targeting field byte for byte', async () => {
    const scenario = baseScenario();
    const original = structuredClone(scenario.graph.adsets.find((a) => a.id === '201')!.targeting);
    const hh = await harness(scenario, [VET]);
    await hh.system.run({ dryRun: false });
    const [write] = posts(hh, '201');
    const sent = JSON.parse(String(write!.body.targeting)) as Record<string, unknown>;
    const strip = (t: Record<string, unknown>) => {
      const copy = structuredClone(t);
      delete (copy.geo_locations as Record<string, unknown>).regions;
      return copy;
    };
    expect(JSON.stringify(strip(sent))).toBe(JSON.stringify(strip(hh.sim.state.adsets['201']!.targeting)));
    // Compare with what the scenario started with, apart from the regions the simulator names on read.
    expect(strip(sent)).toEqual(strip(original));
    expect((sent.geo_locations as Record<string, unknown>).location_types).toEqual(['home', 'recent']);
  });

  it('drops a location_types value Meta would refuse instead of sending it', async () => {
    const scenario = baseScenario();
    (scenario.graph.adsets[0]!.targeting.geo_locations as Record<string, unknown>).location_types = ['home'];
    const hh = await harness(scenario, [VET]);
    const report = await hh.system.run({ dryRun: false });
    expect(report.campaigns[0]!.adsets[0]!.outcome).toBe('updated');
    const sent = JSON.parse(String(posts(hh, '201')[0]!.body.targeting)) as { geo_locations: Record<string, unknown> };
    expect(sent.geo_locations.location_types).toBeUndefined();
  });
});

describe('a dry run', () => {
  it('makes no POST and reports would_update with the same added/removed a live run has', async () => {
    const hh = await harness(baseScenario());
    const dry = await hh.system.run({ dryRun: true });
    expect(posts(hh)).toHaveLength(0);
    const vet = dry.campaigns.find((c) => c.name === 'Veterans')!;
    expect(dry.dryRun).toBe(true);
    expect(vet.counts).toMatchObject({ wouldUpdate: 1, unchanged: 1, updated: 0 });
    expect(vet.adsets[0]).toMatchObject({ outcome: 'would_update', added: ['CA', 'TX'], removed: ['NY'] });

    const live = await hh.system.run({ dryRun: false });
    const liveVet = live.campaigns.find((c) => c.name === 'Veterans')!;
    expect(liveVet.adsets[0]).toMatchObject({ outcome: 'updated', added: ['CA', 'TX'], removed: ['NY'] });
  });
});

describe('demand problems abort only their campaign', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '<html>oops</html>', /not JSON/],
    ['an array', [1, 2], /array/],
    ['a negative demand', { OH: -3, TX: 2 }, /negative/],
    ['a non-numeric demand', { OH: 'lots', TX: 2 }, /non-numeric/],
    ['an empty object', {}, /no states/],
    ['all zeros', { OH: 0, TX: { demand: 0 } }, /^every state reports zero demand; targeting left as it is$/],
    ['only unknown codes', { XX: 3, ZZ: 1 }, /none of the states/],
  ];
  for (const [label, body, reason] of cases) {
    it(`aborts on ${label}, still syncs the other campaign`, async () => {
      const scenario = baseScenario();
      scenario.closrtech.campaigns.VET = body;
      const hh = await harness(scenario);
      if (typeof body === 'string')
        hh.sim.addFault({
          match: { api: 'closrtech', campaign: 'VET' },
          times: -1,
          response: { kind: 'http', status: 200, body, contentType: 'text/html' },
        });
      const report = await hh.system.run({ dryRun: false });
      const vet = report.campaigns.find((c) => c.name === 'Veterans')!;
      expect(vet.status).toBe('aborted');
      expect(vet.abortReason).toMatch(reason);
      expect(vet.adsets).toEqual([]);
      expect(report.success).toBe(false);
      expect(posts(hh, '201')).toHaveLength(0);
      expect(hh.sim.calls.filter((c) => c.api === 'closrtech' && c.query.campaign === 'VET')).toHaveLength(1); // bad data is not retried
      const mtg = report.campaigns.find((c) => c.name === 'Mortgage')!;
      expect(mtg.status).toBe('completed');
      expect(mtg.counts.updated).toBe(2);
    });
  }

  it('aborts on a 403 with the answer text, without retrying', async () => {
    const scenario = baseScenario();
    scenario.closrtech.noAccess = ['VET'];
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: false });
    const vet = report.campaigns.find((c) => c.name === 'Veterans')!;
    expect(vet.abortReason).toMatch(/403.*No access to this campaign/);
    expect(hh.sim.calls.filter((c) => c.api === 'closrtech' && c.query.campaign === 'VET')).toHaveLength(1);
    expect(report.campaigns.find((c) => c.name === 'Mortgage')!.status).toBe('completed');
  });

  it('retries network errors and 5xx, then succeeds', async () => {
    const hh = await harness(baseScenario());
    hh.sim.addFault({ match: { api: 'closrtech', campaign: 'VET' }, times: 1, response: { kind: 'drop' } });
    hh.sim.addFault({
      match: { api: 'closrtech', campaign: 'VET' },
      times: 1,
      response: { kind: 'http', status: 503, body: 'busy' },
    });
    const report = await hh.system.run({ dryRun: false });
    expect(report.campaigns.find((c) => c.name === 'Veterans')!.status).toBe('completed');
    expect(hh.sim.calls.filter((c) => c.api === 'closrtech' && c.query.campaign === 'VET')).toHaveLength(3);
  });

  it('aborts after three failed attempts', async () => {
    const hh = await harness(baseScenario());
    hh.sim.addFault({
      match: { api: 'closrtech', campaign: 'VET' },
      times: -1,
      response: { kind: 'http', status: 502, body: '<html>bad gateway</html>' },
    });
    const report = await hh.system.run({ dryRun: false });
    const vet = report.campaigns.find((c) => c.name === 'Veterans')!;
    expect(vet.status).toBe('aborted');
    expect(vet.abortReason).toMatch(/HTTP 502/);
    expect(vet.abortReason).not.toContain(CREDENTIALS.password);
    expect(hh.sim.calls.filter((c) => c.api === 'closrtech' && c.query.campaign === 'VET')).toHaveLength(3);
  });

  it('drops unknown state codes with a warning and lists them', async () => {
    const scenario = baseScenario();
    scenario.closrtech.campaigns.VET = { OH: 2, XX: 5 };
    const hh = await harness(scenario, [VET]);
    const report = await hh.system.run({ dryRun: false });
    expect(report.campaigns[0]).toMatchObject({ status: 'completed', activeStates: ['OH'], unmappedStates: ['XX'] });
    expect(hh.logs.some((l) => l.includes('"state":"XX"') && l.includes('no Facebook region key'))).toBe(true);
  });

  it('aborts a campaign whose ad set listing keeps failing', async () => {
    const hh = await harness(baseScenario());
    hh.sim.addFault({
      match: { api: 'graph', objectId: '9001', edge: 'adsets' },
      times: -1,
      response: { kind: 'graph-error', code: 2, isTransient: true, httpStatus: 500 },
    });
    const report = await hh.system.run({ dryRun: false });
    const vet = report.campaigns.find((c) => c.name === 'Veterans')!;
    expect(vet.status).toBe('aborted');
    expect(vet.abortReason).toMatch(/could not list the ad sets of Facebook campaign 9001/);
    expect(hh.sim.calls.filter((c) => c.objectId === '9001')).toHaveLength(3);
    expect(report.campaigns.find((c) => c.name === 'Mortgage')!.status).toBe('completed');
  });
});

describe('Graph errors on an ad set', () => {
  it('retries a transient error and then updates', async () => {
    const hh = await harness(baseScenario(), [VET]);
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201' },
      times: 1,
      response: { kind: 'graph-error', code: 2, isTransient: true },
    });
    const report = await hh.system.run({ dryRun: false });
    expect(report.campaigns[0]!.adsets[0]).toMatchObject({ id: '201', outcome: 'updated' });
    expect(posts(hh, '201')).toHaveLength(2);
    expect(report.success).toBe(true);
  });

  it('fails a permanent error at once, with code, subcode and Meta’s message in the report', async () => {
    const hh = await harness(baseScenario(), [VET]);
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201' },
      times: -1,
      response: {
        kind: 'graph-error',
        code: 100,
        subcode: 1885364,
        message: 'Invalid parameter',
        userTitle: 'Missing Target Audience Location',
        userMsg: 'Your audience is missing a location.',
      },
    });
    const report = await hh.system.run({ dryRun: false });
    const failed = report.campaigns[0]!.adsets.find((a) => a.id === '201')!;
    expect(failed).toMatchObject({
      outcome: 'failed',
      errorCode: 100,
      errorSubcode: 1885364,
      added: ['CA', 'TX'],
      removed: ['NY'],
    });
    expect(failed.error).toMatch(/^\(#100\/1885364\) .*Your audience is missing a location/);
    expect(posts(hh, '201')).toHaveLength(1);
    expect(report.success).toBe(false);
    expect(report.campaigns[0]!.counts).toMatchObject({ failed: 1, unchanged: 1 });
  });

  it('aborts every campaign on an invalid token while planning, without a retry storm', async () => {
    const scenario = baseScenario();
    scenario.graph.tokenExpired = true;
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: false });
    for (const c of report.campaigns) {
      expect(c.status).toBe('aborted');
      expect(c.abortReason).toMatch(/token is invalid or expired/);
    }
    // One listing call per Facebook campaign at most (they are listed in parallel), and no retry.
    expect(hh.sim.calls.filter((c) => c.api === 'graph').length).toBeLessThanOrEqual(3);
    expect(report.success).toBe(false);
  });

  it('fails ad sets of a run once the token is rejected, with one call', async () => {
    const scenario = baseScenario();
    scenario.graph.adsets.push(adset('204', '9001', ['WA']), adset('205', '9001', ['WA']));
    const hh = await harness(scenario, [VET], { concurrency: 1 });
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST' },
      times: -1,
      response: {
        kind: 'graph-error',
        code: 190,
        subcode: 463,
        message: 'Error validating access token: Session has expired',
      },
    });
    const report = await hh.system.run({ dryRun: false });
    const failed = report.campaigns[0]!.adsets.filter((a) => a.outcome === 'failed');
    expect(failed).toHaveLength(3);
    for (const a of failed) expect(a.error).toMatch(/token is invalid or expired/);
    expect(posts(hh)).toHaveLength(1);
  });
});

describe('job ids and job data', () => {
  it('carry the run id, never contain ":" nor are only digits, and hold ids and numbers, no secret', async () => {
    const hh = await harness(baseScenario());
    const report = await hh.system.run({ dryRun: false });
    const { queues } = hh.system.deps;
    const jobs = [
      ...(await queues.planSync.getJobs(['completed'])),
      ...(await queues.updateAdset.getJobs(['completed'])),
      ...(await queues.finalizeReport.getJobs(['completed'])),
    ];
    expect(jobs.length).toBeGreaterThanOrEqual(5);
    for (const job of jobs) {
      expect(job.id).toContain(report.runId);
      expect(job.id).not.toContain(':');
      expect(job.id).not.toMatch(/^\d+$/);
      const data = JSON.stringify(job.data);
      for (const secret of [TOKEN, CREDENTIALS.password, CREDENTIALS.email]) expect(data).not.toContain(secret);
      expect(data).not.toContain('targeting');
    }
  });
});

describe('secrets', () => {
  it('never reach Redis or the logs', async () => {
    const scenario = baseScenario();
    const hh = await harness(scenario);
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '301' },
      times: -1,
      response: { kind: 'graph-error', code: 100, message: `bad token ${TOKEN}` },
    });
    hh.sim.addFault({
      match: { api: 'closrtech', campaign: 'MTG' },
      times: 1,
      response: { kind: 'http', status: 500, body: 'x' },
    });
    await hh.system.run({ dryRun: false });
    await hh.system.run({ dryRun: true });
    // A demand check whose CLOSRTECH answer echoes the password: its result and logs keep it out too.
    hh.sim.addFault({
      match: { api: 'closrtech', campaign: 'VET' },
      times: 1,
      response: { kind: 'http', status: 200, body: `login ${CREDENTIALS.password}` },
    });
    const check = await hh.system.deps.queues.planSync.add(JOB_NAMES.demandCheck, { dryRun: false });
    await vi.waitFor(async () => expect(await check.getState()).toBe('completed'), { timeout: 20_000, interval: 50 });

    const redis = new Redis(hh.redisUrl);
    try {
      const keys = await keysUnder(redis, hh.prefix);
      expect(keys.length).toBeGreaterThan(10);
      const dump: string[] = [];
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') dump.push((await redis.get(key)) ?? '');
        else if (type === 'hash') dump.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') dump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') dump.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') dump.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
        else if (type === 'stream') dump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        else dump.push(`(unchecked ${type})`);
        dump.push(key);
      }
      const everything = dump.join('\n');
      for (const secret of [TOKEN, CREDENTIALS.password, CREDENTIALS.email]) expect(everything).not.toContain(secret);
    } finally {
      redis.disconnect();
    }
    const logs = hh.logs.join('\n');
    expect(logs.length).toBeGreaterThan(100);
    for (const secret of [TOKEN, CREDENTIALS.password, CREDENTIALS.email]) expect(logs).not.toContain(secret);
  });
});

describe('ads are irrelevant without protection', () => {
  it('makes no ads call for a campaign with protection off', async () => {
    const scenario = baseScenario();
    scenario.graph.ads.push(ad('905', '201', { effective_status: 'DISAPPROVED' }));
    const hh = await harness(scenario, [VET]);
    await hh.system.run({ dryRun: false });
    expect(hh.sim.calls.filter((c) => c.edge === 'ads')).toHaveLength(0);
  });
});

describe('a scheduled run', () => {
  it('starts from the job scheduler through the same path, with trigger schedule and the scheduler’s dry-run mode', async () => {
    const hh = await harness(baseScenario(), [VET]);
    const { applySchedule } = await import('@closrads/core');
    await applySchedule(hh.system.deps.queues.planSync, { cron: '* * * * * *', tz: 'UTC' }, true);
    const deadline = Date.now() + 10_000;
    let runs = await hh.system.deps.store.listRuns();
    while (Date.now() < deadline && !runs.some((r) => r.report)) {
      await new Promise((r) => setTimeout(r, 100));
      runs = await hh.system.deps.store.listRuns();
    }
    await hh.system.deps.queues.planSync.removeJobScheduler('daily-sync');
    const finished = runs.find((r) => r.report)!.report!;
    expect(finished).toMatchObject({ trigger: 'schedule', dryRun: true, success: true });
    expect(finished.campaigns[0]!.counts.wouldUpdate).toBe(1);
    expect(posts(hh)).toHaveLength(0);
  });
});
