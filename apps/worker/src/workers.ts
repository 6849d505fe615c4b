import {
  JOBS,
  QUEUE_SETTINGS,
  classifyJobError,
  configDefaults,
  jobSpecOf,
  scrubSecrets,
  toBullMqError,
  workerProcessName,
  type JobKey,
  type JobResults,
  type QueueName,
} from '@closrads/core';
import { Job, MetricsTime, UnrecoverableError, Worker, type Processor } from 'bullmq';
import type { WorkerDeps } from './deps';
import { runDemandCheck } from './processors/demand-check';
import { createDeliverReportProcessor } from './processors/deliver-report';
import { createFinalizeReportProcessor } from './processors/finalize-report';
import { createPlanSyncProcessor, startScheduledRun } from './processors/plan-sync';
import { createUpdateAdsetProcessor } from './processors/update-adset';
import { createWatchAdsProcessor } from './processors/watch-ads';

/**
 * Stall detection settings, identical on every worker (the check is throttled queue-wide by whichever
 * worker ran it last). A crashed worker's jobs return to the queue after about lockDuration.
 */
export const STALL_SETTINGS = {
  lockDuration: configDefaults('worker').lockDurationMs,
  stalledInterval: configDefaults('worker').stalledIntervalMs,
  maxStalledCount: 2,
};
/** Stalls allowed to the jobs that resume from their persisted step (ad set and watch jobs). */
const RESUMABLE_MAX_STALLED = 20;

export interface RunningWorkers {
  workers: Worker[];
  /** Stops taking jobs, lets in-flight jobs finish, then closes every connection the workers opened. */
  close(): Promise<void>;
}

/** A job's handler: what it returns must match the catalog's result schema of that job. */
export type JobHandler<K extends JobKey> = (job: Job, token?: string) => Promise<JobResults[K]>;
export type JobHandlers = { [K in JobKey]: JobHandler<K> };

/** The handler of every job of the catalog. */
export function jobHandlers(deps: WorkerDeps, out?: (text: string) => void): JobHandlers {
  return {
    scheduledSync: (job) => startScheduledRun(deps, job),
    demandCheck: (job) => runDemandCheck(deps, job),
    planSync: createPlanSyncProcessor(deps),
    updateAdset: createUpdateAdsetProcessor(deps),
    finalizeReport: createFinalizeReportProcessor(deps, out),
    deliverReport: createDeliverReportProcessor(deps),
    watchCampaign: createWatchAdsProcessor(deps),
  };
}

/**
 * The processor of one queue, from the catalog: it finds the job's entry by name, checks the job's data
 * against its schema before the handler sees it, and parses what the handler returns with the result
 * schema (BullMQ stores it, and the finalizer reads it back). A job name the catalog does not know, or
 * data or a result that breaks its schema, is our own mistake: it fails at once (error policy).
 */
export function queueProcessor(queue: QueueName, handlers: JobHandlers): Processor {
  const keys = Object.keys(JOBS) as JobKey[];
  return async (job, token) => {
    const spec = jobSpecOf(queue, job.name);
    const key = keys.find((k) => JOBS[k] === spec);
    if (!spec || !key) throw new UnrecoverableError(`no job named ${job.name} runs on ${queue}`);
    spec.data.parse(job.data);
    const value: unknown = await handlers[key](job, token);
    return spec.result.parse(value);
  };
}

/** One BullMQ worker per queue of the catalog, sharing the deps; the ad set queue runs WORKER_CONCURRENCY jobs at once. */
export function startWorkers(
  deps: WorkerDeps,
  opts: {
    concurrency?: number;
    stall?: Partial<typeof STALL_SETTINGS>;
    out?: (text: string) => void;
    handlers?: Partial<JobHandlers>;
  } = {},
): RunningWorkers {
  // Completed/failed counts per minute for /metrics; the same setting on every worker, as BullMQ requires.
  const metrics = { maxDataPoints: MetricsTime.ONE_WEEK };
  // One name for every worker of this process: /healthz and `enqueue --wait` count processes by it.
  const name = workerProcessName();
  const base = {
    connection: deps.redis,
    prefix: deps.keys.bullPrefix,
    metrics,
    name,
    ...STALL_SETTINGS,
    ...opts.stall,
  };
  const handlers = { ...jobHandlers(deps, opts.out), ...opts.handlers };
  const configured = opts.concurrency ?? deps.worker.concurrency;
  const workers = (Object.entries(QUEUE_SETTINGS) as Array<[QueueName, (typeof QUEUE_SETTINGS)[QueueName]]>).map(
    ([queue, settings]) => {
      const concurrency = settings.concurrency === 'configured' ? configured : settings.concurrency;
      // The ad set and watch jobs are step machines that resume safely where they stopped, so a worker that
      // crashes again and again must not make them fail as "stalled": their protection has to finish.
      const stalls = settings.resumable ? { maxStalledCount: RESUMABLE_MAX_STALLED } : {};
      const worker = new Worker(queue, withErrorPolicy(queueProcessor(queue, handlers), deps.secrets), {
        ...base,
        ...stalls,
        concurrency,
      });
      worker.on('error', (err) => deps.logger.error({ queue, err }, 'worker error'));
      worker.on('failed', (job, err) => {
        const kind = classifyJobError(err);
        const facts = { queue, jobId: job?.id, attemptsMade: job?.attemptsMade, kind, err };
        if (kind === 'programming') deps.logger.error(facts, 'job failed on a programming error; not retried');
        else deps.logger.warn(facts, 'job attempt failed');
      });
      if (queue === JOBS.updateAdset.queue) {
        worker.on('completed', (job) => {
          rerunFinishedFinalizer(deps, job).catch((err: unknown) =>
            deps.logger.warn({ err }, 'could not re-run the finalizer'),
          );
        });
      }
      return worker;
    },
  );
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
    deps.logger.info(
      { runId: (job.data as { runId?: string }).runId, adsetJob: job.id },
      'late retry: report will be brought up to date',
    );
  } catch {
    // Another child already re-queued it.
  }
}
