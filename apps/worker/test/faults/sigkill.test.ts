import { withRegions, type RunReport } from '@closrads/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import {
  DESIRED,
  DESIRED_KEYS,
  adsetId,
  illegitimateWrites,
  regionKeysSorted,
  startFaultRig,
  startWorker,
  targetingWrites,
  waitUntil,
  type FaultRig,
  type WorkerProcess,
} from '@closrads/test-support/faults';

const COUNT = 12;
const ACTIVE_IDS = Array.from({ length: COUNT }, (_, i) => adsetId(i));
/** The ad set whose worker dies while the watch republishes its ad that broke after the write. */
const CAUGHT = adsetId(0);

/**
 * A worker is killed with SIGKILL in the middle of a live run (one ad set is caught after its write,
 * while the watch republishes its ad that broke), then a second worker process is started. BullMQ hands the
 * dead worker's jobs over once their locks expire: the workers run here with
 * WORKER_LOCK_DURATION_MS=4000 and WORKER_STALLED_INTERVAL_MS=1000, so that takes seconds.
 */
describe('worker killed with SIGKILL mid-run, then restarted', () => {
  let rig: FaultRig;
  let report: RunReport | undefined;
  let first: WorkerProcess;
  let second: WorkerProcess;
  let writesAtKill = 0;

  beforeAll(async () => {
    rig = await startFaultRig({
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix('fk'),
      count: COUNT,
      fragile: [CAUGHT],
      latencyMs: 120,
      cleanPrefix: true,
    });
    const { sim, control } = rig;
    // The fragile ad of CAUGHT breaks after the write and the watch republishes it: hold that call so
    // the kill lands in the middle of it.
    const republish = { objectId: `7${CAUGHT}2`, method: 'POST' as const };
    sim.addFault({ match: republish, response: { kind: 'delay', ms: 10_000 } });

    first = startWorker(rig.env);
    await first.waitForLine(/worker started/, 20_000);
    const runId = await control.startRun();
    await waitUntil(() => targetingWrites(sim).has(CAUGHT), 20_000, `the write of ad set ${CAUGHT}`);
    await waitUntil(
      () => sim.calls.some((c) => c.method === republish.method && c.objectId === republish.objectId),
      20_000,
      'the held republish',
    );
    writesAtKill = sim.state.writes.length;
    first.child.kill('SIGKILL');
    expect((await first.exitWithin(5000))?.signal).toBe('SIGKILL');

    second = startWorker(rig.env);
    ({ report } = await rig.finish(second, runId, 60_000));
  }, 120_000);

  afterAll(async () => rig?.close());

  it('was really killed in the middle of the run', () => {
    expect(writesAtKill).toBeGreaterThan(0);
    expect(rig.sim.state.writes.length).toBeGreaterThan(writesAtKill);
  });

  it('produces one report that accounts for every active ad set', () => {
    expect(report, 'no report within 60 s of the restart').toBeDefined();
    const c = report!.campaigns[0]!;
    expect(c.status).toBe('completed');
    expect(c.adsets.map((a) => a.id).sort()).toEqual([...ACTIVE_IDS].sort());
    expect(c.counts.processed).toBe(COUNT);
    expect(c.adsets.filter((a) => a.outcome === 'failed')).toEqual([]);
  });

  it('sends the report once and prints it once', () => {
    expect(rig.slack.bodies).toHaveLength(1);
    const printed = [...first.lines, ...second.lines].filter((l) => l.startsWith(`closrads sync ${report?.runId}`));
    expect(printed).toHaveLength(1);
  });

  it('leaves every active ad set with exactly the demanded regions, everything else as it was', () => {
    for (const id of ACTIVE_IDS) {
      const now = rig.sim.state.adsets[id]!.targeting;
      expect(regionKeysSorted(now), id).toEqual(DESIRED_KEYS);
      expect(now, id).toEqual(withRegions(rig.originals.get(id)!, DESIRED));
    }
    expect(rig.sim.state.adsets['299']!.targeting).toEqual(rig.originals.get('299'));
  });

  it('never writes anything but the demanded rewrite or the original (rollback)', () => {
    expect(illegitimateWrites(rig.sim, rig.originals)).toEqual([]);
    expect(targetingWrites(rig.sim).has('299')).toBe(false);
  });

  // Regression: a worker dying after an ad set's targeting write and before its protection ended used
  // to leave the ad set's ads unverified, so a broken lead form stayed broken. The watch must finish
  // the protection of the write whatever happens to the worker.
  it('still republishes and verifies the ad set caught by the kill: no ad left broken', () => {
    const caught = report!.campaigns[0]!.adsets.find((a) => a.id === CAUGHT)!;
    expect(caught.outcome).toBe('updated');
    const broken = Object.values(rig.sim.state.ads).filter(
      (ad) => ad.adsetId === CAUGHT && (ad.issues_info?.length ?? 0) > 0,
    );
    expect(broken).toEqual([]);
  });
});
