import { jobIds, withRegions, type RunReport } from '@closrads/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import {
  DESIRED,
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

/**
 * SIGTERM in the middle of a live run: the worker stops taking jobs, lets the in-flight ones finish,
 * exits 0 within 30 s, and leaves no write half done (every written ad set has either finished its
 * job or has its verification scheduled). A second worker then completes the run.
 */
describe('worker stopped with SIGTERM mid-run', () => {
  let rig: FaultRig;
  let first: WorkerProcess;
  let exit: Exit | undefined;
  let stopMs = 0;
  let afterStop: { active: number; written: Array<{ id: string; state: string; step?: string }> };
  let writesAtSignal = 0;
  let report: RunReport | undefined;

  beforeAll(async () => {
    rig = await startFaultRig({
      redisUrl: testRedisUrl(),
      prefix: uniquePrefix('ft'),
      count: COUNT,
      latencyMs: 150,
      cleanPrefix: true,
    });
    const { sim, control } = rig;
    first = startWorker(rig.env);
    await first.waitForLine(/worker started/, 20_000);
    const runId = await control.startRun();
    await waitUntil(() => targetingWrites(sim).size >= 3, 20_000, 'three ad set writes');
    writesAtSignal = targetingWrites(sim).size;
    const t0 = Date.now();
    first.child.kill('SIGTERM');
    exit = await first.exitWithin(35_000);
    stopMs = Date.now() - t0;

    const written = [];
    for (const id of targetingWrites(sim).keys()) {
      const job = await control.updateQueue.getJob(jobIds.adset(runId, id));
      written.push({
        id,
        state: job ? await job.getState() : 'missing',
        step: (job?.data as { step?: string } | undefined)?.step,
      });
    }
    afterStop = { active: await control.updateQueue.getActiveCount(), written };

    ({ report } = await rig.finish(startWorker(rig.env), runId, 40_000));
  }, 120_000);

  afterAll(async () => rig?.close());

  it('exits 0 within 30 s, after saying it finishes in-flight jobs', () => {
    expect(exit, 'the worker did not exit within 35 s of SIGTERM').toBeDefined();
    expect(exit!.code).toBe(0);
    expect(stopMs).toBeLessThan(30_000);
    expect(first.lines.some((l) => l.includes('finishing in-flight jobs'))).toBe(true);
    expect(first.lines.some((l) => l.includes('worker stopped'))).toBe(true);
  });

  it('was stopped in the middle of the run', () => {
    expect(writesAtSignal).toBeGreaterThan(0);
    expect(writesAtSignal).toBeLessThan(COUNT);
  });

  it('leaves no job active and no write half done', () => {
    expect(afterStop.active).toBe(0);
    for (const w of afterStop.written) {
      // Written ad sets either finished, or wait (delayed) for the first look at their ads.
      const done = w.state === 'completed' || (w.state === 'delayed' && w.step === 'await-look');
      expect(done, `${w.id}: ${w.state} step ${w.step}`).toBe(true);
    }
  });

  it('a new worker completes the run: every ad set demanded, one report, sent once', () => {
    expect(report).toBeDefined();
    const c = report!.campaigns[0]!;
    expect(c.adsets.map((a) => a.id).sort()).toEqual([...ACTIVE_IDS].sort());
    expect(c.adsets.every((a) => a.outcome === 'updated')).toBe(true);
    for (const id of ACTIVE_IDS)
      expect(rig.sim.state.adsets[id]!.targeting, id).toEqual(withRegions(rig.originals.get(id)!, DESIRED));
    expect(illegitimateWrites(rig.sim, rig.originals)).toEqual([]);
    // One write per ad set: nothing was redone because of the stop.
    for (const [id, writes] of targetingWrites(rig.sim)) expect(writes, id).toHaveLength(1);
    expect(rig.slack.bodies).toHaveLength(1);
  });
});
