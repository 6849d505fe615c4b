import { stateKeysOf, type RunReport } from '@closrads/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import {
  DESIRED_KEYS,
  FB_CAMPAIGN,
  adsetId,
  startFaultRig,
  startWorker,
  targetingWrites,
  waitUntil,
  type FaultRig,
  type WorkerProcess,
} from '@closrads/test-support/faults';

const COUNT = 4;
/**
 * Its ad breaks on the change and heals when republished: the watch must republish it. Simulator
 * assumptions geo-break-model, republish-review and rollback-heals (packages/simulator/README.md).
 */
const HEALS = adsetId(0);
/** Its ad breaks on the change for good: the watch must restore its states. */
const BREAKS = adsetId(1);
const KILLS = 3;

/**
 * A worker dies three times in a row between the writes and the first look at the ads (each time
 * while that look is under way), then a fourth one is started. Whatever happens to the workers, every
 * written ad set must end healthy or restored, and the report must say which.
 */
describe('three crashes between the write and the first look', () => {
  let rig: FaultRig;
  let report: RunReport | undefined;
  const workers: WorkerProcess[] = [];
  let originalBreaks: string[] = [];

  beforeAll(async () => {
    rig = await startFaultRig({
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix('fl'),
      count: COUNT,
      fragile: [HEALS, BREAKS],
      latencyMs: 40,
      cleanPrefix: true,
    });
    const { sim, control } = rig;
    sim.state.ads[`7${BREAKS}2`]!.onGeoChange = 'break';
    originalBreaks = stateKeysOf(sim.state.adsets[BREAKS]!.targeting).sort();
    // Each look at the campaign's ads is held long enough for the worker to be killed in it.
    const look = { method: 'GET' as const, objectId: FB_CAMPAIGN, edge: 'ads' };
    sim.addFault({ match: look, times: KILLS, response: { kind: 'delay', ms: 20_000 } });
    const looks = () =>
      sim.calls.filter((c) => c.method === look.method && c.objectId === look.objectId && c.edge === look.edge).length;

    let worker = startWorker(rig.env);
    workers.push(worker);
    await worker.waitForLine(/worker started/, 20_000);
    const runId = await control.startRun();
    for (let kill = 1; kill <= KILLS; kill++) {
      await waitUntil(() => looks() >= kill, 40_000, `look number ${kill} at the campaign's ads`);
      expect(targetingWrites(sim).size).toBe(COUNT);
      worker.child.kill('SIGKILL');
      expect((await worker.exitWithin(5000))?.signal).toBe('SIGKILL');
      worker = startWorker(rig.env);
      workers.push(worker);
      await worker.waitForLine(/worker started/, 20_000);
    }
    ({ report } = await rig.finish(worker, runId, 90_000));
  }, 240_000);

  afterAll(async () => rig?.close());

  it('was killed three times during the first look', () => {
    expect(workers).toHaveLength(KILLS + 1);
    expect(rig.sim.calls.filter((c) => c.objectId === FB_CAMPAIGN && c.edge === 'ads').length).toBeGreaterThan(KILLS);
  });

  it('ends with every ad set healthy or restored, and the report says which', () => {
    expect(report, 'no report after the fourth worker').toBeDefined();
    const byId = new Map(report!.campaigns[0]!.adsets.map((a) => [a.id, a]));
    expect(byId.get(HEALS)).toMatchObject({ outcome: 'updated', review: 'passed' });
    expect(byId.get(BREAKS)).toMatchObject({ outcome: 'reverted', rolledBack: true });
    for (let i = 2; i < COUNT; i++)
      expect(byId.get(adsetId(i))).toMatchObject({ outcome: 'updated', review: 'passed' });
    // What the report says is what Facebook has.
    expect(stateKeysOf(rig.sim.state.adsets[HEALS]!.targeting).sort()).toEqual(DESIRED_KEYS);
    expect(stateKeysOf(rig.sim.state.adsets[BREAKS]!.targeting).sort()).toEqual(originalBreaks);
    const brokenLeft = Object.values(rig.sim.state.ads).filter(
      (ad) => ad.status === 'ACTIVE' && (ad.issues_info?.length ?? 0) > 0,
    );
    expect(brokenLeft.map((a) => a.id)).toEqual([]);
    expect(report!.campaigns[0]!.adsets.filter((a) => a.outcome === 'failed')).toEqual([]);
  });

  it('wrote each ad set once for the change (and once more for the restore), never again', () => {
    for (const [id, writes] of targetingWrites(rig.sim)) expect(writes.length, id).toBe(id === BREAKS ? 2 : 1);
  });
});
