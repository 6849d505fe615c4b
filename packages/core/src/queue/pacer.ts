import type { Redis } from 'ioredis';
import type { UsageReading } from '../clients/usage';
import type { Keyspace } from './keys';

/** Usage above which calls to an ad account are spread out, and above which they stop. */
const SLOW_DOWN_AT = 75;
const STOP_AT = 95;
/** A usage reading older than this says nothing about now. */
const STALE_MS = 10_000;
/** Shortest pause once usage reached the stop level, so calls do not spin on a stale reading. */
const MIN_STOP_MS = 100;
/** Meta allows 100 mutations per second per ad account; stay clearly under it. */
export const MAX_WRITES_PER_SECOND = 90;
/** Ceiling of the learned call rate; above it the account is treated as unlimited again. */
const MAX_LEARNED_RATE = 200;
/** Added to the learned rate after each answer that shows comfortable usage. */
const RATE_STEP = 0.25;

/**
 * Paces calls per ad account, shared by every worker through Redis, from what Meta says:
 * - after a throttling error, no call before the time Meta gives, and from then on a call rate per
 *   second learned from experience (halved at each throttle, raised slowly while usage stays low);
 * - from the usage headers, slowing down as usage nears its limit and stopping before it;
 * - writes kept under 100 per second.
 * Other ad accounts are never affected.
 */
export class AccountPacer {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /**
   * Takes a slot for one call to the ad account. Returns 0 when the call may go now, or how long to
   * wait before asking again. With `slot: false` it only checks pauses and usage, taking no slot.
   */
  async acquire(adAccountId: string, opts: { write?: boolean; slot?: boolean } = {}, now = Date.now()): Promise<number> {
    const key = this.keys.accountPace(adAccountId);
    const [pausedRaw, percentRaw, atRaw, resetRaw, rateRaw] = await this.redis.hmget(key, 'pausedUntil', 'percent', 'at', 'resetMs', 'rate');
    const pausedUntil = Number(pausedRaw ?? 0);
    if (pausedUntil > now) return pausedUntil - now + spread();
    const usageWait = waitFromUsage(Number(percentRaw ?? 0), Number(atRaw ?? 0), Number(resetRaw ?? 0), now);
    if (usageWait > 0) return usageWait;

    if (opts.slot === false) return 0;
    const rate = Number(rateRaw ?? 0);
    const limit = Math.min(rate > 0 ? Math.floor(rate) : Infinity, opts.write ? MAX_WRITES_PER_SECOND : Infinity);
    if (limit === Infinity) return 0;
    const second = Math.floor(now / 1000);
    const slotKey = this.keys.accountWrites(adAccountId, second);
    const [[, count]] = (await this.redis.multi().incr(slotKey).expire(slotKey, 5).exec()) as [[unknown, number]];
    return count <= Math.max(1, limit) ? 0 : (second + 1) * 1000 - now + spread();
  }

  /** Records the usage an answer reported; comfortable usage slowly raises the learned rate. */
  async record(reading: UsageReading, now = Date.now()): Promise<void> {
    if (!reading.adAccountId) return;
    const key = this.keys.accountPace(reading.adAccountId);
    const multi = this.redis.multi().hset(key, 'percent', String(reading.percent), 'at', String(now), 'resetMs', String(reading.resetMs));
    if (reading.waitMs > 0) multi.hset(key, 'pausedUntil', String(now + reading.waitMs));
    await multi.expire(key, 3600).exec();
    if (reading.percent < SLOW_DOWN_AT) await this.redis.eval(RAISE_RATE, 1, key, String(RATE_STEP), String(MAX_LEARNED_RATE));
  }

  /**
   * After a throttling error: no call to this account before `ms` from now, and half the call rate
   * (the first throttle sets it to half of what went through in the current second).
   */
  async throttled(adAccountId: string, ms: number, now = Date.now()): Promise<void> {
    const key = this.keys.accountPace(adAccountId);
    const recent = Number((await this.redis.get(this.keys.accountWrites(adAccountId, Math.floor(now / 1000)))) ?? 0);
    await this.redis.eval(THROTTLED, 1, key, String(now + ms), String(Math.max(1, Math.floor(recent / 2))), String(now));
  }
}

/** Raise the learned rate while usage is comfortable; drop the limit when it grows large. */
const RAISE_RATE = `
local rate = tonumber(redis.call('HGET', KEYS[1], 'rate') or '0')
if rate <= 0 then return 0 end
rate = rate + tonumber(ARGV[1])
if rate >= tonumber(ARGV[2]) then redis.call('HDEL', KEYS[1], 'rate') else redis.call('HSET', KEYS[1], 'rate', tostring(rate)) end
return 1`;

/**
 * Pause until ARGV[1] (never shortening a longer pause) and halve the rate (or start it at ARGV[2]).
 * Refusals that arrive while the account is already paused come from the same burst: the rate is
 * halved once per pause, not once per refusal.
 */
const THROTTLED = `
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
local now = tonumber(ARGV[3])
if tonumber(ARGV[1]) > paused then redis.call('HSET', KEYS[1], 'pausedUntil', ARGV[1]) end
local cutUntil = tonumber(redis.call('HGET', KEYS[1], 'rateCutUntil') or '0')
if cutUntil <= now then
  local rate = tonumber(redis.call('HGET', KEYS[1], 'rate') or '0')
  if rate > 0 then rate = math.max(1, rate / 2) else rate = tonumber(ARGV[2]) end
  redis.call('HSET', KEYS[1], 'rate', tostring(rate), 'rateCutUntil', ARGV[1])
end
redis.call('EXPIRE', KEYS[1], 3600)
return 1`;

/**
 * Until the end of the usage window when usage is at the stop level; a share of it, growing with
 * usage, between the slow-down and stop levels; nothing once that window has reset.
 */
function waitFromUsage(percent: number, at: number, resetMs: number, now: number): number {
  if (now - at > STALE_MS || percent < SLOW_DOWN_AT) return 0;
  const untilReset = at + resetMs - now;
  if (untilReset <= 0) return 0;
  if (percent >= STOP_AT) return Math.max(untilReset, MIN_STOP_MS) + spread();
  return Math.round(((percent - SLOW_DOWN_AT) / (STOP_AT - SLOW_DOWN_AT)) * untilReset * 0.5);
}

/** A little jitter so parked jobs do not all wake in the same millisecond. */
function spread(): number {
  return Math.floor(Math.random() * 50);
}
