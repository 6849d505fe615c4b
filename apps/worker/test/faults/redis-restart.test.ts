import { setTimeout as sleep } from 'node:timers/promises';
import { withRegions, type RunReport, type Targeting } from '@closrads/core';
import { startSimulator, type Simulator } from '@closrads/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Control,
  DESIRED,
  PrivateRedis,
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
const DOWN_MS = 2500;

/**
 * Redis goes away for a few seconds in the middle of a live run, then comes back with its data (AOF,
 * as in docker-compose.yml). Uses a private redis-server on a free port: the shared one is never
 * restarted. The worker must ride it out: no crash, no reconnect storm, and the run either completes
 * or is reported clearly; no ad set is written twice with different targeting.
 */
describe('Redis restarted during a run', () => {
  let redis: PrivateRedis;
  let sim: Simulator;
  let control: Control;
  let slack: Awaited<ReturnType<typeof startSlackSink>>;
  let dir: string;
  let worker: WorkerProcess;
  let report: RunReport | undefined;
  let writesWhenDown = 0;
  let aliveAfterRestart = false;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const originals = new Map<string, Targeting>();

  beforeAll(async () => {
    redis = await PrivateRedis.create();
    sim = await startSimulator({ scenario: faultScenario(COUNT), latencyMs: 150 });
    for (const [id, a] of Object.entries(sim.state.adsets)) originals.set(id, structuredClone(a.targeting));
    slack = await startSlackSink();
    const campaigns = tempCampaignsFile();
    dir = campaigns.dir;
    const prefix = 'fr-restart';
    const env = workerEnv({ redisUrl: redis.url, prefix, sim, campaignsFile: campaigns.file, slackUrl: slack.url, concurrency: 3, verifyDelayMs: 300 });
    control = new Control(redis.url, prefix);

    worker = startWorker(env);
    await worker.waitForLine(/worker started/, 20_000);
    const runId = await control.startRun();
    await waitUntil(() => targetingWrites(sim).size >= 2, 20_000, 'two ad set writes');
    await redis.stop();
    writesWhenDown = targetingWrites(sim).size;
    await sleep(DOWN_MS);
    await redis.start();
    await sleep(500);
    aliveAfterRestart = worker.child.exitCode === null && worker.child.signalCode === null;

    report = await control.waitForReport(runId, 45_000);
    await waitUntil(() => slack.bodies.length > 0, 10_000, 'the Slack delivery').catch(() => undefined);
    await sleep(1000);
    worker.child.kill('SIGTERM');
    exit = await worker.exitWithin(30_000);
  }, 120_000);

  afterAll(async () => {
    killStartedWorkers();
    await control?.close();
    await sim?.close();
    await slack?.close();
    if (dir) removeDir(dir);
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
    expect(slack.bodies).toHaveLength(1);
  });

  it('never writes an ad set twice with different targeting, nor anything but the demanded rewrite', () => {
    for (const [id, writes] of targetingWrites(sim)) {
      expect(new Set(writes.map((w) => JSON.stringify(w))).size, id).toBe(1);
    }
    expect(illegitimateWrites(sim, originals)).toEqual([]);
    const updated = report!.campaigns[0]!.adsets.filter((a) => a.outcome === 'updated').map((a) => a.id);
    for (const id of updated) expect(sim.state.adsets[id]!.targeting, id).toEqual(withRegions(originals.get(id)!, DESIRED));
  });
});
