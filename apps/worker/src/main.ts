import { parseCommand, startProcess, workerConnection } from '@closrads/core';
import { createWorkerDeps } from './deps';
import { startWorkers } from './workers';

/** The grace in-flight jobs get after a stop signal before the process exits 1 anyway. */
const SHUTDOWN_GRACE_MS = 25_000;

/** `pnpm worker`: runs every queue's worker until SIGTERM/SIGINT, then drains and exits 0. */
async function main(): Promise<void> {
  parseCommand({
    name: 'worker',
    usage: 'pnpm worker',
    summary:
      'Runs every BullMQ worker of closrads (plan-sync, update-adset, finalize-report, deliver-report) until\n' +
      `SIGTERM or SIGINT, then stops taking jobs, lets in-flight jobs finish (at most ${SHUTDOWN_GRACE_MS / 1000} s) and exits.\n` +
      'It also stops when the process that launched it (pnpm) exits. Logs are JSON lines on stdout\n' +
      '(LOG_FORMAT=pretty, or a terminal: human-readable); run reports are printed to stderr.',
    options: {},
    exitCodes: [
      [0, 'stopped cleanly after a signal'],
      [1, `in-flight jobs did not finish within ${SHUTDOWN_GRACE_MS / 1000} s of the signal`],
      [2, 'invalid configuration or Redis unreachable (one line on stderr per problem)'],
    ],
    notes: 'Configuration: environment variables and .env (see README.md, Configuration).',
  });
  const { config, logger, onStop } = await startProcess({
    name: 'worker',
    sections: ['redis', 'campaigns', 'closrtech', 'facebook', 'worker', 'notify'],
    probeRedis: true,
  });
  const redis = workerConnection(config.redis.url);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  const deps = createWorkerDeps({
    redis,
    prefix: config.redis.prefix,
    campaigns: config.campaigns.list,
    closrtech: config.closrtech,
    facebook: config.facebook,
    worker: config.worker,
    notify: config.notify,
    logger,
    httpTimeoutMs: config.worker.httpTimeoutMs,
  });
  const running = startWorkers(deps, {
    stall: { lockDuration: config.worker.lockDurationMs, stalledInterval: config.worker.stalledIntervalMs },
    // stdout carries log lines only; the text report a person reads goes to stderr.
    out: (text) => process.stderr.write(`${text}\n`),
  });
  logger.info(
    {
      concurrency: config.worker.concurrency,
      campaigns: config.campaigns.list.filter((c) => c.enabled).map((c) => c.name),
      prefix: config.redis.prefix,
    },
    'worker started',
  );

  onStop(async (signal) => {
    logger.info({ signal }, 'stopping: finishing in-flight jobs');
    const force = setTimeout(() => {
      logger.error(`in-flight jobs did not finish in ${SHUTDOWN_GRACE_MS / 1000} s; exiting`);
      logger.flush();
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await running.close();
    await Promise.all([deps.flow.close(), ...Object.values(deps.queues).map((q) => q.close())]);
    await redis.quit();
    logger.info('worker stopped');
  });
}

void main();
