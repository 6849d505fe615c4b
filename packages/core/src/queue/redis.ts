import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ workers and queue events: `maxRetriesPerRequest: null` is required
 * for their blocking commands, and keeps commands waiting through a short Redis restart.
 */
export function workerConnection(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...opts });
}

/**
 * A connection for short-lived producers (CLI, dashboard requests): a command waits for the connection
 * to come up, but fails after one retry instead of hanging while Redis is unreachable.
 */
export function producerConnection(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 5000, ...opts });
}

/** Resolves when Redis answers PING, or rejects with a one-line reason after `timeoutMs`. */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${safeRedisUrl(url)} (${(err as Error).message})`);
  } finally {
    probe.disconnect();
  }
}

/** The Redis URL without its password, for messages. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured REDIS_URL';
  }
}
