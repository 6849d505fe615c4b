import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { deletePrefix, keysOfPrefix } from '@closrads/core';

/** The Redis every integration test uses (the integration and e2e layers' global setup provides it). */
export function testRedisUrl(): string {
  const url = inject('redisUrl');
  if (!url)
    throw new Error(
      'no Redis in this layer: a test that uses Redis belongs to the integration layer (vitest.config.ts)',
    );
  return url;
}

/** A key prefix of the test's own, so tests never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** Every key under a prefix (`{prefix}:*`). */
export const keysUnder = keysOfPrefix;

/** Deletes every key under a prefix: tests clean up after themselves. */
export async function deleteUnder(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    await deletePrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
