import { Keyspace, QUEUES, applySchedule, parseCommand, producerConnection, startProcess } from '@closrads/core';
import { Queue } from 'bullmq';

/**
 * `pnpm scheduler`: upserts the daily schedule (SYNC_CRON, SYNC_TZ) and the demand checks
 * (DEMAND_CHECK_CRON) under stable ids, removes schedules no longer configured, prints the next run and
 * exits. Running it again, or on several hosts, leaves exactly one of each.
 */
async function main(): Promise<void> {
  parseCommand({
    name: 'scheduler',
    usage: 'pnpm scheduler',
    summary:
      'Upserts the repeatable schedule of the daily sync (SYNC_CRON, SYNC_TZ; runs take DRY_RUN as it is now)\n' +
      'under a stable id, removes schedules that are no longer configured, prints the next run and exits.\n' +
      'Idempotent: running it twice, or on several hosts, leaves exactly one schedule.',
    options: {},
    exitCodes: [
      [0, 'the schedule is in place'],
      [2, 'invalid configuration or Redis unreachable (one line on stderr)'],
    ],
    notes: 'Configuration: environment variables and .env (see README.md, Configuration).',
  });
  const { config, logger } = await startProcess({
    name: 'scheduler',
    sections: ['redis', 'schedule', 'dryRun'],
    dryRunWarning: 'DRY RUN MODE: scheduled runs will make no change on Facebook (set DRY_RUN=false to go live)',
    probeRedis: true,
  });
  const redis = producerConnection(config.redis.url);
  const keys = new Keyspace(config.redis.prefix);
  const queue = new Queue(QUEUES.planSync, { connection: redis, prefix: keys.bullPrefix });
  try {
    const { next, nextDemandCheck, removed } = await applySchedule(queue, config.schedule, config.dryRun);
    const iso = (ms?: number) => (ms ? new Date(ms).toISOString() : undefined);
    logger.info(
      { cron: config.schedule.cron, tz: config.schedule.tz, dryRun: config.dryRun, next: iso(next), removed },
      'schedule in place',
    );
    if (config.schedule.demandCheckCron) {
      logger.info({ cron: config.schedule.demandCheckCron, next: iso(nextDemandCheck) }, 'demand checks in place');
    } else {
      logger.info('demand checks off (DEMAND_CHECK_CRON is empty)');
    }
  } finally {
    await queue.close();
    await redis.quit().catch(() => undefined);
  }
  logger.flush();
}

void main();
