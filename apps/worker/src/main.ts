import {
  ConfigError,
  assertRedisReachable,
  configSecrets,
  createLogger,
  loadConfig,
  loadDotEnv,
  workerConnection,
} from '@closrads/core';
import { createWorkerDeps } from './deps';
import { startWorkers } from './workers';

/** `pnpm worker`: runs every queue's worker until SIGTERM/SIGINT, then drains and exits 0. */
async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig(['log', 'redis', 'campaigns', 'closrtech', 'facebook', 'worker', 'notify']);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`worker: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({
    level: config.log.level,
    name: 'worker',
    secrets: configSecrets(config),
  });
  try {
    await assertRedisReachable(config.redis.url);
  } catch (err) {
    process.stderr.write(`worker: ${(err as Error).message}\n`);
    process.exit(2);
  }
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
  });
  logger.info(
    { concurrency: config.worker.concurrency, campaigns: config.campaigns.list.filter((c) => c.enabled).map((c) => c.name), prefix: config.redis.prefix },
    'worker started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing in-flight jobs');
    const force = setTimeout(() => {
      logger.error('in-flight jobs did not finish in 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    await running.close();
    await Promise.all([deps.flow.close(), ...Object.values(deps.queues).map((q) => q.close())]);
    await redis.quit();
    logger.info('worker stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

void main();
