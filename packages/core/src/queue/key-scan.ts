import type { Redis } from 'ioredis';
import { Keyspace } from './keys';

/** Every key of a deployment prefix (`{prefix}:*`), found with SCAN so Redis is never blocked. */
export async function keysOfPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', new Keyspace(prefix).all, 'COUNT', 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return out;
}

/** Deletes every key of a prefix (the demo, the tests and the benchmark clean up with it). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  const keys = await keysOfPrefix(redis, prefix);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  return keys.length;
}
