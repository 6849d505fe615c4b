import { startSimulator, type Simulator } from '@closrads/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteUnder, testRedisUrl, uniquePrefix } from '../../../../test/redis';
import { CAMPAIGNS, Control, faultScenario, killStartedWorkers, removeDir, startWorker, tempCampaignsFile, workerEnv, type WorkerProcess } from './helpers';

const COUNT = 300;
/** Meta's mutations per second per ad account. */
const META_WRITES_PER_SECOND = 100;

/** The most POSTs within any 1 s of the simulator's request log. */
function peakWritesPerSecond(ats: number[]): number {
  const sorted = [...ats].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/**
 * Two worker processes on one run of 300 ad sets of one ad account, without latency: together they
 * could send far more than Meta's 100 writes per second. The spacing is taken in Redis right before
 * each POST, so whatever the number of workers the account never gets more than 100 in any second,
 * and no ad set is written twice. Asserted from the simulator's request log.
 */
describe('two worker processes on one ad account', () => {
  let sim: Simulator;
  let control: Control;
  let campaigns: { file: string; dir: string };
  const prefix = uniquePrefix('spacing');
  const workers: WorkerProcess[] = [];
  let report: Awaited<ReturnType<Control['waitForReport']>>;

  beforeAll(async () => {
    const scenario = faultScenario(COUNT);
    // The scenario's paused ad set has id 299, which ad set 98 of a campaign this large has too.
    scenario.graph.adsets = scenario.graph.adsets.filter((a) => a.status === 'ACTIVE');
    sim = await startSimulator({ scenario, latencyMs: 0 });
    campaigns = tempCampaignsFile(CAMPAIGNS.map((c) => ({ ...c, protection: false })));
    const env = workerEnv({ redisUrl: testRedisUrl(), prefix, sim, campaignsFile: campaigns.file, concurrency: 20 });
    control = new Control(testRedisUrl(), prefix);
    for (let i = 0; i < 2; i++) workers.push(startWorker(env));
    await Promise.all(workers.map((w) => w.waitForLine(/worker started/, 20_000)));
    const runId = await control.startRun();
    report = await control.waitForReport(runId, 60_000);
  }, 120_000);

  afterAll(async () => {
    killStartedWorkers();
    await control?.close();
    await sim?.close();
    if (campaigns) removeDir(campaigns.dir);
    await deleteUnder(testRedisUrl(), prefix);
  });

  it('updates every ad set, each written once', () => {
    expect(report?.success).toBe(true);
    expect(report?.campaigns[0]?.counts.updated).toBe(COUNT);
    const posts = sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST');
    expect(posts).toHaveLength(COUNT);
    expect(new Set(posts.map((c) => c.objectId)).size).toBe(COUNT);
  });

  it('both workers wrote, and the account never got more than 100 writes in any second', () => {
    const posts = sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST');
    expect(peakWritesPerSecond(posts.map((c) => c.at))).toBeLessThanOrEqual(META_WRITES_PER_SECOND);
    // The simulator refuses a 101st write within a second, as Meta does: none was refused.
    expect(posts.filter((c) => c.throttled)).toEqual([]);
    // Both processes took jobs (each logs the ad sets it updated).
    for (const w of workers) expect(w.lines.some((l) => l.includes('ad set targeting updated'))).toBe(true);
  });
});
