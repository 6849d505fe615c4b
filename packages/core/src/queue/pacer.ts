import type { Redis } from 'ioredis';
import type { UsageReading } from '../clients/usage';
import type { Keyspace } from './keys';

/** Usage above which calls to an ad account are spread out, and above which they stop. */
const SLOW_DOWN_AT = 75;
const STOP_AT = 95;
/** Longest pause applied from usage alone (throttling errors give their own wait). */
const MAX_SLOWDOWN_MS = 5000;
/** Meta allows 100 mutations per second per ad account; stay clearly under it. */
export const MAX_WRITES_PER_SECOND = 90;

/**
 * Paces calls per ad account from Meta's usage headers, shared by every worker through Redis:
 * slows down as usage nears the limit, stops before it, and after a throttling error waits the time
 * Meta gives before that account is called again. Other ad accounts are not affected.
 */
export class AccountPacer {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** How long to wait before the next call to this ad account (0 = go now). */
  async waitMs(adAccountId: string, now = Date.now()): Promise<number> {
    const state = await this.redis.hmget(this.keys.accountPace(adAccountId), 'pausedUntil', 'percent', 'at');
    const pausedUntil = Number(state[0] ?? 0);
    if (pausedUntil > now) return pausedUntil - now;
    const percent = Number(state[1] ?? 0);
    const at = Number(state[2] ?? 0);
    // A reading is only meaningful for a short while: usage decays as Meta's window slides.
    if (now - at > 10_000 || percent < SLOW_DOWN_AT) return 0;
    if (percent >= STOP_AT) return MAX_SLOWDOWN_MS;
    return Math.round(((percent - SLOW_DOWN_AT) / (STOP_AT - SLOW_DOWN_AT)) * MAX_SLOWDOWN_MS * 0.5);
  }

  /** Records the usage an answer reported; a reading that says "blocked" pauses the account. */
  async record(reading: UsageReading, now = Date.now()): Promise<void> {
    if (!reading.adAccountId) return;
    const key = this.keys.accountPace(reading.adAccountId);
    const multi = this.redis.multi().hset(key, 'percent', String(reading.percent), 'at', String(now));
    if (reading.waitMs > 0) multi.hset(key, 'pausedUntil', String(now + reading.waitMs));
    await multi.expire(key, 3600).exec();
  }

  /** After a throttling error: no call to this account before `ms` from now. */
  async pause(adAccountId: string, ms: number, now = Date.now()): Promise<void> {
    const key = this.keys.accountPace(adAccountId);
    const current = Number((await this.redis.hget(key, 'pausedUntil')) ?? 0);
    const until = Math.max(current, now + ms);
    await this.redis.multi().hset(key, 'pausedUntil', String(until)).expire(key, 3600).exec();
  }

  /**
   * Takes a slot for one write to the account in the current second. Returns 0 when granted, or the
   * milliseconds until the next second when the account already had its share.
   */
  async takeWriteSlot(adAccountId: string, now = Date.now()): Promise<number> {
    const second = Math.floor(now / 1000);
    const key = this.keys.accountWrites(adAccountId, second);
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, 5).exec()) as [[unknown, number]];
    return count <= MAX_WRITES_PER_SECOND ? 0 : (second + 1) * 1000 - now;
  }
}
