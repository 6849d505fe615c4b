import { randomBytes } from 'node:crypto';
import {
  ALL_QUEUES,
  Keyspace,
  RunStore,
  producerConnection,
  type Campaign,
  type DashboardConfig,
  type Logger,
  type QueueName,
} from '@closrads/core';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Everything the app needs; built once by main.ts (or a test) and handed to createApp. */
export interface DashboardDeps {
  redis: Redis;
  keys: Keyspace;
  store: RunStore;
  queues: Record<QueueName, Queue>;
  flow: FlowProducer;
  config: {
    dashboard: DashboardConfig;
    /** The campaigns file: Run now offers its enabled campaigns and accepts only its names. */
    campaigns: Campaign[];
    /** DRY_RUN: the mode the Run-now form preselects. */
    dryRun: boolean;
  };
  logger: Logger;
  /** Key of the Run-now CSRF tokens; random per process unless a test fixes it. */
  csrfSecret: Buffer;
}

export interface DashboardDepsInput {
  redisUrl: string;
  prefix: string;
  config: DashboardDeps['config'];
  logger: Logger;
}

/**
 * One fail-fast producer connection shared by the queues, the flow producer and the run store: the
 * dashboard never blocks on Redis, so a request errors (and /healthz says 503) when Redis is down.
 */
export function createDashboardDeps(
  input: DashboardDepsInput,
): DashboardDeps & { ready(): Promise<void>; close(): Promise<void> } {
  const redis = producerConnection(input.redisUrl);
  redis.on('error', (err: Error) => input.logger.debug({ err: err.message }, 'redis connection error'));
  const keys = new Keyspace(input.prefix);
  const opts = { connection: redis, prefix: keys.bullPrefix };
  const queues = Object.fromEntries(ALL_QUEUES.map((name) => [name, new Queue(name, opts)])) as Record<
    QueueName,
    Queue
  >;
  const flow = new FlowProducer(opts);
  // BullMQ re-emits connection errors on every queue; unhandled, each one would print a stack trace.
  flow.on('error', () => undefined);
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  return {
    redis,
    keys,
    store: new RunStore(redis, keys),
    queues,
    flow,
    config: input.config,
    logger: input.logger,
    csrfSecret: randomBytes(32),
    // Without an offline queue, commands sent before the connection is up fail: wait for it first.
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            redis.once('ready', () => resolve());
            redis.once('end', () => reject(new Error('Redis connection closed before it was ready')));
          }),
    close: async () => {
      await Promise.all([flow.close(), ...Object.values(queues).map((q) => q.close())]);
      await redis.quit().catch(() => undefined);
    },
  };
}
