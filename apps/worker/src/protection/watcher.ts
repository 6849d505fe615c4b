import { randomUUID } from 'node:crypto';
import { JOB_NAMES, jobIds, jobOptions, type AdsetWatch, type WatchCampaignData } from '@closrads/core';
import { Job } from 'bullmq';
import type { WorkerDeps } from '../deps';

/**
 * Puts a written ad set on its Facebook campaign's watch and makes sure a watch job is there to look.
 * One watch job per Facebook campaign looks at all its watched ad sets together (one paged listing of
 * the campaign's ads), so protection costs a shared few calls per campaign, not one per ad set.
 */
export async function watchAdset(deps: WorkerDeps, entry: AdsetWatch, firstLookAt: number): Promise<void> {
  await deps.journal.schedule(entry, firstLookAt);
  await ensureWatcher(deps, { facebookCampaignId: entry.facebookCampaignId, adAccountId: entry.adAccountId });
}

/**
 * Starts the campaign's watch job unless one is alive. Race-free with a watch job that is ending: it
 * retires only when nothing is scheduled (atomically with dropping its id), and scheduling comes first.
 */
export async function ensureWatcher(deps: WorkerDeps, data: WatchCampaignData): Promise<void> {
  const current = await deps.journal.watchJobId(data.facebookCampaignId);
  if (current) {
    const job = await Job.fromId(deps.queues.watchAds, current);
    const state = job ? await job.getState() : 'unknown';
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
  }
  const id = jobIds.watch(data.facebookCampaignId, `${Date.now()}${randomUUID().slice(0, 8)}`);
  if (!(await deps.journal.swapWatchJob(data.facebookCampaignId, current, id))) return;
  await deps.queues.watchAds.add(JOB_NAMES.watchCampaign, data, { ...jobOptions(deps.timing).watchAds, jobId: id });
}

/** Wakes an ad set job waiting for its first look, if it is parked in the delayed set. */
export async function wakeAdsetJob(deps: WorkerDeps, entry: AdsetWatch): Promise<void> {
  const job = await Job.fromId(deps.queues.updateAdset, jobIds.adset(entry.runId, entry.adsetId));
  if (job && (await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
}

/**
 * Has the run's finalizer bring the stored report up to date (a new revision and a follow-up, when
 * something changed) once it has made the report. Before that, the finalizer reads the watch's results
 * itself.
 */
export async function reviseRunReport(deps: WorkerDeps, runId: string): Promise<void> {
  const parent = await Job.fromId(deps.queues.finalizeReport, jobIds.finalize(runId));
  if (!parent) return;
  const state = await parent.getState();
  if (state !== 'completed' && state !== 'failed') return;
  await parent.retry(state).catch(() => undefined);
}
