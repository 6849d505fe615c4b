/**
 * The `demand-follow` case: how long from a change of demand at CLOSRTECH to every ad set targeting
 * it, with no manual step. The real path: the job scheduler's `demand-check` ticks every
 * `checkEverySeconds`, a check finds the change and starts a `demand-change` run, the run writes. The
 * bound is one check interval plus the run itself.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { QUEUES, applySchedule, createLogger, deletePrefix, type Campaign } from '@closrads/core';
import { benchCampaignsFile, generateScenario, keyOf, startSimulator } from '@closrads/simulator';
import { startLocalSystem } from '@closrads/demo/local-system';
import type { RedisConn } from './measure';

export interface DemandFollowSettings {
  redisUrl: string;
  latencyMs: number;
  concurrency: number;
  /** The demand-check interval (a seconds cron); production's default is 15 minutes. */
  checkEverySeconds: number;
  /** Demand changes measured one after another. */
  changes: number;
  timeoutMs: number;
}

export interface DemandChange {
  /** The state that gained demand. */
  state: string;
  /** Demand changed → last ad set write accepted by the simulator, ms. */
  latencyMs: number;
  /** Demand changed → the demand-change run started (waiting for the next check), ms. */
  waitMs: number;
  /** Run started → last ad set write, ms. */
  runMs: number;
}

export interface DemandFollowResult {
  name: 'demand-follow';
  adsets: number;
  checkIntervalMs: number;
  changes: DemandChange[];
  maxLatencyMs: number;
  medianLatencyMs: number;
  /** Every change reached the ad sets within one check interval plus its run. */
  withinBound: boolean;
  correct: boolean;
  problems: string[];
}

export const DEMAND_FOLLOW_CASE = 'demand-follow';

/** The case as text, under the main table. */
export function renderDemandFollow(r: DemandFollowResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `demand-follow: demand change → every one of ${r.adsets} ad sets targeting it, demand checks every ${s(r.checkIntervalMs)}`,
    ...r.changes.map(
      (c) => `  +${c.state}: ${s(c.latencyMs)} (waiting for the check ${s(c.waitMs)}, run ${s(c.runMs)})`,
    ),
    `  median ${s(r.medianLatencyMs)}, max ${s(r.maxLatencyMs)}; within one check interval plus the run: ${r.withinBound ? 'yes' : 'NO'}${r.correct ? '' : `; PROBLEMS: ${r.problems.join('; ')}`}`,
  ];
  return lines.join('\n');
}

/** States that gain demand, one per change (the generated demand is CA, TX, FL, NY, OH). */
const NEW_STATES = ['WA', 'NV', 'GA', 'AZ', 'CO', 'IL', 'MI', 'PA'];
/** Daily runs out of the way while the case measures demand checks. */
const FAR_CRON = '0 0 1 1 *';

export async function runDemandFollow(
  settings: DemandFollowSettings,
  redis: RedisConn,
  log: (s: string) => void,
): Promise<DemandFollowResult> {
  const scenario = generateScenario({
    accounts: 2,
    campaignsPerAccount: 2,
    adsetsPerCampaign: 25,
    alreadyInSync: true,
  });
  const campaigns: Campaign[] = benchCampaignsFile(scenario).campaigns.map((c) => ({ ...c, protection: false }));
  const sim = await startSimulator({ scenario, latencyMs: settings.latencyMs });
  const prefix = `bench-follow-${randomBytes(3).toString('hex')}`;
  const system = startLocalSystem({
    redisUrl: settings.redisUrl,
    prefix,
    simulator: sim,
    campaigns,
    closrtechCredentials: { email: scenario.closrtech.email!, password: scenario.closrtech.password! },
    accessToken: scenario.graph.accessToken,
    concurrency: settings.concurrency,
    logger: createLogger({ level: 'silent' }),
    out: () => undefined,
  });
  const queue = new Queue(QUEUES.planSync, { connection: system.deps.redis, prefix: system.deps.keys.bullPrefix });
  const problems: string[] = [];
  const changes: DemandChange[] = [];
  const adsetIds = scenario.graph.adsets.map((a) => a.id);
  try {
    // The first check syncs every campaign (none has a completed run yet); then demand moves.
    await applySchedule(
      queue,
      { cron: FAR_CRON, tz: 'UTC', demandCheckCron: `*/${settings.checkEverySeconds} * * * * *` },
      false,
    );
    await untilRuns(system.deps.store, 1, settings.timeoutMs);
    await untilIdle(system.deps.store, settings.timeoutMs);
    for (let i = 0; i < settings.changes; i++) {
      const state = NEW_STATES[i % NEW_STATES.length]!;
      const key = keyOf(state);
      // Changes land at spread-out moments of the check interval, as real ones would.
      await sleep(
        Math.round(((i + 0.5) / settings.changes) * settings.checkEverySeconds * 1000) %
          (settings.checkEverySeconds * 1000),
      );
      const runsBefore = (await system.deps.store.listRuns(200)).length;
      const changedAt = Date.now();
      for (const body of Object.values(sim.state.closrtech.campaigns))
        (body as Record<string, { demand: number; stock: number }>)[state] = { demand: 9, stock: 1 };
      const deadline = changedAt + settings.timeoutMs;
      while (!adsetIds.every((id) => regionKeys(sim.state.adsets[id]?.targeting).includes(key))) {
        if (Date.now() > deadline) throw new Error(`ad sets did not follow ${state} within ${settings.timeoutMs} ms`);
        await sleep(20);
      }
      const lastWrite = Math.max(
        ...sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST' && c.at >= changedAt).map((c) => c.at),
      );
      const runs = await system.deps.store.listRuns(200);
      const run = runs.find(
        (r) => r.meta.trigger === 'demand-change' && Date.parse(r.meta.startedAt) >= changedAt - 1000,
      );
      if (!run || runs.length !== runsBefore + 1)
        problems.push(`change ${state}: expected one new demand-change run, found ${runs.length - runsBefore}`);
      const startedAt = run ? Date.parse(run.meta.startedAt) : changedAt;
      changes.push({
        state,
        latencyMs: lastWrite - changedAt,
        waitMs: startedAt - changedAt,
        runMs: lastWrite - startedAt,
      });
      log(
        `  demand-follow: ${state} gained demand → ${adsetIds.length} ad sets followed in ${lastWrite - changedAt} ms (waited ${startedAt - changedAt} ms for the check, run ${lastWrite - startedAt} ms)`,
      );
      await untilIdle(system.deps.store, settings.timeoutMs);
    }
  } finally {
    for (const s of await queue.getJobSchedulers(0, -1)) await queue.removeJobScheduler(s.id ?? s.key);
    await queue.close();
    await system.close();
    await sim.close();
    await deletePrefix(redis, prefix);
  }
  const latencies = changes.map((c) => c.latencyMs).sort((a, b) => a - b);
  const intervalMs = settings.checkEverySeconds * 1000;
  const withinBound = changes.every((c) => c.latencyMs <= intervalMs + c.runMs);
  return {
    name: 'demand-follow',
    adsets: adsetIds.length,
    checkIntervalMs: intervalMs,
    changes,
    maxLatencyMs: latencies.at(-1) ?? 0,
    medianLatencyMs: latencies[Math.floor(latencies.length / 2)] ?? 0,
    withinBound,
    correct: problems.length === 0 && changes.length === settings.changes,
    problems,
  };
}

function regionKeys(targeting: Record<string, unknown> | undefined): string[] {
  const geo = targeting?.geo_locations as { regions?: Array<{ key: string }> } | undefined;
  return (geo?.regions ?? []).map((r) => String(r.key));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Store = ReturnType<typeof startLocalSystem>['deps']['store'];

async function untilRuns(store: Store, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await store.listRuns(200)).length < n) {
    if (Date.now() > deadline) throw new Error('no demand-change run started');
    await sleep(50);
  }
}

/** Every run started so far has its report. */
async function untilIdle(store: Store, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await store.listRuns(200)).some((r) => !r.report)) {
    if (Date.now() > deadline) throw new Error('a run did not finish');
    await sleep(50);
  }
}
