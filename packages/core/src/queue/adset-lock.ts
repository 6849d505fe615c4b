import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keyspace } from './keys';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A per-ad-set lock so that two runs never interleave a read-modify-write of one ad set. The holder is
 * identified by a token, so a lock that expired and was taken by someone else is never released by
 * the old holder. Expiry bounds the damage of a crashed worker.
 */
export class AdsetLocks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Returns the lock token, or undefined when another job holds the ad set. */
  async acquire(adsetId: string, ttlMs: number, token: string = randomUUID()): Promise<string | undefined> {
    const ok = await this.redis.set(this.keys.adsetLock(adsetId), token, 'PX', ttlMs, 'NX');
    if (ok === 'OK') return token;
    // The same job coming back (after its delayed verify step) already holds it.
    const holder = await this.redis.get(this.keys.adsetLock(adsetId));
    return holder === token ? token : undefined;
  }

  async extend(adsetId: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND, 1, this.keys.adsetLock(adsetId), token, String(ttlMs))) === 1;
  }

  async release(adsetId: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.adsetLock(adsetId), token);
  }
}
