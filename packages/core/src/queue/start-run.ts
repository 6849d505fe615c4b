import type { FlowJob, FlowProducer } from 'bullmq';
import { RunNotStartedError, redisRefusal } from '../errors';
import type { RunStore } from '../report/run-store';
import type { RunTrigger } from '../report/types';
import {
  JOB_NAMES,
  QUEUES,
  jobIds,
  jobOptions,
  type FinalizeReportData,
  type PlanSyncData,
  type RetryTiming,
} from './jobs';
import { newRunId } from './run-id';

export interface StartRunRequest {
  trigger: RunTrigger;
  dryRun: boolean;
  /** Campaign names; empty = every enabled campaign. */
  campaigns: string[];
  /** Campaign names run past their guardrails this once (`--approve`, the dashboard's Approve). */
  approve?: string[];
  /** Given for scheduled runs (derived from the scheduler's job); new otherwise. */
  runId?: string;
  at?: Date;
  /** For an undo run (trigger `undo`): the run whose changes it puts back. */
  undoOf?: string;
}

/**
 * Starts a run: one BullMQ flow whose parent, `finalize-report`, waits for `plan-sync`; planning then
 * adds one `update-adset` job per ad set under the same parent. Job ids derive from the run id, so
 * starting the same run twice (a retried scheduler tick) is a no-op.
 * All or nothing: the run's record and its flow are each one Redis transaction, and when the flow is
 * refused (Redis out of memory) the record is taken back, so no run is left "in progress" for the
 * whole retention time. Throws RunNotStartedError with Redis's reason.
 */
export async function startRun(
  deps: { flow: FlowProducer; store: RunStore; timing?: RetryTiming },
  req: StartRunRequest,
): Promise<string> {
  const at = req.at ?? new Date();
  const runId = req.runId ?? newRunId(at);
  const requestedAt = at.getTime();
  const opts = jobOptions(deps.timing);
  const undo = req.undoOf ? { undoOf: req.undoOf } : {};
  try {
    await deps.store.recordStart({
      runId,
      trigger: req.trigger,
      dryRun: req.dryRun,
      campaigns: req.campaigns,
      startedAt: at.toISOString(),
      ...undo,
    });
  } catch (err) {
    throw new RunNotStartedError(`Redis refused to start run ${runId}: ${redisRefusal(err)}`);
  }
  const finalizeData: FinalizeReportData = { runId, trigger: req.trigger, dryRun: req.dryRun, requestedAt };
  const planData: PlanSyncData = {
    runId,
    trigger: req.trigger,
    dryRun: req.dryRun,
    campaigns: req.campaigns,
    approve: req.approve ?? [],
    requestedAt,
    ...undo,
  };
  const flowJob: FlowJob = {
    name: JOB_NAMES.finalizeReport,
    queueName: QUEUES.finalizeReport,
    data: finalizeData,
    opts: { ...opts.finalizeReport, jobId: jobIds.finalize(runId) },
    children: [
      {
        name: JOB_NAMES.planSync,
        queueName: QUEUES.planSync,
        data: planData,
        // A planning failure must still end in a report, so it does not block the finalizer.
        opts: { ...opts.planSync, jobId: jobIds.plan(runId), ignoreDependencyOnFailure: true },
      },
    ],
  };
  try {
    // One MULTI: refused whole or written whole.
    await deps.flow.add(flowJob);
  } catch (err) {
    await deps.store.forgetStart(runId).catch(() => undefined);
    throw new RunNotStartedError(`Redis refused to start run ${runId}: ${redisRefusal(err)}`);
  }
  return runId;
}
