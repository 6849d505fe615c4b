import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { ABUSE_PAUSE_MS, throttleKind, type ThrottleKind } from '../clients/graph-errors';
import { GraphApiError } from '../errors';
import { READ_POINTS, WRITE_POINTS, type UsageReading } from '../clients/usage';
import type { WriteMoment } from '../clients/graph';
import { KEY_TTL_S, type Keyspace } from './keys';
import { runLua } from './lua-script';

/**
 * Usage, as Meta reports it, is a score in percent that calls raise and time drains
 * (meta-graph-api.md §7): reads cost 1 point, writes 3, and the score decays over 300 s. The pacer
 * keeps a model of that score per ad account (see `record` and `acquire`): every moment it gives
 * spends a job's points in the model at that moment, so calls in flight and moments reserved for
 * parked jobs count before Meta has answered them, and a moment is given only when the model stays
 * under BUDGET_TARGET %. Meta refuses past 100 %, then blocks the account.
 */
const BUDGET_TARGET = 97;
/** Under this usage, a spacing left by a throttling error shrinks again. */
const SLOW_FROM = 75;
/**
 * Meta's ad-account score decays over 300 s (meta-graph-api.md §7). With only the BUC header, which
 * gives no reset time, the score is taken to drain this long from 100 % to 0. Assumption: it drains
 * evenly (Meta does not say how it decays).
 */
const DECAY_MS = 300_000;
/** What an ad set job spends on its account's score: its write (Meta: a write is 3 points). */
export const JOB_POINTS = WRITE_POINTS;
/**
 * A job that parks reads its ad set again when it comes back (the listing's copy is old by then, see
 * FRESH_READ_MS in the ad set job): its moment counts that read too, and the next read answered is
 * taken for it. Reads owed that way are forgotten after OWED_READS_FOR_MS without a moment ahead or an answer.
 */
const PARKED_READ_POINTS = READ_POINTS;
const OWED_READS_FOR_MS = 60_000;
/**
 * Points answered before the learned percent per point replaces the first guess: Meta's whole
 * percentages make a guess from a few points up to 1/n % per point off either way.
 */
const LEARN_AFTER_POINTS = 30;
/** Meta allows 100 mutations per second per ad account: writes are sent at least 11 ms apart (91/s). */
export const MAX_WRITES_PER_SECOND = 91;
const WRITE_SPACING_MS = Math.ceil(1000 / MAX_WRITES_PER_SECOND);
/**
 * A write that reaches its moment this late takes a new one (see beforeWrite): with moments 1/91 s
 * apart, late writes bunching with on-time ones stay under Meta's 100 per second.
 */
export const LATE_WRITE_MS = 50;
/** Moments one write takes at most before it goes anyway (a machine too busy to keep any). */
const MAX_WRITE_MOMENTS = 4;
/** How far from its reserved moment a parked caller may come back and still use it. */
const RESERVATION_GRACE_MS = 1000;
/** Waits this short are spent in place by callers (not parked), so their moments are not kept for a return. */
export const IN_PLACE_WAIT_MS = 100;
/** A reserved moment nobody came back for this long after it is forgotten. */
const ABANDONED_AFTER_MS = 300_000;
/** Jobs reserved during a pause come back at least this far apart, not all at its end. */
const RESUME_SPACING_MS = WRITE_SPACING_MS;
/** A write finding its account paused waits in place this long at most; beyond, its job parks. */
export const PAUSE_WAIT_IN_PLACE_MS = 1000;
/** Spacing below this is dropped: the account is treated as unlimited again. */
const MIN_SPACING_MS = 2;
/** The spacing a throttling error sets never grows past this (the error gives its own pause). */
const MAX_SPACING_MS = 60_000;
/** Pacing state not touched for this long is dropped. */
const STATE_TTL_S = KEY_TTL_S.pacer;

export interface PacerOptions {
  /** The clock (tests drive it). */
  now?: () => number;
  /** How waits in this process are spent (tests advance their clock instead). */
  sleep?: (ms: number) => Promise<void>;
}

/** What stops where after a throttling error (see `throttleKind` in graph-errors). */
export type ThrottleTarget = Partial<Pick<ThrottleKind, 'scope' | 'severity'>>;

/**
 * Paces calls per ad account, shared by every worker through Redis, from what Meta says:
 * - every call takes the next free moment of its account, moments being `spacing` ms apart; a caller
 *   that must wait gets its moment reserved, however far, so a parked job wakes once, at its moment;
 * - the moments follow the usage Meta reports (the ad account's `ads_management` BUC entry, and
 *   X-Ad-Account-Usage when sent): each moment spends a job's points in a model of the account's
 *   score, and none is given that would take the model past 97 %, so the account slows before a block
 *   can happen and then goes at the pace the score drains;
 * - after a throttling error the account, or every account for the app's limit, is paused for the
 *   time Meta gives; the moments reserved before a pause are void, and callers during a pause get
 *   moments after it;
 * - writes are sent at most 91 per second per account, whatever the number of workers
 *   (`beforeWrite`, right before each POST).
 * Other ad accounts are never affected, except by the app's limit.
 */
export class AccountPacer {
  private readonly clock: () => number;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    opts: PacerOptions = {},
  ) {
    this.clock = opts.now ?? Date.now;
    this.wait = opts.sleep ?? ((ms) => sleep(ms));
  }

  /**
   * Takes this ad account's next moment. `waitMs` 0: call now. Otherwise the moment `waitMs` from now
   * is reserved: come back then with `reservedAt` (the moment) and call without waiting again, unless
   * Meta paused the account in the meantime (then the answer is a new moment after the pause).
   * A wait of at most IN_PLACE_WAIT_MS is to be spent in place: that moment is not kept for a return.
   * With `write`, the calls of this job are also kept at least 1/91 s from the previous writer's.
   * A new moment spends `points` (default JOB_POINTS) of the account's score model at that moment.
   */
  async acquire(
    adAccountId: string,
    opts: { write?: boolean; reservedAt?: number; points?: number } = {},
    now = this.clock(),
  ): Promise<{ waitMs: number; reserved: boolean }> {
    const wait = (await runLua(
      this.redis,
      ACQUIRE,
      3,
      this.keys.accountPace(adAccountId),
      this.keys.accountReservations(adAccountId),
      this.keys.appPace,
      String(now),
      String(opts.write ? WRITE_SPACING_MS : 0),
      String(opts.reservedAt ?? 0),
      String(RESERVATION_GRACE_MS),
      String(IN_PLACE_WAIT_MS),
      String(ABANDONED_AFTER_MS),
      String(RESUME_SPACING_MS),
      String(STATE_TTL_S),
      String(opts.points ?? JOB_POINTS),
      String(BUDGET_TARGET),
      String(PARKED_READ_POINTS),
    )) as number;
    return { waitMs: wait, reserved: wait > 0 };
  }

  /** Brings the account's score model in line with the usage an answer reported (see RECORD). */
  async record(reading: UsageReading, now = this.clock()): Promise<void> {
    if (!reading.adAccountId) return;
    await runLua(
      this.redis,
      RECORD,
      2,
      this.keys.accountPace(reading.adAccountId),
      this.keys.accountReservations(reading.adAccountId),
      String(now),
      String(reading.percent),
      String(reading.resetMs),
      String(reading.waitMs),
      String(reading.points ?? 0),
      String(reading.tierMaxPoints ?? 0),
      String(SLOW_FROM),
      String(DECAY_MS),
      String(MIN_SPACING_MS),
      String(LEARN_AFTER_POINTS),
      String(STATE_TTL_S),
      String(JOB_POINTS),
      String(OWED_READS_FOR_MS),
    );
  }

  /**
   * After a throttling error: no call before `waitMs` from now, to this ad account or, for the app's
   * limit (`scope: 'app'`), to any; the account's spacing is set to halve the rate that was refused.
   * An `alert` (613 without a subcode) pauses at least an hour. Refusals of one burst count once.
   * Returns how long the pause lasts from now (the caller parks its job that long).
   */
  async throttled(
    adAccountId: string,
    waitMs: number,
    target: ThrottleTarget = {},
    now = this.clock(),
  ): Promise<number> {
    const ms = target.severity === 'alert' ? Math.max(waitMs, ABUSE_PAUSE_MS) : waitMs;
    const until = now + Math.max(0, ms);
    const pausedUntil = (await runLua(
      this.redis,
      THROTTLED,
      3,
      this.keys.accountPace(adAccountId),
      this.keys.accountReservations(adAccountId),
      this.keys.appPace,
      String(now),
      String(until),
      target.scope === 'app' ? '1' : '0',
      String(MAX_SPACING_MS),
      String(STATE_TTL_S),
    )) as number;
    return Math.max(0, pausedUntil - now);
  }

  /**
   * After a throttling error from Meta: pauses whom it stops (the ad account, or every one for the
   * app's limit) for the wait its headers gave, else the error's default. Returns what it was and how
   * long the pause lasts, for the caller to log.
   */
  async afterThrottle(
    adAccountId: string,
    err: GraphApiError,
    now = this.clock(),
  ): Promise<{ kind: ThrottleKind; pausedMs: number }> {
    const kind = throttleKind({ code: err.code, subcode: err.subcode, httpStatus: err.details.httpStatus }) ?? {
      scope: 'account',
      severity: 'routine',
      defaultWaitMs: 60_000,
    };
    const pausedMs = await this.throttled(adAccountId, err.details.retryAfterMs ?? kind.defaultWaitMs, kind, now);
    return { kind, pausedMs };
  }

  /** How long this ad account stays paused (by its own pause or the app's), 0 when it is not. */
  async pausedFor(adAccountId: string, now = this.clock()): Promise<number> {
    const replies = await this.redis
      .pipeline()
      .hget(this.keys.accountPace(adAccountId), 'pausedUntil')
      .hget(this.keys.appPace, 'pausedUntil')
      .exec();
    const until = Math.max(...(replies ?? []).map(([err, v]) => (err ? 0 : Number(v ?? 0) || 0)), 0);
    return Math.max(0, until - now);
  }

  /**
   * Waits in this process until the ad account is not paused (for calls that cannot park, such as
   * planning's listings). Looks once, then once more after each pause in case Meta extended it.
   * Returns the time waited.
   */
  async waitForAccount(adAccountId: string): Promise<number> {
    let waited = 0;
    for (let ms = await this.pausedFor(adAccountId); ms > 0; ms = await this.pausedFor(adAccountId)) {
      await this.wait(ms);
      waited += ms;
    }
    return waited;
  }

  /**
   * The moment this process may send its next write to the ad account: at least 1/91 s after the
   * previous write of any worker, so no second ever holds more than 91, and not before a pause of
   * the account (or the app) ends. Returns the wait in ms, or undefined when the pause lasts longer
   * than PAUSE_WAIT_IN_PLACE_MS (no moment is taken then).
   */
  async reserveWrite(adAccountId: string, now = this.clock()): Promise<number | undefined> {
    const wait = (await runLua(
      this.redis,
      SEND,
      2,
      this.keys.accountPace(adAccountId),
      this.keys.appPace,
      String(now),
      String(WRITE_SPACING_MS),
      String(PAUSE_WAIT_IN_PLACE_MS),
      String(STATE_TTL_S),
    )) as number;
    return wait < 0 ? undefined : wait;
  }

  /**
   * Call right before each POST to the ad account: waits for its write moment. Meta keeps a block
   * going while calls continue, so a write is not sent into a pause: a longer one throws a throttling
   * error (without calling Meta), which parks the job like Meta's own. A writer that wakes more than
   * LATE_WRITE_MS after its moment (a busy event loop, a slow round trip) takes a new moment instead
   * of going late: late writes sent together with others' on-time ones would bunch up at Meta, and
   * 91 moments a second leave room for only 9 such. `taken`: the first moment, taken by the caller
   * with reserveWrite in a round trip of its own, right before. Returns the time waited.
   */
  async beforeWrite(adAccountId: string, taken?: WriteMoment): Promise<number> {
    const start = this.clock();
    for (let attempt = 1; ; attempt++) {
      const asked = attempt === 1 && taken ? taken.askedAt : this.clock();
      const ms = attempt === 1 && taken ? taken.waitMs : await this.reserveWrite(adAccountId, asked);
      if (ms === undefined) {
        const pausedMs = await this.pausedFor(adAccountId);
        throw new GraphApiError('throttle', {
          retryAfterMs: Math.max(1, pausedMs),
          metaMessage: `ad account ${adAccountId} is paused after Meta's rate limit; the write was not sent`,
        });
      }
      if (ms > 0) await this.wait(ms);
      const late = this.clock() - (asked + ms);
      if (late <= LATE_WRITE_MS || attempt >= MAX_WRITE_MOMENTS) return this.clock() - start;
    }
  }
}

/**
 * Lua helper: forgets the moments reserved after \`now\` (they are void), so new ones are given from
 * now on rather than after the old queue's tail, which would leave its time unused.
 */
const RESTART = `
local function restart(key, reservations, now)
  local h = redis.call('HMGET', key, 'lastCall', 'lastWrite')
  redis.call('HSET', key, 'lastCall', tostring(math.min(tonumber(h[1] or '0'), now)), 'lastWrite', tostring(math.min(tonumber(h[2] or '0'), now)))
  redis.call('DEL', reservations)
end
`;

/**
 * Lua helper: the first moment from \`slot\` at which the account's score model has room for
 * \`points\` more under \`target\` %, spent there. The model (fields vu, vt, va, vd, kept by RECORD):
 * the score is \`vu\` % at \`vt\` (moments given count from theirs on), a point is \`va\` %, and the
 * score drains \`vd\` % per ms. Without a reading yet there is no model: the slot is kept.
 */
const BUDGET = `
local function budgetSlot(key, now, slot, points, target, inPlace, parkedRead, returning)
  local m = redis.call('HMGET', key, 'vu', 'vt', 'va', 'vd')
  local vd = tonumber(m[4] or '0')
  if vd <= 0 or points <= 0 then return slot end
  local vu, vt, va = tonumber(m[1]), tonumber(m[2]), tonumber(m[3])
  local cost = points * va
  -- A call costlier than the whole target could never go: leave it to Meta's answer.
  if cost + parkedRead * va >= target then return slot end
  local ready = math.ceil(vt + (vu + cost - target) / vd)
  if ready > slot then slot = ready end
  if returning or slot - now > inPlace then
    -- The job parks (or is back from parking), and reads its ad set again before writing.
    cost = cost + parkedRead * va
    ready = math.ceil(vt + (vu + cost - target) / vd)
    if ready > slot then slot = ready end
    redis.call('HINCRBY', key, 'owedReads', 1)
  end
  if slot >= vt then
    redis.call('HSET', key, 'vu', tostring(math.max(0, vu - vd * (slot - vt)) + cost), 'vt', tostring(slot))
  else
    -- Earlier than a moment already given (the queue restarted): counted at the later one.
    redis.call('HSET', key, 'vu', tostring(vu + cost))
  end
  return slot
end
`;

/**
 * KEYS: account pace, account reservations, app pace. ARGV: now, write spacing, the caller's reserved
 * moment (0 if none), grace, in-place wait, abandoned-after, resume spacing, TTL, points, budget target,
 * a parked job's read points.
 * Returns the wait in ms (0: go now). Reservations are zset members `moment:madeAt`; one made before
 * the account's or the app's last pause (`voidedAt`) is void.
 */
const ACQUIRE = `${RESTART}${BUDGET}
local now = tonumber(ARGV[1])
local writeSpacing = tonumber(ARGV[2])
local reservedAt = tonumber(ARGV[3])
local grace = tonumber(ARGV[4])
local app = redis.call('HMGET', KEYS[3], 'pausedUntil', 'voidedAt')
-- The app's pause voided this account's moments too: the first call after it restarts the queue.
local appVoided = tonumber(app[2] or '0')
if appVoided > tonumber(redis.call('HGET', KEYS[1], 'appVoidSeen') or '0') then
  restart(KEYS[1], KEYS[2], appVoided)
  redis.call('HSET', KEYS[1], 'appVoidSeen', tostring(appVoided), 'nextAt', '0')
end
local h = redis.call('HMGET', KEYS[1], 'pausedUntil', 'spacing', 'nextAt', 'lastCall', 'lastWrite', 'voidedAt')
local pauseEnd = math.max(tonumber(h[1] or '0'), tonumber(app[1] or '0'))
local spacing = tonumber(h[2] or '0')
local nextAt = tonumber(h[3] or '0')
local lastCall = tonumber(h[4] or '0')
local lastWrite = tonumber(h[5] or '0')
local voidedAt = math.max(tonumber(h[6] or '0'), tonumber(app[2] or '0'))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tostring(now - tonumber(ARGV[6])))
if reservedAt > 0 then
  -- Back early (a clock a little ahead): the moment is still this caller's.
  if now < reservedAt - grace and pauseEnd <= reservedAt then return reservedAt - now end
  local near = redis.call('ZRANGEBYSCORE', KEYS[2], tostring(reservedAt - grace), tostring(reservedAt + grace))
  local best, bestGap
  for _, m in ipairs(near) do
    local gap = math.abs(tonumber(string.match(m, '^([^:]+)')) - reservedAt)
    if not bestGap or gap < bestGap then best, bestGap = m, gap end
  end
  if best then
    redis.call('ZREM', KEYS[2], best)
    if tonumber(string.match(best, ':(.+)$')) >= voidedAt and pauseEnd <= now then
      redis.call('HSET', KEYS[1], 'lastCall', tostring(math.max(lastCall, now)))
      if writeSpacing > 0 then redis.call('HSET', KEYS[1], 'lastWrite', tostring(math.max(lastWrite, now))) end
      redis.call('EXPIRE', KEYS[1], ARGV[8])
      return 0
    end
  end
end
-- A new moment: after any pause (callers then come back one after another), after the moments
-- already reserved, and \`spacing\` after the previous call.
local sp = spacing
if pauseEnd > now then sp = math.max(sp, tonumber(ARGV[7])) end
local slot = math.max(now, pauseEnd, nextAt)
if sp > 0 then slot = math.max(slot, lastCall + sp) end
if writeSpacing > 0 then slot = math.max(slot, lastWrite + writeSpacing) end
slot = budgetSlot(KEYS[1], now, slot, tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[5]), tonumber(ARGV[11]), reservedAt > 0)
redis.call('HSET', KEYS[1], 'nextAt', tostring(slot + sp), 'lastCall', tostring(slot))
if writeSpacing > 0 then redis.call('HSET', KEYS[1], 'lastWrite', tostring(slot)) end
redis.call('EXPIRE', KEYS[1], ARGV[8])
if slot - now > tonumber(ARGV[5]) then
  redis.call('ZADD', KEYS[2], tostring(slot), tostring(slot) .. ':' .. tostring(now))
  redis.call('EXPIRE', KEYS[2], ARGV[8])
end
return slot - now`;

/**
 * Lua helper: the spacing that would have let the calls answered within the last \`windowMs\` fit the
 * window, with 15 % to spare: \`windowMs / okCalls * 1.15\`. Answered calls are counted per 100 ms
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

/**
 * Lua helper: pauses the account until \`untilMs\` if that is later than its pause; the moments reserved
 * before are void and the queue restarts at the pause's end. A pause that a burst of refusals pushes
 * back by less than the grace is kept as it is, so the moments reserved during it stay valid.
 * Returns the pause's end.
 */
const PAUSE = `
local function pause(key, reservations, now, untilMs)
  local paused = tonumber(redis.call('HGET', key, 'pausedUntil') or '0')
  if untilMs <= paused or (paused > now and untilMs <= paused + ${RESERVATION_GRACE_MS}) then return paused end
  redis.call('HSET', key, 'pausedUntil', tostring(untilMs), 'voidedAt', tostring(now), 'nextAt', tostring(untilMs))
  restart(key, reservations, now)
  return untilMs
end
`;

/**
 * Lua helper: the score model follows a reading of \`percent\` at \`now\` for a call of \`points\`
 * (see BUDGET):
 * - drain: from X-Ad-Account-Usage, percent over reset_time_duration (the time the score takes to be
 *   back to zero; Meta rounds it up, so the fastest seen is kept); with the BUC header alone, 100 %
 *   over Meta's 300 s decay;
 * - percent per point: first from the access tier's maximum when the first reading agrees with it
 *   (within Meta's rounding), else that reading over its call's points (as if the score started at
 *   zero: too high when it did not, which only slows); once LEARN_AFTER_POINTS more points were
 *   answered, what the score gained since the first reading, drain added back, over those points,
 *   as long as the drain is a tenth of that gain at most;
 * - the score: the model is what Meta last reported (the highest reading, drained since: answers
 *   may come back out of order) plus what was given and not yet reported, so its errors do not add
 *   up. A write is taken for an ad set job's, counted when its moment was given; a read is counted
 *   when it is answered.
 */
const LEARN = `
local function perPoint(key, m, now, percent, points, tierMax, vd, pts, learnAfter)
  local va = tonumber(m[3] or '0')
  if points <= 0 or percent >= 100 then return va end
  if not m[6] then
    redis.call('HSET', key, 'u0', tostring(percent), 't0', tostring(now), 'p0', tostring(pts))
    if va > 0 then return va end
    local guess = math.max(percent, 0.001) / points
    if tierMax > 0 and math.abs(guess - 100 / tierMax) <= 0.5 / points + 0.01 then return 100 / tierMax end
    return guess
  end
  local since = pts - tonumber(m[8])
  if since < learnAfter then return va end
  -- Only while what drained is a small part of what was gained: the drain is known less well than
  -- the readings (the reset is rounded up, the 300 s an assumption), and a percent per point learnt
  -- too low would let the model run past the score.
  local drained = vd * (now - tonumber(m[7]))
  local gained = percent - tonumber(m[6]) + drained
  if gained <= 0 or drained > gained / 10 then return va end
  return gained / since
end

local function learn(key, now, percent, resetMs, points, tierMax, decayMs, learnAfter, jobPoints, owedFor)
  local m = redis.call('HMGET', key, 'vu', 'vt', 'va', 'vd', 'vdr', 'u0', 't0', 'p0', 'pts', 'lu', 'lt')
  local vd = 100 / decayMs
  local vdr = tonumber(m[5] or '0')
  if resetMs > 0 and percent > 0 then
    vdr = math.max(vdr, percent / resetMs)
    redis.call('HSET', key, 'vdr', tostring(vdr))
  end
  if vdr > 0 then vd = vdr end
  local pts = tonumber(m[9] or '0') + points
  local va = perPoint(key, m, now, percent, points, tierMax, vd, pts, learnAfter)
  local vu, vt = tonumber(m[1] or '0'), tonumber(m[2] or tostring(now))
  -- The score Meta reported, drained since: answers may come back out of order, so a lower reading
  -- than that is an older one (or the drain is faster than counted, which only slows).
  local seen = percent
  if m[10] then
    local before = math.max(0, tonumber(m[10]) - vd * math.max(0, now - tonumber(m[11])))
    seen = math.max(percent, before)
    -- What Meta newly reports moves into the score; a job's write, and the read of a job back from
    -- parking, leave the share counted for them.
    vu = vu + seen - before
    if points == jobPoints then
      vu = vu - va * points
    elseif vt < now - owedFor then
      redis.call('HDEL', key, 'owedReads')
    elseif points > 0 and tonumber(redis.call('HGET', key, 'owedReads') or '0') > 0 then
      redis.call('HINCRBY', key, 'owedReads', -1)
      vu = vu - va * points
    end
  end
  -- Never below what Meta reports.
  if vt <= now then
    vu, vt = math.max(vu - vd * (now - vt), percent), now
  else
    vu = math.max(vu, percent - vd * (vt - now))
  end
  redis.call('HSET', key, 'vu', tostring(vu), 'vt', tostring(vt), 'va', tostring(va), 'vd', tostring(vd), 'pts', tostring(pts), 'lu', tostring(seen), 'lt', tostring(now))
end
`;

/**
 * KEYS: account pace, account reservations. ARGV: now, percent, resetMs, waitMs, points of the call
 * answered (0 if unknown), the tier's maximum (0 if unknown), slow-from, decay, min spacing,
 * learn-after points, TTL, a job's points, how long reads stay owed.
 */
const RECORD = `${RESTART}${PAUSE}${LEARN}
local now = tonumber(ARGV[1])
local percent = tonumber(ARGV[2])
local waitMs = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'percent', ARGV[2], 'at', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[11])
if waitMs > 0 then
  -- Blocked: Meta says for how long. The model is full until then; THROTTLED adjusts the spacing.
  pause(KEYS[1], KEYS[2], now, now + waitMs)
  redis.call('HSET', KEYS[1], 'vu', tostring(math.max(percent, 100)), 'vt', tostring(now), 'lu', tostring(math.max(percent, 100)), 'lt', tostring(now))
  return 0
end
if percent < 100 then
  local bucket = math.floor(now / 100)
  redis.call('HINCRBY', KEYS[1], 'ok:' .. tostring(bucket), 1)
  redis.call('HDEL', KEYS[1], 'ok:' .. tostring(bucket - 3001))
end
learn(KEYS[1], now, percent, tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[8]), tonumber(ARGV[10]), tonumber(ARGV[12]), tonumber(ARGV[13]))
-- A spacing left by a throttling error shrinks again, gently, while usage is low.
local spacing = tonumber(redis.call('HGET', KEYS[1], 'spacing') or '0')
if spacing > 0 and percent < tonumber(ARGV[7]) then
  local adjustedAt = tonumber(redis.call('HGET', KEYS[1], 'adjustedAt') or '0')
  if now - adjustedAt >= math.max(spacing / 2, 50) then
    spacing = spacing * 0.97
    if spacing < tonumber(ARGV[9]) then spacing = 0 end
    redis.call('HSET', KEYS[1], 'spacing', tostring(spacing), 'adjustedAt', ARGV[1])
  end
end
return 1`;

/** KEYS: account pace, account reservations, app pace. ARGV: now, pause until, app-wide (1/0), max spacing, TTL. */
const THROTTLED = `${ESTIMATE}${RESTART}${PAUSE}
local now = tonumber(ARGV[1])
local untilMs = tonumber(ARGV[2])
if ARGV[3] == '1' then
  -- The app's limit: every ad account waits; reservations made before now are void for all of them.
  local paused = tonumber(redis.call('HGET', KEYS[3], 'pausedUntil') or '0')
  if untilMs > paused then
    redis.call('HSET', KEYS[3], 'pausedUntil', tostring(untilMs), 'voidedAt', tostring(now))
    paused = untilMs
  end
  redis.call('EXPIRE', KEYS[3], ARGV[5])
  return paused
end
local cutUntil = tonumber(redis.call('HGET', KEYS[1], 'cutUntil') or '0')
local pausedUntil = pause(KEYS[1], KEYS[2], now, untilMs)
-- Meta refused: the score is full now, whatever the model said.
-- (The moments given before are void: their holders spend again when they ask anew.)
redis.call('HSET', KEYS[1], 'vu', '100', 'vt', tostring(now), 'lu', '100', 'lt', tostring(now), 'owedReads', '0')
if cutUntil <= now then
  -- The calls answered within the blocked window are what the budget holds per window.
  local spacing = tonumber(redis.call('HGET', KEYS[1], 'spacing') or '0')
  spacing = math.max(spacing * 1.25, estimate(KEYS[1], now, untilMs - now))
  spacing = math.min(spacing, tonumber(ARGV[4]), math.max(untilMs - now, 1) * 1.15)
  redis.call('HSET', KEYS[1], 'spacing', tostring(spacing), 'cutUntil', tostring(pausedUntil))
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return pausedUntil`;

/**
 * KEYS: account pace, app pace. ARGV: now, write spacing, longest pause waited in place, TTL.
 * Returns the wait before this write may be sent, or -1 when a pause lasts longer (nothing taken).
 */
const SEND = `
local now = tonumber(ARGV[1])
local h = redis.call('HMGET', KEYS[1], 'pausedUntil', 'lastSend')
local paused = math.max(tonumber(h[1] or '0'), tonumber(redis.call('HGET', KEYS[2], 'pausedUntil') or '0'))
if paused - now > tonumber(ARGV[3]) then return -1 end
local slot = math.max(now, paused, tonumber(h[2] or '0') + tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'lastSend', tostring(slot))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return slot - now`;
