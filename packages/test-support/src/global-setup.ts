import type { TestProject } from 'vitest/node';
import { ensureRedis, type AvailableRedis } from './private-redis';

let redis: AvailableRedis | undefined;

/** Uses the Redis at REDIS_URL (default 127.0.0.1:6379), or starts a private redis-server for the run. */
export async function setup(project: TestProject): Promise<void> {
  redis = await ensureRedis(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
