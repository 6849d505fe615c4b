import { afterEach, describe, expect, it } from 'vitest';
import { Job, Worker } from 'bullmq';
import { QUEUES, jobIds, startRun, stateKeysOf, waitForReport, type RunReport } from '@closrads/core';
import type { Scenario } from '@closrads/simulator';
import { createPlanSyncProcessor } from '../src/processors/plan-sync';
import { startWorkers } from '../src/workers';
import { campaign, startHarness, type Harness, type HarnessOptions } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, ad, adset, baseScenario, keyOf } from '@closrads/test-support/scenarios';

/**
 * Protection against Meta's real behaviour: ads are reviewed again after a targeting change, and a
 * break shows only when that review ends. The simulator's review lasts `reviewMs` (an hour here)
 * and the tests end it when they choose (`sim.finishReviews`), so nothing depends on timing.
 *
 * Simulator assumptions (packages/simulator/README.md) these tests rely on: review-geo-only (only
 * the geo change starts a review), review-pending-status (ads in review read PENDING_REVIEW),
 * geo-break-model (what `onGeoChange` does to an ad), republish-review and rollback-heals.
 */
const VET = campaign({
  name: 'Veterans',
  closrtechCampaign: 'VET',
  adAccountId: 'act_1',
  facebookCampaignIds: ['9001'],
});
const HOUR = 3_600_000;
const DEMANDED = ['CA', 'OH', 'TX'].map(keyOf).sort();

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(scenario: Scenario, extra: Partial<HarnessOptions> = {}) {
  h = await startHarness({
    scenario,
    campaigns: [VET],
    closrtechCredentials: CREDENTIALS,
    accessToken: TOKEN,
    ...extra,
  });
  return h;
}

function reviewed(reviewMs: number): Scenario {
  const s = baseScenario();
  s.graph.reviewMs = reviewMs;
  return s;
}

const adsetOf = (r: RunReport, id: string) => r.campaigns[0]!.adsets.find((a) => a.id === id)!;
const targetingWrites = (hh: Harness, id: string) =>
  hh.sim.calls.filter((c) => c.method === 'POST' && c.objectId === id && c.body.targeting !== undefined);
const stateKeys = (hh: Harness, id: string) => stateKeysOf(hh.sim.state.adsets[id]!.targeting).sort();

/** Polls until `check` holds (driving the simulator's reviews with `tick` meanwhile), or fails. */
async function until<T>(
  what: string,
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  tick: () => void = () => undefined,
  timeoutMs = 40_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!check(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}`);
    tick();
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

const storedReport = (hh: Harness, runId: string) => async () => (await hh.system.deps.store.getReport(runId))!;

describe('the watch follows Meta’s review', () => {
  it('rolls back a break that shows only after the review, and says so in a new revision', async () => {
    const scenario = reviewed(HOUR);
    scenario.graph.ads.push(ad('931', '201', { name: 'Instant form', onGeoChange: 'break' }));
    const hh = await harness(scenario);
    const before = stateKeys(hh, '201');

    const first = await hh.system.run({ dryRun: false });
    // The first look finds the ads in review: the change stands, the review is pending.
    expect(adsetOf(first, '201')).toMatchObject({ outcome: 'updated', review: 'pending' });
    expect(first.revision).toBe(1);
    expect(hh.sim.pendingReviews('201').length).toBeGreaterThan(0);

    // Meta's review ends (and the republish's, and the rollback's): the watch heals, then restores.
    const final = await until(
      'the report to say reverted',
      storedReport(hh, first.runId),
      (r) => adsetOf(r, '201').outcome === 'reverted',
      () => hh.sim.finishReviews(),
    );
    expect(final.revision).toBeGreaterThan(1);
    expect(adsetOf(final, '201')).toMatchObject({
      outcome: 'reverted',
      rolledBack: true,
      ads: [expect.objectContaining({ id: '931' })],
    });
    expect(stateKeys(hh, '201')).toEqual(before);
    // The ad broken by the change was republished once, no other ad was, and blindly nothing.
    expect(hh.sim.calls.filter((c) => c.method === 'POST' && c.objectId === '931')).toHaveLength(1);
    expect(hh.sim.calls.filter((c) => c.method === 'POST' && c.objectId === '901')).toHaveLength(0);
    // A follow-up goes out with the revision (printed right after the revision is stored).
    await until(
      'the follow-up',
      async () => hh.printed.filter((t) => t.includes('revision')).length,
      (n) => n >= 1,
    );
  });

  it('looks at the ads of every watched ad set of a Facebook campaign together', async () => {
    const scenario = reviewed(0);
    for (let i = 0; i < 8; i++) {
      scenario.graph.adsets.push(adset(String(260 + i), '9001', ['WA']));
      scenario.graph.ads.push(ad(String(960 + i), String(260 + i)));
    }
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: false });
    expect(report.campaigns[0]!.counts.updated).toBe(9);
    for (const a of report.campaigns[0]!.adsets.filter((x) => x.outcome === 'updated')) expect(a.review).toBe('passed');
    const graph = hh.sim.calls.filter((c) => c.api === 'graph');
    // No read of any ad set or of its ads on its own: pre-flight came with the listing, looks are shared.
    expect(graph.filter((c) => c.method === 'GET' && c.edge === 'ads' && c.objectId !== '9001')).toHaveLength(0);
    expect(graph.filter((c) => c.method === 'GET' && c.edge === undefined && c.objectId?.startsWith('2'))).toHaveLength(
      0,
    );
    const looks = graph.filter((c) => c.method === 'GET' && c.edge === 'ads' && c.objectId === '9001').length;
    expect(looks).toBeGreaterThanOrEqual(1);
    expect(looks).toBeLessThan(9);
    // One write per changed ad set and nothing else.
    expect(graph.filter((c) => c.method === 'POST')).toHaveLength(9);
  });
});

describe('one change at a time', () => {
  it('a second run during a watch defers the ad set and writes nothing to it', async () => {
    const hh = await harness(reviewed(HOUR));
    const first = await hh.system.run({ dryRun: false });
    expect(adsetOf(first, '201')).toMatchObject({ outcome: 'updated', review: 'pending' });
    const writes = targetingWrites(hh, '201').length;

    // New demand that adds a state (a drop would be held by the default guardrails instead).
    hh.sim.state.closrtech.campaigns.VET = { CA: 1, OH: 3, TX: 2, NJ: 2 };
    const second = await hh.system.run({ dryRun: false });
    expect(adsetOf(second, '201')).toMatchObject({ outcome: 'deferred', deferredBy: first.runId });
    expect(adsetOf(second, '201').reason).toMatch(/still watched/);
    expect(second.campaigns[0]!.counts.deferred).toBeGreaterThanOrEqual(1);
    expect(targetingWrites(hh, '201')).toHaveLength(writes);
    expect(stateKeys(hh, '201')).toEqual(DEMANDED);
    // The first run's report still says what it did: nobody turned its write into "superseded".
    expect(adsetOf((await hh.system.deps.store.getReport(first.runId))!, '201').outcome).toBe('updated');
  });
});

describe('a rollback that cannot be made', () => {
  it('fails with needsAttention and an error-level log when the restore keeps failing with transient errors', async () => {
    const scenario = reviewed(HOUR);
    scenario.graph.ads.push(ad('931', '201', { onGeoChange: 'break' }));
    const hh = await harness(scenario);
    const first = await hh.system.run({ dryRun: false });
    expect(adsetOf(first, '201').review).toBe('pending');
    const changes = targetingWrites(hh, '201').length;
    // From now on every write to the ad set (each try of the restore) fails as Meta's "service
    // temporarily unavailable".
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201' },
      times: -1,
      response: { kind: 'graph-error', code: 2, isTransient: true },
    });

    const report = await until(
      'the report to say failed',
      storedReport(hh, first.runId),
      (r) => adsetOf(r, '201').outcome === 'failed',
      () => hh.sim.finishReviews(),
    );
    const a = adsetOf(report, '201');
    expect(a).toMatchObject({ outcome: 'failed', needsAttention: true, rolledBack: false });
    expect(a.error).toMatch(/rollback failed.*by hand/);
    expect(report.success).toBe(false);
    expect(hh.logs.some((l) => l.includes('"level":50') && l.includes('ROLLBACK FAILED'))).toBe(true);
    // Tried more than once (transient errors are worth retrying), then given up.
    expect(targetingWrites(hh, '201').length - changes).toBeGreaterThanOrEqual(2);
  });
});

describe('edits made by a person meanwhile', () => {
  it('an Ads Manager edit made during the watch survives the rollback', async () => {
    const scenario = reviewed(HOUR);
    scenario.graph.ads.push(ad('931', '201', { onGeoChange: 'break' }));
    const hh = await harness(scenario);
    const before = stateKeys(hh, '201');
    const first = await hh.system.run({ dryRun: false });
    expect(adsetOf(first, '201').review).toBe('pending');

    // Someone narrows the age range in Ads Manager while Meta still reviews the ads.
    const edited = { ...hh.sim.state.adsets['201']!.targeting, age_max: 44 };
    const form = new URLSearchParams({ access_token: TOKEN, targeting: JSON.stringify(edited) });
    expect((await fetch(`${hh.sim.graphUrl}/v25.0/201`, { method: 'POST', body: form })).status).toBe(200);

    await until(
      'the rollback',
      storedReport(hh, first.runId),
      (r) => adsetOf(r, '201').outcome === 'reverted',
      () => hh.sim.finishReviews(),
    );
    const now = hh.sim.state.adsets['201']!.targeting;
    expect(now.age_max).toBe(44);
    expect(stateKeysOf(now).sort()).toEqual(before);
  });
});

describe('reads that must not be written back', () => {
  it.each([
    ['an empty targeting', () => ({})],
    [
      'a targeting that lacks fields the listing showed',
      (t: Record<string, unknown>) => ({ geo_locations: t.geo_locations }),
    ],
  ])('never writes %s, and fails the ad set with the reason', async (_name, cut) => {
    const hh = await harness(reviewed(0));
    const listed = structuredClone(hh.sim.state.adsets['201']!.targeting);
    // The first write attempt fails as Meta's transient error, so the retry reads the ad set again:
    // that read answers the cut targeting.
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201', nth: 1 },
      times: 1,
      response: { kind: 'graph-error', code: 2, isTransient: true },
    });
    const body = JSON.stringify({ id: '201', name: 'adset 201', effective_status: 'ACTIVE', targeting: cut(listed) });
    hh.sim.addFault({
      match: { api: 'graph', method: 'GET', objectId: '201', nth: 1 },
      times: 1,
      response: { kind: 'http', status: 200, body, contentType: 'application/json' },
    });
    const report = await hh.system.run({ dryRun: false });
    const a = adsetOf(report, '201');
    expect(a.outcome).toBe('failed');
    expect(a.error).toMatch(/nothing was written|empty targeting|lacks fields/);
    expect(hh.sim.state.writes.filter((w) => w.objectId === '201')).toHaveLength(0);
    expect(hh.sim.state.adsets['201']!.targeting).toEqual(listed);
  });
});

describe('what a change leaves alone', () => {
  it('keeps regions of other countries and warns about a city in a state that lost demand', async () => {
    const scenario = reviewed(0);
    const t = scenario.graph.adsets[0]!.targeting as { geo_locations: Record<string, unknown> };
    t.geo_locations.regions = [{ key: keyOf('NY') }, { key: '527', name: 'Alberta', country: 'CA' }];
    t.geo_locations.cities = [
      { key: '2490299', name: 'New York', region_id: keyOf('NY'), radius: 10, distance_unit: 'mile' },
    ];
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: false });
    const a = adsetOf(report, '201');
    expect(a.outcome).toBe('updated');
    expect(a.removed).toEqual(['NY']);
    expect(a.warnings?.some((w) => w.includes('cities') && w.includes('NY'))).toBe(true);
    const regions = (
      hh.sim.state.adsets['201']!.targeting.geo_locations as { regions: Array<{ key: string; country?: string }> }
    ).regions;
    expect(regions.filter((r) => r.country === 'CA')).toEqual([{ key: '527', name: 'Alberta', country: 'CA' }]);
    expect(stateKeys(hh, '201')).toEqual(DEMANDED);
  });
});

describe('job data edited in Redis (or the board)', () => {
  it('cannot turn a dry run into a live write', async () => {
    const hh = await harness(reviewed(0), { withoutWorkers: true });
    const deps = hh.system.deps;
    // Plan only, so the ad set jobs wait; then edit them as someone with Redis access could.
    const planner = new Worker(QUEUES.planSync, createPlanSyncProcessor(deps), {
      connection: deps.redis,
      prefix: deps.keys.bullPrefix,
    });
    const runId = await startRun(
      { flow: deps.flow, store: deps.store, timing: deps.timing },
      { trigger: 'manual', dryRun: true, campaigns: [] },
    );
    const job = await until(
      'the ad set job',
      () => Job.fromId(deps.queues.updateAdset, jobIds.adset(runId, '201')),
      (j) => j !== undefined,
    );
    await planner.close();
    await job!.updateData({ ...job!.data, dryRun: false });

    const running = startWorkers(deps, { out: () => undefined });
    try {
      const report = (await waitForReport(deps.store, runId, 30_000, 50))!;
      expect(report.dryRun).toBe(true);
      expect(adsetOf(report, '201')).toMatchObject({
        outcome: 'failed',
        error: expect.stringMatching(/does not match its run.*dry run/),
      });
      expect(hh.sim.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    } finally {
      await running.close();
    }
  });
});
