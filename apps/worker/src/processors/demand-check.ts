import { randomUUID } from 'node:crypto';
import {
  DemandCheckData,
  decideDemandCheck,
  jobIds,
  modeOf,
  newRunId,
  startRun,
  type Campaign,
  type DemandCheckResult,
} from '@closrads/core';
import type { Job } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { readDemand } from '../demand-reads';

/** Longest a check may hold the lock; a crashed check frees it after this. */
const CHECK_LOCK_MS = 10 * 60_000;
/** Runs started this long ago and still without a report are looked up in the queue to see if they run. */
const IN_FLIGHT_WINDOW_MS = 24 * 3600_000;
/** Finalizer states of a run that has not made its report yet. */
const UNFINISHED = new Set(['waiting', 'waiting-children', 'active', 'delayed', 'prioritized']);

/**
 * A demand check (the `demand-check` schedule): reads every enabled campaign's demand, one CLOSRTECH
 * call each, and starts one `demand-change` run for the campaigns whose demand moved away from their
 * last completed run (or that have none, or deferred an ad set). Others cost that call and nothing
 * more. Never overlaps another check, never starts a run for a campaign that has one in flight, and an
 * answer that would abort a run starts nothing.
 */
export async function runDemandCheck(deps: WorkerDeps, job: Job): Promise<DemandCheckResult> {
  const data = DemandCheckData.parse(job.data);
  const log = deps.logger.child({ job: job.name, jobId: job.id });
  const token = randomUUID();
  const locked = await deps.redis.set(deps.keys.demandCheckLock, token, 'PX', CHECK_LOCK_MS, 'NX');
  if (locked !== 'OK') {
    await deps.demandStats.count('overlapped');
    log.info('another demand check is still running; this one does nothing');
    return { overlapped: true, campaigns: [] };
  }
  try {
    await deps.demandStats.count('checks');
    return await check(deps, job, data.dryRun);
  } finally {
    await deps.redis.eval(RELEASE, 1, deps.keys.demandCheckLock, token);
  }
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

async function check(deps: WorkerDeps, job: Job, dryRun: boolean): Promise<DemandCheckResult> {
  const log = deps.logger.child({ job: job.name, jobId: job.id });
  const mode = modeOf(dryRun);
  const enabled = deps.campaigns.filter((c) => c.enabled);
  const inFlight = await campaignsInFlight(deps, enabled);
  const results = await Promise.all(
    enabled.map(async (campaign): Promise<DemandCheckResult['campaigns'][number]> => {
      // A campaign that has a run in flight is not read: that run reads demand itself.
      if (inFlight.has(campaign.name)) return { name: campaign.name, verdict: 'in-flight' };
      const read = await readDemand(deps, campaign);
      if (!read.ok) return { name: campaign.name, verdict: 'unreadable', reason: read.reason };
      const [lastCompleted, held] = await Promise.all([
        deps.campaignState.lastCompleted(campaign.name, mode),
        deps.campaignState.held(campaign.name, mode),
      ]);
      const decision = decideDemandCheck({
        activeStates: read.plan.activeStates,
        lastCompleted,
        held,
        inFlight: false,
      });
      if (decision.clearHold) await deps.campaignState.clearHeld(campaign.name, mode);
      return { name: campaign.name, verdict: decision.verdict };
    }),
  );
  for (const r of results) {
    if (r.verdict === 'unreadable')
      log.warn({ campaign: r.name, reason: r.reason }, 'demand check: demand unreadable; nothing started');
  }
  const toSync = results
    .filter((r) => r.verdict === 'first-run' || r.verdict === 'changed' || r.verdict === 'deferred')
    .map((r) => r.name);
  await deps.demandStats.count('changes', toSync.length);
  if (toSync.length === 0) {
    log.debug({ campaigns: results.map((r) => [r.name, r.verdict]) }, 'demand check: every campaign in step');
    return { campaigns: results };
  }
  // The run id derives from the check's job id: a check that is run again restarts the same run.
  const at = new Date(Number(/(\d{10,})$/.exec(job.id ?? '')?.[1] ?? job.timestamp));
  const runId = newRunId(at, `demand-${job.id ?? at.getTime()}`);
  await startRun(
    { flow: deps.flow, store: deps.store, timing: deps.timing },
    { runId, trigger: 'demand-change', dryRun, campaigns: toSync, at: new Date() },
  );
  await deps.demandStats.count('runs');
  log.info({ runId, campaigns: toSync, dryRun }, 'demand changed: run started');
  return { campaigns: results, runId };
}

/**
 * Campaigns covered by a run that has not made its report: recent runs without a report whose
 * finalizer is still waiting or running (a run whose finalizer gave up is not in flight).
 */
async function campaignsInFlight(deps: WorkerDeps, enabled: Campaign[]): Promise<Set<string>> {
  const since = Date.now() - IN_FLIGHT_WINDOW_MS;
  const ids = await deps.redis.zrangebyscore(deps.keys.runs, since, '+inf');
  const out = new Set<string>();
  if (ids.length === 0) return out;
  const summaries = await deps.redis.mget(...ids.map((id) => deps.keys.reportSummary(id)));
  for (const [i, runId] of ids.entries()) {
    if (summaries[i]) continue;
    const state = await deps.queues.finalizeReport.getJobState(jobIds.finalize(runId));
    if (!UNFINISHED.has(state)) continue;
    const meta = await deps.store.getMeta(runId);
    const names = meta && meta.campaigns.length > 0 ? meta.campaigns : enabled.map((c) => c.name);
    for (const name of names) out.add(name);
  }
  return out;
}
