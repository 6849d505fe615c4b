import type { Redis } from 'ioredis';
import type { UsageReading } from '../clients/usage';
import type { Keyspace } from './keys';

/**
 * Usage band the pacer steers each ad account into: below it calls speed up, above it they slow down,
 * and at STOP_AT they wait for the usage window to reset. Meta refuses calls at 100 %.
 */
const TARGET_LOW = 85;
const TARGET_HIGH = 95;
const STOP_AT = 97;
/** A usage reading older than this says nothing about now. */
const STALE_MS = 10_000;
/** Meta allows 100 mutations per second per ad account; writes are spaced to stay under 95. */
export const MAX_WRITES_PER_SECOND = 95;
const MIN_WRITE_SPACING_MS = Math.ceil(1000 / MAX_WRITES_PER_SECOND);
/** How far from its reserved moment a parked caller may come back and still use it. */
const RESERVATION_GRACE_MS = 1000;
/** Moments further ahead than this are not reserved (see ACQUIRE). */
const RESERVATION_HORIZON_MS = 1500;
/** Spacing below this is dropped: the account is treated as unlimited again. */
const MIN_SPACING_MS = 2;
/** Spacing never grows past this from usage alone (throttling errors give their own wait). */
const MAX_SPACING_MS = 60_000;

/**
 * Paces calls per ad account, shared by every worker through Redis, from what Meta says:
 * - every call reserves the next free moment of its account (`nextAt`), moments being `spacing` ms
 *   apart, so parked jobs wake one after another instead of all at once;
 * - `spacing` follows the usage headers: it shrinks while usage stays under 85 %, grows above 95 %,
 *   and calls wait for the window to reset at 97 %;
 * - after a throttling error the account is paused for the time Meta gives, and its spacing set from
 *   the rate that was refused (halved);
 * - writes are never closer than 1/95 s.
 * Other ad accounts are never affected.
 */
export class AccountPacer {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /**
   * Reserves the next moment this ad account may be called. `waitMs` 0: call now. Otherwise wait
   * `waitMs`; when `reserved`, the moment is the caller's and it calls then without asking again,
   * else (the next free moment is too far ahead to hold) it asks again then.
   */
  async acquire(
    adAccountId: string,
    opts: { write?: boolean; reservedAt?: number } = {},
    now = Date.now(),
  ): Promise<{ waitMs: number; reserved: boolean }> {
    const wait = (await this.redis.eval(
      ACQUIRE,
      1,
      this.keys.accountPace(adAccountId),
      String(now),
      String(opts.write ? MIN_WRITE_SPACING_MS : 0),
      String(STOP_AT),
      String(STALE_MS),
      String(RESERVATION_HORIZON_MS),
      String(opts.reservedAt ?? 0),
      String(RESERVATION_GRACE_MS),
    )) as number;
    // A negative answer means "nothing reserved, look again then".
    return wait < 0 ? { waitMs: -wait + Math.floor(Math.random() * 100), reserved: false } : { waitMs: wait, reserved: wait > 0 };
  }

  /** Steers the account's spacing from the usage an answer reported. */
  async record(reading: UsageReading, now = Date.now()): Promise<void> {
    if (!reading.adAccountId) return;
    await this.redis.eval(
      RECORD,
      1,
      this.keys.accountPace(reading.adAccountId),
      String(now),
      String(reading.percent),
      String(reading.resetMs),
      String(reading.waitMs),
      String(TARGET_LOW),
      String(TARGET_HIGH),
      String(MIN_SPACING_MS),
      String(MAX_SPACING_MS),
    );
  }

  /**
   * After a throttling error: no call to this account before `ms` from now, and a spacing that halves
   * the rate that was refused. Refusals of one burst count once.
   */
  async throttled(adAccountId: string, ms: number, now = Date.now()): Promise<void> {
    await this.redis.eval(THROTTLED, 1, this.keys.accountPace(adAccountId), String(now), String(now + ms), String(MAX_SPACING_MS));
  }
}

/**
 * ARGV: now, minimum spacing for this call, stop level, staleness, horizon, the caller's reserved
 * moment (0 if none), grace. Returns the wait in ms (negative: nothing reserved, ask again then).
 * The reservation starts after any pause and, at the stop level, after the usage window resets.
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'pausedUntil', 'percent', 'at', 'resetMs', 'spacing', 'nextAt', 'lastCall', 'lastWrite')
local pausedUntil = tonumber(h[1] or '0')
local percent = tonumber(h[2] or '0')
local at = tonumber(h[3] or '0')
local resetMs = tonumber(h[4] or '0')
local spacing = tonumber(h[5] or '0')
local nextAt = tonumber(h[6] or '0')
local lastCall = tonumber(h[7] or '0')
local lastWrite = tonumber(h[8] or '0')
local writeSpacing = tonumber(ARGV[2])
-- A caller back at its reserved moment goes, unless the account was paused since.
local reservedAt = tonumber(ARGV[6])
if reservedAt > 0 and math.abs(now - reservedAt) <= tonumber(ARGV[7]) and pausedUntil <= now then return 0 end
local slot = math.max(now, pausedUntil)
if percent >= tonumber(ARGV[3]) and now - at <= tonumber(ARGV[4]) then slot = math.max(slot, at + resetMs) end
if spacing > 0 then slot = math.max(slot, nextAt, lastCall + spacing) end
if writeSpacing > 0 then slot = math.max(slot, lastWrite + writeSpacing) end
-- Reserve only near moments: a reservation far ahead would keep a spacing that may since have
-- shrunk. Callers further back look again later.
if slot - now > tonumber(ARGV[5]) then return -(tonumber(ARGV[5])) end
redis.call('HSET', KEYS[1], 'nextAt', tostring(slot + spacing), 'lastCall', tostring(slot))
if writeSpacing > 0 then redis.call('HSET', KEYS[1], 'lastWrite', tostring(slot)) end
redis.call('EXPIRE', KEYS[1], 3600)
return slot - now`;

/**
 * Lua helper: the spacing that would have let the calls answered within the last `windowMs` fit the
 * window, with 15 % to spare: `windowMs / okCalls * 1.15`. Answered calls are counted per 100 ms
 * (for windows up to 5 minutes).
 */
const ESTIMATE = `
local function estimate(key, now, windowMs)
  local bucket = math.floor(now / 100)
  local n = 0
  for i = 0, math.min(3000, math.max(1, math.ceil(windowMs / 100))) - 1 do
    n = n + tonumber(redis.call('HGET', key, 'ok:' .. tostring(bucket - i)) or '0')
  end
  return windowMs / math.max(1, n) * 1.15
end
`;

/** ARGV: now, percent, resetMs, waitMs, target low, target high, min spacing, max spacing. */
const RECORD = `${ESTIMATE}
local now = tonumber(ARGV[1])
local percent = tonumber(ARGV[2])
local resetMs = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'percent', ARGV[2], 'at', ARGV[1], 'resetMs', ARGV[3])
if tonumber(ARGV[4]) > 0 then
  local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
  if now + tonumber(ARGV[4]) > paused then redis.call('HSET', KEYS[1], 'pausedUntil', tostring(now + tonumber(ARGV[4]))) end
elseif percent < 100 then
  local bucket = math.floor(now / 100)
  redis.call('HINCRBY', KEYS[1], 'ok:' .. tostring(bucket), 1)
  redis.call('HDEL', KEYS[1], 'ok:' .. tostring(bucket - 3001))
end
local spacing = tonumber(redis.call('HGET', KEYS[1], 'spacing') or '0')
-- Refusals are handled once per burst by THROTTLED; otherwise adjust at most once per spacing, so a
-- burst of answers does not compound one adjustment many times.
local adjustedAt = tonumber(redis.call('HGET', KEYS[1], 'adjustedAt') or '0')
if tonumber(ARGV[4]) > 0 or now - adjustedAt < math.max(spacing, 50) then
  redis.call('EXPIRE', KEYS[1], 3600)
  return 0
end
redis.call('HSET', KEYS[1], 'adjustedAt', ARGV[1])
if percent >= tonumber(ARGV[6]) then
  -- Near the limit: start from what fitted the window so far, then back off gently.
  if spacing <= 0 and resetMs > 0 then spacing = estimate(KEYS[1], now, resetMs) else spacing = spacing * 1.1 end
  spacing = math.min(spacing, tonumber(ARGV[8]))
elseif percent < tonumber(ARGV[5]) and spacing > 0 then
  -- Under the band: speed up, gently (usage also reads low right after a pause).
  spacing = spacing * 0.97
  if spacing < tonumber(ARGV[7]) then spacing = 0 end
end
redis.call('HSET', KEYS[1], 'spacing', tostring(spacing))
redis.call('EXPIRE', KEYS[1], 3600)
return 1`;

/** ARGV: now, pause until, max spacing. */
const THROTTLED = `${ESTIMATE}
local now = tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if tonumber(ARGV[2]) > paused then redis.call('HSET', KEYS[1], 'pausedUntil', ARGV[2]) end
local cutUntil = tonumber(redis.call('HGET', KEYS[1], 'cutUntil') or '0')
if cutUntil <= now then
  -- The calls answered within the blocked window are what the budget holds per window.
  local spacing = tonumber(redis.call('HGET', KEYS[1], 'spacing') or '0')
  spacing = math.max(spacing * 1.25, estimate(KEYS[1], now, tonumber(ARGV[2]) - now))
  spacing = math.min(spacing, tonumber(ARGV[3]))
  redis.call('HSET', KEYS[1], 'spacing', tostring(spacing), 'cutUntil', ARGV[2], 'nextAt', ARGV[2])
end
redis.call('EXPIRE', KEYS[1], 3600)
return 1`;
