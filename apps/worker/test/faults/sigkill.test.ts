import { setTimeout as sleep } from 'node:timers/promises';
import { withRegions, type RunReport, type Targeting } from '@closrads/core';
import { startSimulator, type Simulator } from '@closrads/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteUnder, keysUnder, testRedisUrl, uniquePrefix } from '../../../../test/redis';
import {
  Control,
  DESIRED,
  DESIRED_KEYS,
  adsetId,
  faultScenario,
  illegitimateWrites,
  killStartedWorkers,
  regionKeysSorted,
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
/** The ad set whose worker dies between its targeting write and the verification of its ads. */
const CAUGHT = adsetId(0);

/**
 * A worker is killed with SIGKILL in the middle of a live run (one ad set is caught after its write,
 * while its ads are being republished), then a second worker process is started.
 *
 * BullMQ gives a dead worker's jobs back after its locks expire (lockDuration, 30 s in
 * apps/worker/src/workers.ts, with no env knob yet). To keep the test short, it deletes the dead
 * worker's BullMQ job locks (and the stall-check throttle key) right after the kill, which is exactly
 * what their expiry would do; the new worker's stall check then returns the jobs within one
 * stalledInterval (15 s): it marks them on start and moves them back to wait on its next pass.
 */
describe('worker killed with SIGKILL mid-run, then restarted', () => {
  let sim: Simulator;
  let control: Control;
  let slack: Awaited<ReturnType<typeof startSlackSink>>;
  let dir: string;
  let prefix: string;
  let report: RunReport | undefined;
  let first: WorkerProcess;
  let second: WorkerProcess;
  let writesAtKill = 0;
  const originals = new Map<string, Targeting>();

  beforeAll(async () => {
    sim = await startSimulator({ scenario: faultScenario(COUNT, [CAUGHT]), latencyMs: 120 });
    for (const [id, a] of Object.entries(sim.state.adsets)) originals.set(id, structuredClone(a.targeting));
    // The fragile ad of CAUGHT is republished after the write: hold that call so the kill lands there.
    sim.addFault({ match: { objectId: `7${CAUGHT}2`, method: 'POST' }, response: { kind: 'delay', ms: 10_000 } });
    slack = await startSlackSink();
    const campaigns = tempCampaignsFile();
    dir = campaigns.dir;
    prefix = uniquePrefix('fk');
    const redisUrl = testRedisUrl();
    const env = workerEnv({ redisUrl, prefix, sim, campaignsFile: campaigns.file, slackUrl: slack.url, concurrency: 3, verifyDelayMs: 300 });
    control = new Control(redisUrl, prefix);

    first = startWorker(env);
    await first.waitForLine(/worker started/, 20_000);
    const runId = await control.startRun();
    await waitUntil(() => targetingWrites(sim).has(CAUGHT), 20_000, `the write of ad set ${CAUGHT}`);
    await sleep(400); // now inside the held republish call
    writesAtKill = sim.state.writes.length;
    first.child.kill('SIGKILL');
    expect((await first.exitWithin(5000))?.signal).toBe('SIGKILL');

    // Stand-in for time passing (see above): remove the dead worker's job locks and the queue-wide
    // stall-check throttle key, as their expiry would.
    const locks = (await keysUnder(control.redis, prefix)).filter((k) =>
      /:(plan-sync|update-adset|finalize-report|deliver-report):([^:]+:lock|stalled-check)$/.test(k),
    );
    if (locks.length > 0) await control.redis.del(...locks);

    second = startWorker(env);
    report = await control.waitForReport(runId, 60_000);
    // Give a duplicate report or delivery the time to show up, if there were one.
    await waitUntil(() => slack.bodies.length > 0, 10_000, 'the Slack delivery').catch(() => undefined);
    await sleep(1500);
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

  it('was really killed in the middle of the run', () => {
    expect(writesAtKill).toBeGreaterThan(0);
    expect(sim.state.writes.length).toBeGreaterThan(writesAtKill);
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
    expect(slack.bodies).toHaveLength(1);
    const printed = [...first.lines, ...second.lines].filter((l) => l.startsWith(`closrads sync ${report?.runId}`));
    expect(printed).toHaveLength(1);
  });

  it('leaves every active ad set with exactly the demanded regions, everything else as it was', () => {
    for (const id of ACTIVE_IDS) {
      const now = sim.state.adsets[id]!.targeting;
      expect(regionKeysSorted(now), id).toEqual(DESIRED_KEYS);
      expect(now, id).toEqual(withRegions(originals.get(id)!, DESIRED));
    }
    expect(sim.state.adsets['299']!.targeting).toEqual(originals.get('299'));
  });

  it('never writes anything but the demanded rewrite or the original (rollback)', () => {
    expect(illegitimateWrites(sim, originals)).toEqual([]);
    expect(targetingWrites(sim).has('299')).toBe(false);
  });

  // Regression: a worker dying after an ad set's targeting write and before its verification used to
  // leave the retried job seeing the demanded keys in place and reporting `unchanged` (or
  // `skipped_preflight` while the listed copy was fresh): ads were never republished nor verified, so a
  // broken lead form stayed broken. The retry must finish the protection cycle of its own write.
  it('still republishes and verifies the ad set caught by the kill: no ad left broken', () => {
    const caught = report!.campaigns[0]!.adsets.find((a) => a.id === CAUGHT)!;
    expect(caught.outcome).toBe('updated');
    const broken = Object.values(sim.state.ads).filter((ad) => ad.adsetId === CAUGHT && (ad.issues_info?.length ?? 0) > 0);
    expect(broken).toEqual([]);
  });
});
