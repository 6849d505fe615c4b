import { DemandCheckResult, JOB_NAMES, startRun, waitForReport, type RunReport } from '@closrads/core';
import { Job } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDemandCheck } from '../src/processors/demand-check';
import { startHarness, type Harness, VET, MTG } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, ad, adset, baseScenario, keyOf } from '@closrads/test-support/scenarios';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(opts: { withoutWorkers?: boolean } = {}) {
  const scenario = baseScenario();
  scenario.graph.adsets = [adset('201', '9001', ['NY']), adset('301', '9002', ['GA']), adset('302', '9003', ['FL'])];
  scenario.graph.ads = [ad('901', '201'), ad('903', '301'), ad('904', '302')];
  h = await startHarness({
    scenario,
    campaigns: [VET, MTG],
    closrtechCredentials: CREDENTIALS,
    accessToken: TOKEN,
    ...opts,
  });
  return h;
}

/** A demand check through the queue, as the `demand-check` schedule adds it; waits for it to finish. */
async function check(hh: Harness, dryRun = false): Promise<DemandCheckResult> {
  const queue = hh.system.deps.queues.planSync;
  const added = await queue.add(JOB_NAMES.demandCheck, { dryRun });
  let result: DemandCheckResult | undefined;
  await vi.waitFor(
    async () => {
      // The job is read after its state says finished, so its return value (or reason) is there.
      const state = await queue.getJobState(added.id!);
      const job = await Job.fromId(queue, added.id!);
      if (state === 'failed') throw new Error(`demand check failed: ${job?.failedReason}`);
      expect(state).toBe('completed');
      result = DemandCheckResult.parse(job!.returnvalue);
    },
    { timeout: 20_000, interval: 50 },
  );
  return result!;
}

async function reportOf(hh: Harness, runId: string | undefined): Promise<RunReport> {
  expect(runId).toBeDefined();
  const report = await waitForReport(hh.system.deps.store, runId!, 30_000, 50);
  expect(report).toBeDefined();
  return report!;
}

const graphWrites = (hh: Harness) => hh.sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST');
const closrtechCalls = (hh: Harness) => hh.sim.calls.filter((c) => c.api === 'closrtech');
const regionKeys = (hh: Harness, id: string) =>
  ((hh.sim.state.adsets[id]!.targeting.geo_locations as { regions: Array<{ key: string }> }).regions ?? [])
    .map((r) => String(r.key))
    .sort();

describe('demand checks', () => {
  it('sync a campaign with no run yet, then pick up a demand change and apply it with no manual step', async () => {
    const hh = await harness();
    const first = await check(hh);
    expect(first.campaigns.map((c) => [c.name, c.verdict])).toEqual([
      ['Veterans', 'first-run'],
      ['Mortgage', 'first-run'],
    ]);
    const firstReport = await reportOf(hh, first.runId);
    expect(firstReport).toMatchObject({ trigger: 'demand-change', success: true });
    expect(regionKeys(hh, '201')).toEqual(['CA', 'OH', 'TX'].map(keyOf).sort());

    // Veterans gains NY: only Veterans is synced, in a run of its own.
    hh.sim.state.closrtech.campaigns.VET = { OH: 15, TX: 4, CA: 1, NY: 7 };
    const changed = await check(hh);
    expect(changed.campaigns.map((c) => [c.name, c.verdict])).toEqual([
      ['Veterans', 'changed'],
      ['Mortgage', 'in-step'],
    ]);
    const report = await reportOf(hh, changed.runId);
    expect(report.trigger).toBe('demand-change');
    expect(report.campaigns.map((c) => c.name)).toEqual(['Veterans']);
    expect(report.campaigns[0]!.adsets[0]).toMatchObject({ id: '201', outcome: 'updated', added: ['NY'], removed: [] });
    expect(regionKeys(hh, '201')).toEqual(['CA', 'NY', 'OH', 'TX'].map(keyOf).sort());
  });

  it('start no run, write nothing and send nothing while demand stays the same', async () => {
    const hh = await harness();
    await reportOf(hh, (await check(hh)).runId);
    const runs = (await hh.system.deps.store.listRuns()).length;
    const writes = graphWrites(hh).length;
    const printed = hh.printed.length;
    const calls = hh.sim.calls.length;

    const quiet = await check(hh);
    expect(quiet.runId).toBeUndefined();
    expect(quiet.campaigns.every((c) => c.verdict === 'in-step')).toBe(true);
    expect((await hh.system.deps.store.listRuns()).length).toBe(runs);
    expect(graphWrites(hh)).toHaveLength(writes);
    expect(hh.printed).toHaveLength(printed);
    // One CLOSRTECH call per campaign and not a single Graph call.
    expect(hh.sim.calls.slice(calls).map((c) => [c.api, c.query.campaign])).toEqual(
      expect.arrayContaining([
        ['closrtech', 'VET'],
        ['closrtech', 'MTG'],
      ]),
    );
    expect(hh.sim.calls.slice(calls)).toHaveLength(2);
    expect(await hh.system.deps.demandStats.counters()).toMatchObject({ checks: 2, changes: 2, runs: 1 });
    // Three reads of the same demand (two checks and the run between them) are one entry of history.
    expect(await hh.system.deps.redis.zcard(hh.system.deps.keys.demandHistory('Veterans'))).toBe(1);
    expect((await hh.system.deps.demandHistory.since('Veterans', 0))[0]!.demand).toEqual({ CA: 1, OH: 15, TX: 4 });
  });

  it('starts nothing for a campaign that has a run in flight', async () => {
    // No workers: the run started below stays in flight for as long as the test looks.
    const hh = await harness({ withoutWorkers: true });
    const deps = hh.system.deps;
    const inFlight = await startRun(
      { flow: deps.flow, store: deps.store },
      { trigger: 'manual', dryRun: false, campaigns: ['Veterans'] },
    );
    const job = await deps.queues.planSync.add(JOB_NAMES.demandCheck, { dryRun: false });
    const result = await runDemandCheck(deps, job);

    expect(result.campaigns.find((c) => c.name === 'Veterans')?.verdict).toBe('in-flight');
    expect(result.campaigns.find((c) => c.name === 'Mortgage')?.verdict).toBe('first-run');
    expect(closrtechCalls(hh).map((c) => c.query.campaign)).toEqual(['MTG']); // the in-flight campaign is not even read
    const runs = await deps.store.listRuns();
    expect(runs.map((r) => r.meta.runId)).toContain(inFlight);
    expect(runs.find((r) => r.meta.runId === result.runId)?.meta.campaigns).toEqual(['Mortgage']);
    expect(runs.filter((r) => r.meta.campaigns.includes('Veterans'))).toHaveLength(1);
  });

  it('never overlaps: a check that finds another running does nothing', async () => {
    const hh = await harness({ withoutWorkers: true });
    const deps = hh.system.deps;
    hh.sim.addFault({ match: { api: 'closrtech', campaign: 'VET' }, times: 1, response: { kind: 'delay', ms: 5000 } });
    const first = runDemandCheck(deps, await deps.queues.planSync.add(JOB_NAMES.demandCheck, { dryRun: false }));
    // The first check is under way once CLOSRTECH has its call.
    await vi.waitFor(() => expect(closrtechCalls(hh).map((c) => c.query.campaign)).toContain('VET'), {
      timeout: 10_000,
      interval: 10,
    });
    const second = await runDemandCheck(deps, await deps.queues.planSync.add(JOB_NAMES.demandCheck, { dryRun: false }));
    expect(second).toEqual({ overlapped: true, campaigns: [] });
    expect((await first).runId).toBeDefined();
    expect(closrtechCalls(hh)).toHaveLength(2); // the first check's two reads, none from the second
    expect(await deps.demandStats.counters()).toMatchObject({ checks: 1, overlapped: 1, runs: 1 });
  });

  it('start nothing on demand that would abort a run, and count the bad answers', async () => {
    const hh = await harness();
    await reportOf(hh, (await check(hh)).runId);
    const runs = (await hh.system.deps.store.listRuns()).length;
    hh.sim.state.closrtech.campaigns.VET = { OH: 0, TX: 0 };
    hh.sim.addFault({
      match: { api: 'closrtech', campaign: 'MTG' },
      times: -1,
      response: { kind: 'http', status: 200, body: '<html>maintenance</html>' },
    });
    const bad = await check(hh);
    expect(bad.runId).toBeUndefined();
    expect(bad.campaigns.map((c) => [c.name, c.verdict])).toEqual([
      ['Veterans', 'unreadable'],
      ['Mortgage', 'unreadable'],
    ]);
    expect(bad.campaigns[0]!.reason).toMatch(/every state reports zero demand/);
    expect((await hh.system.deps.store.listRuns()).length).toBe(runs);
    const reads = await hh.system.deps.demandStats.reads();
    expect(reads.Veterans).toMatchObject({ bad: 1 });
    expect(reads.Mortgage!.badAt).toBeGreaterThan(reads.Mortgage!.okAt!);
  });

  it('hold a campaign once on a bad drop and do not repeat the held run while demand stays there', async () => {
    const hh = await harness();
    await reportOf(hh, (await check(hh)).runId);
    hh.sim.state.closrtech.campaigns.MTG = { NY: 3 }; // FL, NY → NY: half of the states, allowed
    await reportOf(hh, (await check(hh)).runId);
    hh.sim.state.closrtech.campaigns.VET = { CA: 1 }; // CA, OH, TX → CA: two thirds gone, held
    const heldCheck = await check(hh);
    const held = await reportOf(hh, heldCheck.runId);
    expect(held.campaigns[0]).toMatchObject({ name: 'Veterans', status: 'held' });
    const writes = graphWrites(hh).length;
    const runs = (await hh.system.deps.store.listRuns()).length;

    const again = await check(hh);
    expect(again.runId).toBeUndefined();
    expect(again.campaigns.find((c) => c.name === 'Veterans')?.verdict).toBe('held');
    expect((await hh.system.deps.store.listRuns()).length).toBe(runs);
    expect(graphWrites(hh)).toHaveLength(writes);

    // Demand comes back: in step with the last completed run, so no run, and the hold is over.
    hh.sim.state.closrtech.campaigns.VET = { OH: 15, TX: 4, CA: 1 };
    expect((await check(hh)).runId).toBeUndefined();
    expect(await hh.system.deps.campaignState.held('Veterans', 'live')).toBeUndefined();
  });

  it('keep live and dry runs apart: a dry check compares with dry runs only', async () => {
    const hh = await harness();
    await reportOf(hh, (await check(hh, false)).runId);
    const dry = await check(hh, true);
    expect(dry.campaigns.every((c) => c.verdict === 'first-run')).toBe(true);
    const report = await reportOf(hh, dry.runId);
    expect(report).toMatchObject({ dryRun: true, trigger: 'demand-change' });
  });
});
