import { setTimeout as sleep } from 'node:timers/promises';
import { jobIds, withRegions, type RunReport, type Targeting } from '@closrads/core';
import { startSimulator, type Simulator } from '@closrads/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteUnder, testRedisUrl, uniquePrefix } from '../../../../test/redis';
import {
  Control,
  DESIRED,
  adsetId,
  faultScenario,
  illegitimateWrites,
  killStartedWorkers,
  removeDir,
  startSlackSink,
  startWorker,
  targetingWrites,
  tempCampaignsFile,
  waitUntil,
  workerEnv,
  type WorkerProcess,
} from './helpers';

const COUNT = 12;
const ACTIVE_IDS = Array.from({ length: COUNT }, (_, i) => adsetId(i));

/**
 * SIGTERM in the middle of a live run: the worker stops taking jobs, lets the in-flight ones finish,
 * exits 0 within 30 s, and leaves no write half done (every written ad set has either finished its
 * job or has its verification scheduled). A second worker then completes the run.
 */
describe('worker stopped with SIGTERM mid-run', () => {
  let sim: Simulator;
  let control: Control;
  let slack: Awaited<ReturnType<typeof startSlackSink>>;
  let dir: string;
  let prefix: string;
  let runId: string;
  let first: WorkerProcess;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let stopMs = 0;
  let afterStop: { active: number; written: Array<{ id: string; state: string; step?: string }> };
  let writesAtSignal = 0;
  let report: RunReport | undefined;
  const originals = new Map<string, Targeting>();

  beforeAll(async () => {
    sim = await startSimulator({ scenario: faultScenario(COUNT), latencyMs: 150 });
    for (const [id, a] of Object.entries(sim.state.adsets)) originals.set(id, structuredClone(a.targeting));
    slack = await startSlackSink();
    const campaigns = tempCampaignsFile();
    dir = campaigns.dir;
    prefix = uniquePrefix('ft');
    const redisUrl = testRedisUrl();
    const env = workerEnv({ redisUrl, prefix, sim, campaignsFile: campaigns.file, slackUrl: slack.url, concurrency: 3, verifyDelayMs: 300 });
    control = new Control(redisUrl, prefix);

    first = startWorker(env);
    await first.waitForLine(/worker started/, 20_000);
    runId = await control.startRun();
    await waitUntil(() => targetingWrites(sim).size >= 3, 20_000, 'three ad set writes');
    writesAtSignal = targetingWrites(sim).size;
    const t0 = Date.now();
    first.child.kill('SIGTERM');
    exit = await first.exitWithin(35_000);
    stopMs = Date.now() - t0;

    const written = [];
    for (const id of targetingWrites(sim).keys()) {
      const job = await control.updateQueue.getJob(jobIds.adset(runId, id));
      written.push({ id, state: job ? await job.getState() : 'missing', step: (job?.data as { step?: string } | undefined)?.step });
    }
    afterStop = { active: await control.updateQueue.getActiveCount(), written };

    const second = startWorker(env);
    report = await control.waitForReport(runId, 40_000);
    await waitUntil(() => slack.bodies.length > 0, 10_000, 'the Slack delivery').catch(() => undefined);
    await sleep(1000);
    second.child.kill('SIGTERM');
    await second.exitWithin(30_000);
  }, 120_000);

  afterAll(async () => {
    killStartedWorkers();
    await control?.close();
    await sim?.close();
    await slack?.close();
    if (dir) removeDir(dir);
    if (prefix) await deleteUnder(testRedisUrl(), prefix);
  });

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
      // Written ad sets either finished, or wait (delayed) for the verification of their ads.
      const done = w.state === 'completed' || (w.state === 'delayed' && w.step === 'verify');
      expect(done, `${w.id}: ${w.state} step ${w.step}`).toBe(true);
    }
  });

  it('a new worker completes the run: every ad set demanded, one report, sent once', () => {
    expect(report).toBeDefined();
    const c = report!.campaigns[0]!;
    expect(c.adsets.map((a) => a.id).sort()).toEqual([...ACTIVE_IDS].sort());
    expect(c.adsets.every((a) => a.outcome === 'updated')).toBe(true);
    for (const id of ACTIVE_IDS) expect(sim.state.adsets[id]!.targeting, id).toEqual(withRegions(originals.get(id)!, DESIRED));
    expect(illegitimateWrites(sim, originals)).toEqual([]);
    // One write per ad set: nothing was redone because of the stop.
    for (const [id, writes] of targetingWrites(sim)) expect(writes, id).toHaveLength(1);
    expect(slack.bodies).toHaveLength(1);
  });
});
