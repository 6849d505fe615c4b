import type { Queue } from 'bullmq';
import { JOB_NAMES, jobOptions } from './jobs';

/** The daily run's schedule; its id is stable so re-running the scheduler upserts it. */
export const SCHEDULER_ID = 'daily-sync';
/** The demand checks between daily runs (DEMAND_CHECK_CRON). */
export const DEMAND_CHECK_SCHEDULER_ID = 'demand-check';

export interface ScheduleConfig {
  cron: string;
  tz: string;
  /** Unset: no demand checks (DEMAND_CHECK_CRON empty). */
  demandCheckCron?: string;
}

/**
 * Upserts the daily schedule and, when configured, the demand-check schedule, and removes every other
 * scheduler on the queue (schedules that are no longer configured). Idempotent across restarts and hosts.
 */
export async function applySchedule(
  planQueue: Queue,
  schedule: ScheduleConfig,
  dryRun: boolean,
): Promise<{ next?: number; nextDemandCheck?: number; removed: string[] }> {
  const { planSync } = jobOptions();
  const opts = {
    attempts: planSync.attempts,
    backoff: planSync.backoff,
    removeOnComplete: planSync.removeOnComplete,
    removeOnFail: planSync.removeOnFail,
  };
  const job = await planQueue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: schedule.cron, tz: schedule.tz },
    { name: JOB_NAMES.scheduledSync, data: { dryRun }, opts },
  );
  const configured = new Set([SCHEDULER_ID]);
  if (schedule.demandCheckCron) {
    // A check that fails is not retried: the next one is at most one interval away and reads afresh.
    await planQueue.upsertJobScheduler(
      DEMAND_CHECK_SCHEDULER_ID,
      { pattern: schedule.demandCheckCron, tz: schedule.tz },
      { name: JOB_NAMES.demandCheck, data: { dryRun }, opts: { ...opts, attempts: 1 } },
    );
    configured.add(DEMAND_CHECK_SCHEDULER_ID);
  }
  const removed: string[] = [];
  for (const scheduler of await planQueue.getJobSchedulers(0, -1)) {
    const id = scheduler.id ?? scheduler.key;
    if (!configured.has(id) && (await planQueue.removeJobScheduler(id))) removed.push(id);
  }
  const scheduled = await planQueue.getJobScheduler(SCHEDULER_ID);
  const demandCheck = schedule.demandCheckCron ? await planQueue.getJobScheduler(DEMAND_CHECK_SCHEDULER_ID) : undefined;
  return {
    next: scheduled?.next ?? (job?.timestamp !== undefined ? job.timestamp + (job.delay ?? 0) : undefined),
    nextDemandCheck: demandCheck?.next,
    removed,
  };
}
