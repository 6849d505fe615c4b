import { afterEach, describe, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { jobIds, waitForReport } from '@closrads/core';
import type { Scenario } from '@closrads/simulator';
import { campaign, startHarness, type Harness, type HarnessOptions } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, ad, adset, baseScenario, keyOf } from '@closrads/test-support/scenarios';

const VET = campaign({
  name: 'Veterans',
  closrtechCampaign: 'VET',
  adAccountId: 'act_1',
  facebookCampaignIds: ['9001'],
});

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

const postsTo = (hh: Harness, id: string) => hh.sim.calls.filter((c) => c.method === 'POST' && c.objectId === id);
const adset201 = (r: Awaited<ReturnType<Harness['system']['run']>>) =>
  r.campaigns[0]!.adsets.find((a) => a.id === '201')!;

describe('pre-flight', () => {
  it('skips an ad set with an active ad that is disapproved or has issues, and names the ad', async () => {
    const scenario = baseScenario();
    scenario.graph.ads.push(
      ad('911', '201', {
        name: 'Lead form A',
        effective_status: 'WITH_ISSUES',
        issues_info: [
          {
            level: 'AD',
            error_code: 3390001,
            error_summary: 'Lead form link broken',
            error_message: 'x',
            error_type: 'HARD_ERROR',
          },
        ],
      }),
      ad('912', '201', { name: 'Paused by owner', status: 'PAUSED', effective_status: 'DISAPPROVED' }),
    );
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: false });
    const a = adset201(report);
    expect(a.outcome).toBe('skipped_preflight');
    expect(a.ads).toEqual([
      expect.objectContaining({
        id: '911',
        name: 'Lead form A',
        issue: expect.stringContaining('Lead form link broken'),
      }),
    ]);
    expect(postsTo(hh, '201')).toHaveLength(0);
    expect(report.success).toBe(true);
    expect(report.campaigns[0]!.counts.skippedPreflight).toBe(1);
  });

  it('runs in a dry run too, so the dry report shows the skip', async () => {
    const scenario = baseScenario();
    scenario.graph.ads.push(ad('911', '201', { effective_status: 'DISAPPROVED' }));
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: true });
    expect(adset201(report).outcome).toBe('skipped_preflight');
    expect(hh.sim.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('makes no protection call for an ad set that needs no change', async () => {
    const hh = await harness(baseScenario());
    await hh.system.run({ dryRun: false });
    expect(hh.sim.calls.filter((c) => c.objectId === '202')).toHaveLength(0);
  });
});

// Simulator assumptions (packages/simulator/README.md) these tests rely on: review-time-zero (the
// verdict shows right after the write, with no review step), geo-break-model (what `onGeoChange`
// does to an ad), republish-review (a republished broken ad is reviewed again and heals) and
// rollback-heals (a rollback to the approved geo leaves the ads healthy).
describe('republish, verify and rollback', () => {
  it('republishes active ads (never paused ones) and heals an ad that breaks on the geo change', async () => {
    const scenario = baseScenario();
    scenario.graph.ads = scenario.graph.ads.filter((a) => a.adsetId !== '201');
    scenario.graph.ads.push(
      ad('921', '201', { onGeoChange: 'break-heal-on-republish' }),
      ad('922', '201', { status: 'PAUSED', effective_status: 'PAUSED' }),
    );
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: false });
    expect(adset201(report).outcome).toBe('updated');
    expect(postsTo(hh, '921')).toHaveLength(1);
    expect(postsTo(hh, '921')[0]!.body.status).toBe('ACTIVE');
    expect(postsTo(hh, '922')).toHaveLength(0);
    expect(hh.sim.state.ads['921']!.effective_status).toBe('ACTIVE');
    expect(postsTo(hh, '201')).toHaveLength(1);
  });

  it('rolls back to the exact previous targeting when an ad stays broken', async () => {
    const scenario = baseScenario();
    scenario.graph.ads.push(ad('931', '201', { name: 'Instant form', onGeoChange: 'break' }));
    const hh = await harness(scenario);
    const read = async () =>
      (
        (await (await fetch(`${hh.sim.graphUrl}/v25.0/201?fields=targeting&access_token=${TOKEN}`)).json()) as {
          targeting: unknown;
        }
      ).targeting;
    const before = await read();
    hh.sim.clearCalls();
    const report = await hh.system.run({ dryRun: false });
    const a = adset201(report);
    expect(a.outcome).toBe('reverted');
    expect(a.rolledBack).toBe(true);
    expect(a.ads).toEqual([expect.objectContaining({ id: '931', name: 'Instant form' })]);
    const writes = postsTo(hh, '201');
    expect(writes).toHaveLength(2);
    expect(JSON.parse(String(writes[1]!.body.targeting))).toEqual(before);
    expect(await read()).toEqual(before);
    expect(report.success).toBe(true);
    expect(report.campaigns[0]!.counts.reverted).toBe(1);
  });

  it('a job run again after its rollback (a crash before it finished) does not write again', async () => {
    const scenario = baseScenario();
    scenario.graph.ads.push(ad('931', '201', { onGeoChange: 'break' }));
    const hh = await harness(scenario);
    const report = await hh.system.run({ dryRun: false });
    expect(adset201(report).outcome).toBe('reverted');
    const writes = postsTo(hh, '201').length;
    const job = await Job.fromId(hh.system.deps.queues.updateAdset, jobIds.adset(report.runId, '201'));
    await job!.retry('completed');
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await job!.getState()) !== 'completed')
      await new Promise((r) => setTimeout(r, 50));
    // Every queue empty: nothing the retry started is still to come.
    await hh.settled();
    const again = await Job.fromId(hh.system.deps.queues.updateAdset, jobIds.adset(report.runId, '201'));
    expect((again!.returnvalue as { outcome: string }).outcome).toBe('reverted');
    expect(postsTo(hh, '201')).toHaveLength(writes);
  });

  it('reports a failed rollback as failed, needing a person, logged at error level', async () => {
    const scenario = baseScenario();
    scenario.graph.ads.push(ad('931', '201', { onGeoChange: 'break' }));
    const hh = await harness(scenario);
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201', nth: 2 },
      times: 1,
      response: { kind: 'graph-error', code: 100, subcode: 1487056, message: 'Ad set is archived' },
    });
    const report = await hh.system.run({ dryRun: false });
    const a = adset201(report);
    expect(a).toMatchObject({ outcome: 'failed', needsAttention: true, rolledBack: false });
    expect(a.error).toMatch(/rollback failed.*by hand/);
    expect(report.success).toBe(false);
    expect(hh.logs.some((l) => l.includes('"level":50') && l.includes('ROLLBACK FAILED'))).toBe(true);
  });

  it('waits for verification in the delayed set, not in a worker slot', async () => {
    const scenario = baseScenario();
    for (let i = 0; i < 6; i++) {
      scenario.graph.adsets.push(adset(String(240 + i), '9001', ['WA']));
      scenario.graph.ads.push(ad(String(940 + i), String(240 + i)));
    }
    // One worker slot. Were it held during the 400 ms verification wait, each ad set would be written
    // only after the previous one was verified; parked jobs let the next write go first.
    const hh = await harness(scenario, { concurrency: 1, verifyDelayMs: 400 });
    const report = await hh.system.run({ dryRun: false });
    expect(report.campaigns[0]!.counts.updated).toBe(7);
    const calls = hh.sim.calls.filter((c) => c.api === 'graph');
    const targetingWrites = calls
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.method === 'POST' && c.body.targeting !== undefined);
    const firstWritten = targetingWrites[0]!.c.objectId!;
    // The first look at the written ad set's ads is the campaign's ads listing after that write.
    const firstVerification = calls.findIndex(
      (c, i) => i > targetingWrites[0]!.i && c.edge === 'ads' && (c.objectId === firstWritten || c.objectId === '9001'),
    );
    expect(targetingWrites[1]!.i).toBeLessThan(firstVerification);
  });
});

describe('runs that meet', () => {
  it('two overlapping live runs write each ad set at most once', async () => {
    const scenario = baseScenario();
    for (let i = 0; i < 10; i++) scenario.graph.adsets.push(adset(String(250 + i), '9001', ['WA']));
    const hh = await harness(scenario, { latencyMs: 20, concurrency: 4 });
    const [a, b] = await Promise.all([
      hh.system.run({ dryRun: false }),
      hh.system.run({ dryRun: false, trigger: 'schedule' }),
    ]);
    for (const id of ['201', ...Array.from({ length: 10 }, (_, i) => String(250 + i))]) {
      expect(hh.sim.calls.filter((c) => c.method === 'POST' && c.objectId === id)).toHaveLength(1);
      expect(
        (hh.sim.state.adsets[id]!.targeting.geo_locations as { regions: Array<{ key: string }> }).regions
          .map((r) => r.key)
          .sort(),
      ).toEqual(['CA', 'OH', 'TX'].map(keyOf).sort());
    }
    for (const report of [a, b]) {
      expect(report.campaigns[0]!.counts.processed).toBe(12);
      expect(report.campaigns[0]!.counts.failed).toBe(0);
    }
    const updated = a.campaigns[0]!.counts.updated + b.campaigns[0]!.counts.updated;
    expect(updated).toBe(11);
  });

  it('a late retry brings the stored report up to date and sends a follow-up', async () => {
    const hh = await harness(baseScenario());
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201' },
      times: -1,
      response: { kind: 'graph-error', code: 2, isTransient: true },
    });
    const first = await hh.system.run({ dryRun: false });
    expect(adset201(first).outcome).toBe('failed');
    expect(first.success).toBe(false);

    hh.sim.clearFaults();
    const job = await Job.fromId(hh.system.deps.queues.updateAdset, jobIds.adset(first.runId, '201'));
    expect(await job!.getState()).toBe('failed');
    await job!.retry('failed'); // what the board's Retry button does

    const deadline = Date.now() + 10_000;
    let updated = first;
    while (Date.now() < deadline && (updated.revision ?? 1) < 2) {
      await new Promise((r) => setTimeout(r, 100));
      updated = (await waitForReport(hh.system.deps.store, first.runId, 100))!;
    }
    expect(updated.revision).toBe(2);
    expect(adset201(updated).outcome).toBe('updated');
    expect(updated.success).toBe(true);
    expect(updated.campaigns[0]!.counts).toMatchObject({ updated: 1, failed: 0 });
    expect(hh.printed.some((t) => t.includes('201'))).toBe(true);
    expect(hh.printed).toHaveLength(2); // the report, then one follow-up
  });

  it('a job retried after a newer run planned the campaign writes nothing: superseded', async () => {
    const hh = await harness(baseScenario());
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201' },
      times: 4,
      response: { kind: 'graph-error', code: 2, isTransient: true },
    });
    const old = await hh.system.run({ dryRun: false });
    expect(adset201(old).outcome).toBe('failed');
    const newer = await hh.system.run({ dryRun: false });
    expect(adset201(newer).outcome).toBe('updated');
    const writes = postsTo(hh, '201').length;

    const job = await Job.fromId(hh.system.deps.queues.updateAdset, jobIds.adset(old.runId, '201'));
    await job!.retry('failed');
    const deadline = Date.now() + 10_000;
    let report = old;
    while (Date.now() < deadline && (report.revision ?? 1) < 2) {
      await new Promise((r) => setTimeout(r, 100));
      report = (await waitForReport(hh.system.deps.store, old.runId, 100))!;
    }
    expect(adset201(report)).toMatchObject({ outcome: 'superseded', supersededBy: newer.runId });
    expect(postsTo(hh, '201')).toHaveLength(writes);
  });
});

describe('pacing under Meta rate limits', () => {
  it('finishes with every ad set updated and none failed when the budget is far smaller than the work', async () => {
    const scenario = baseScenario();
    scenario.graph.adAccounts.act_1 = { rateBudget: { maxPoints: 15, windowMs: 1000 } };
    for (let i = 0; i < 24; i++) scenario.graph.adsets.push(adset(String(300 + i), '9001', ['WA']));
    const vetNoProtection = { ...VET, protection: false };
    h = await startHarness({
      scenario,
      campaigns: [vetNoProtection],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      concurrency: 10,
    });
    const report = await h.system.run({ dryRun: false }, 60_000);
    const c = report.campaigns[0]!;
    expect(c.counts.failed).toBe(0);
    expect(c.counts.updated).toBe(25);
    expect(report.success).toBe(true);
    // The pacer counts every moment it gives on the account's score and gives none that would pass
    // it, so a job is refused at most once: when it asked before any reading was counted (the first
    // wave of ten), and then it asks again on a model that knows the score is full. Late calls on a
    // loaded machine only leave more of the score drained.
    // Assumption of the simulator relied on: the score drains evenly (packages/simulator/README.md).
    const graphCalls = h.sim.calls.filter((x) => x.api === 'graph' && x.adAccountId === 'act_1');
    expect(graphCalls[0]).toMatchObject({ edge: 'adsets', status: 200 });
    const refused = graphCalls.filter((x) => x.throttled).map((x) => x.objectId);
    expect(refused.length).toBeLessThanOrEqual(10);
    expect(new Set(refused).size).toBe(refused.length);
  });
});
