import { setTimeout as sleep } from 'node:timers/promises';
import { withRegions, type RunReport } from '@closrads/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESIRED,
  PrivateRedis,
  adsetId,
  illegitimateWrites,
  startFaultRig,
  startWorker,
  targetingWrites,
  waitUntil,
  type Exit,
  type FaultRig,
  type WorkerProcess,
} from '@closrads/test-support/faults';

const COUNT = 12;
const ACTIVE_IDS = Array.from({ length: COUNT }, (_, i) => adsetId(i));
const DOWN_MS = 2500;

/**
 * Redis goes away for a few seconds in the middle of a live run, then comes back with its data (AOF,
 * as in docker-compose.yml). Uses a private redis-server on a free port: the shared one is never
 * restarted. The worker must ride it out: no crash, no reconnect storm, and the run either completes
 * or is reported clearly; no ad set is written twice with different targeting.
 */
describe('Redis restarted during a run', () => {
  let redis: PrivateRedis;
  let rig: FaultRig;
  let worker: WorkerProcess;
  let report: RunReport | undefined;
  let writesWhenDown = 0;
  let aliveAfterRestart = false;
  let exit: Exit | undefined;

  beforeAll(async () => {
    redis = await PrivateRedis.create({ persistent: true });
    rig = await startFaultRig({ redisUrl: redis.url, prefix: 'fr-restart', count: COUNT, latencyMs: 150 });
    worker = startWorker(rig.env);
    await worker.waitForLine(/worker started/, 20_000);
    const runId = await rig.control.startRun();
    await waitUntil(() => targetingWrites(rig.sim).size >= 2, 20_000, 'two ad set writes');
    await redis.stop();
    writesWhenDown = targetingWrites(rig.sim).size;
    await sleep(DOWN_MS);
    await redis.start();
    await sleep(500);
    aliveAfterRestart = worker.child.exitCode === null && worker.child.signalCode === null;

    ({ report, exit } = await rig.finish(worker, runId, 45_000));
  }, 120_000);

  afterAll(async () => {
    await rig?.close();
    await redis?.destroy();
  });

  it('went down in the middle of the run', () => {
    expect(writesWhenDown).toBeGreaterThan(0);
    expect(writesWhenDown).toBeLessThan(COUNT);
  });

  it('keeps the worker process alive, without a reconnect storm, and it still stops cleanly', () => {
    expect(aliveAfterRestart).toBe(true);
    const errors = worker.lines.filter((l) => /redis connection error|worker error/.test(l));
    // ioredis backs off (up to 2 s between tries): a few lines per connection, not thousands.
    expect(errors.length).toBeLessThan(200);
    expect(exit?.code).toBe(0);
  });

  it('completes the run with one report that accounts for every ad set, sent once', () => {
    expect(report, 'no report within 45 s after Redis came back').toBeDefined();
    const c = report!.campaigns[0]!;
    expect(c.adsets.map((a) => a.id).sort()).toEqual([...ACTIVE_IDS].sort());
    // An ad set may fail clearly (with an error) but never silently.
    for (const a of c.adsets) if (a.outcome === 'failed') expect(a.error).toBeTruthy();
    expect(rig.slack.bodies).toHaveLength(1);
  });

  it('never writes an ad set twice with different targeting, nor anything but the demanded rewrite', () => {
    for (const [id, writes] of targetingWrites(rig.sim)) {
      expect(new Set(writes.map((w) => JSON.stringify(w))).size, id).toBe(1);
    }
    expect(illegitimateWrites(rig.sim, rig.originals)).toEqual([]);
    const updated = report!.campaigns[0]!.adsets.filter((a) => a.outcome === 'updated').map((a) => a.id);
    for (const id of updated)
      expect(rig.sim.state.adsets[id]!.targeting, id).toEqual(withRegions(rig.originals.get(id)!, DESIRED));
  });
});
