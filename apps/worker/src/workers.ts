import { QUEUES, classifyJobError, scrubSecrets, toBullMqError, workerProcessName } from '@closrads/core';
import { Job, MetricsTime, Worker, type Processor } from 'bullmq';
import type { WorkerDeps } from './deps';
import { createDeliverReportProcessor } from './processors/deliver-report';
import { createFinalizeReportProcessor } from './processors/finalize-report';
import { createPlanSyncProcessor } from './processors/plan-sync';
import { createUpdateAdsetProcessor } from './processors/update-adset';
import { createWatchAdsProcessor } from './processors/watch-ads';

/**
 * Stall detection settings, identical on every worker (the check is throttled queue-wide by whichever
 * worker ran it last). A crashed worker's jobs return to the queue after about lockDuration.
 */
export const STALL_SETTINGS = { lockDuration: 30_000, stalledInterval: 15_000, maxStalledCount: 2 };
/** Stalls allowed to the jobs that resume from their persisted step (ad set and watch jobs). */
const RESUMABLE_MAX_STALLED = 20;

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs, lets in-flight jobs finish, then closes every connection the workers opened. */
  close(): Promise<void>;
}

/** One BullMQ worker per queue, sharing the deps; the ad set queue runs WORKER_CONCURRENCY jobs at once. */
export function startWorkers(
  deps: WorkerDeps,
  opts: { concurrency?: number; stall?: Partial<typeof STALL_SETTINGS>; out?: (text: string) => void } = {},
): RunningWorkers {
  // Completed/failed counts per minute for /metrics; the same setting on every worker, as BullMQ requires.
  const metrics = { maxDataPoints: MetricsTime.ONE_WEEK };
  // One name for every worker of this process: /healthz and `enqueue --wait` count processes by it.
  const name = workerProcessName();
  const base = { connection: deps.redis, prefix: deps.keys.bullPrefix, metrics, name, ...STALL_SETTINGS, ...opts.stall };
  const make = (queue: string, processor: Processor, concurrency: number, extra: { maxStalledCount?: number } = {}) => {
    const worker = new Worker(queue, withErrorPolicy(processor, deps.secrets), { ...base, ...extra, concurrency });
    worker.on('error', (err) => deps.logger.error({ queue, err }, 'worker error'));
    worker.on('failed', (job, err) => {
      const kind = classifyJobError(err);
      const facts = { queue, jobId: job?.id, attemptsMade: job?.attemptsMade, kind, err };
      if (kind === 'programming') deps.logger.error(facts, 'job failed on a programming error; not retried');
      else deps.logger.warn(facts, 'job attempt failed');
    });
    return worker;
  };
  const concurrency = opts.concurrency ?? deps.worker.concurrency;
  // The ad set and watch jobs are step machines that resume safely where they stopped, so a worker that
  // crashes again and again must not make them fail as "stalled": their protection has to finish.
  const resumable = { maxStalledCount: RESUMABLE_MAX_STALLED };
  const updateWorker = make(QUEUES.updateAdset, createUpdateAdsetProcessor(deps), concurrency, resumable);
  const workers = [
    make(QUEUES.planSync, createPlanSyncProcessor(deps), 2),
    updateWorker,
    make(QUEUES.finalizeReport, createFinalizeReportProcessor(deps, opts.out), 2),
    make(QUEUES.deliverReport, createDeliverReportProcessor(deps), 2),
    make(QUEUES.watchAds, createWatchAdsProcessor(deps), 4, resumable),
  ];
  updateWorker.on('completed', (job) => {
    rerunFinishedFinalizer(deps, job).catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'could not re-run the finalizer'));
  });
  return {
    workers,
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/**
 * Every processor runs under the one error policy (queue/error-policy.ts): a transient error is retried
 * with the job's backoff, a permanent or programming error fails the job at once, and what BullMQ
 * stores (message and stack, with the causes') is scrubbed of secrets.
 */
export function withErrorPolicy(processor: Processor, secrets: readonly string[]): Processor {
  const scrub = (text: string) => scrubSecrets(text, secrets);
  return async (job, token, signal) => {
    try {
      return await processor(job, token, signal);
    } catch (err) {
      throw toBullMqError(err, scrub);
    }
  };
}

/**
 * BullMQ never re-runs a finished parent. When an ad set succeeds after its run's report was made
 * (retried from the board), run the finalizer again so the stored report catches up.
 */
async function rerunFinishedFinalizer(deps: WorkerDeps, job: Job): Promise<void> {
  const parentId = job.parent?.id;
  // A job that completed on its first attempt ran inside its run: its parent is still waiting.
  // Only a job that failed before (retried by BullMQ or from the board) can finish after the report.
  if (!parentId || job.attemptsMade <= 1) return;
  const parent = await Job.fromId(deps.queues.finalizeReport, parentId);
  if (!parent) return;
  const state = await parent.getState();
  if (state !== 'completed' && state !== 'failed') return;
  try {
    await parent.retry(state);
    deps.logger.info({ runId: (job.data as { runId?: string }).runId, adsetJob: job.id }, 'late retry: report will be brought up to date');
  } catch {
    // Another child already re-queued it.
  }
}
