import type { Queue } from 'bullmq';
import { JOB_NAMES, jobOptions } from './jobs';

/** The one schedule the product keeps; its id is stable so re-running the scheduler upserts it. */
export const SCHEDULER_ID = 'daily-sync';

/**
 * Upserts the repeatable schedule and removes every other scheduler on the queue (schedules that are no
 * longer configured). Idempotent across restarts and hosts.
 */
export async function applySchedule(
  planQueue: Queue,
  schedule: { cron: string; tz: string },
  dryRun: boolean,
): Promise<{ next?: number; removed: string[] }> {
  const { planSync } = jobOptions();
  const job = await planQueue.upsertJobScheduler(
    SCHEDULER_ID,
    { pattern: schedule.cron, tz: schedule.tz },
    { name: JOB_NAMES.scheduledSync, data: { dryRun }, opts: { attempts: planSync.attempts, backoff: planSync.backoff, removeOnComplete: planSync.removeOnComplete, removeOnFail: planSync.removeOnFail } },
  );
  const removed: string[] = [];
  for (const scheduler of await planQueue.getJobSchedulers(0, -1)) {
    const id = scheduler.id ?? scheduler.key;
    if (id !== SCHEDULER_ID && (await planQueue.removeJobScheduler(id))) removed.push(id);
  }
  const scheduled = await planQueue.getJobScheduler(SCHEDULER_ID);
  return { next: scheduled?.next ?? (job?.timestamp !== undefined ? job.timestamp + (job.delay ?? 0) : undefined), removed };
}
