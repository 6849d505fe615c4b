import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AccountPacer, GraphApiError, Keyspace, MAX_WRITES_PER_SECOND } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';

/** The most moments that fall within any one second. */
function peakPerSecond(moments: number[]): number {
  const sorted = [...moments].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

// Each test runs on its own ad accounts and on a clock later than the previous test's: the app-wide
// pause is shared by every account of the keyspace, and one set earlier is over by then.
describe('AccountPacer (real Redis)', () => {
  const prefix = uniquePrefix('pacer');
  const keys = new Keyspace(prefix);
  let redis: Redis;
  let pacer: AccountPacer;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    pacer = new AccountPacer(redis, keys);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteUnder(testRedisUrl(), prefix);
  });

  it('lets reads through and spaces writes under 91 per second on an account with no history', async () => {
    const now = 1_000_000;
    expect(await pacer.acquire('act_a', {}, now)).toEqual({ waitMs: 0, reserved: false });
    expect(await pacer.acquire('act_a', { write: true }, now)).toEqual({ waitMs: 0, reserved: false });
    const second = await pacer.acquire('act_a', { write: true }, now);
    expect(second.reserved).toBe(true);
    expect(second.waitMs).toBe(11);
  });

  it('after a throttling error waits the time Meta gave, then honours the reservation', async () => {
    const now = 2_000_000;
    expect(await pacer.throttled('act_b', 800, {}, now)).toBe(800);
    const pace = await pacer.acquire('act_b', {}, now + 10);
    expect(pace).toEqual({ waitMs: 790, reserved: true });
    expect(await pacer.acquire('act_b', { reservedAt: now + 800 }, now + 800)).toEqual({ waitMs: 0, reserved: false });
  });

  it('voids a reservation made before a pause: its holder gets a moment after the pause', async () => {
    const now = 3_000_000;
    await pacer.throttled('act_c', 500, {}, now);
    const first = await pacer.acquire('act_c', {}, now + 1);
    expect(first.waitMs).toBe(499);
    await pacer.throttled('act_c', 5000, {}, now + 2);
    const back = await pacer.acquire('act_c', { reservedAt: now + 500 }, now + 500);
    expect(back.reserved).toBe(true);
    expect(back.waitMs).toBeGreaterThanOrEqual(4502);
  });

  it('restarts the queue at the end of a new pause, not after the moments it voided', async () => {
    const now = 3_500_000;
    await pacer.throttled('act_c2', 500, {}, now);
    const moments: number[] = [];
    for (let i = 0; i < 10; i++) moments.push(now + (await pacer.acquire('act_c2', {}, now)).waitMs);
    // The voided queue reaches past the new pause's end...
    expect(Math.max(...moments)).toBeGreaterThan(now + 5002);
    await pacer.throttled('act_c2', 5000, {}, now + 2);
    // ...yet the first moment asked after it is the pause's end.
    expect(await pacer.acquire('act_c2', {}, now + 3)).toEqual({ waitMs: 4999, reserved: true });
  });

  it('never slows another ad account', async () => {
    await pacer.throttled('act_d', 60_000, {}, 4_000_000);
    expect(await pacer.acquire('act_e', {}, 4_000_001)).toEqual({ waitMs: 0, reserved: false });
  });

  it("counts the moments it gives on the account's score: none past 97 %, even before Meta answers them", async () => {
    const now = 5_000_000;
    // The first reading: 2 % after a 1-point read at Limited access (60 points: 1.67 %, rounded by Meta).
    await pacer.record({ adAccountId: 'act_f', percent: 2, waitMs: 0, resetMs: 0, points: 1, tierMaxPoints: 60 }, now);
    const waits: number[] = [];
    for (let i = 0; i < 21; i++) waits.push((await pacer.acquire('act_f', {}, now)).waitMs);
    // 1 + 19 × 3 = 58 points fit under 97 % at once. The 20th job parks, so it will read its ad set
    // again before writing: it waits for 4 points to drain (of 60 per 300 s: 20 s), the 21st 20 s after it.
    expect(waits.slice(0, 19)).toEqual(Array(19).fill(0));
    expect(waits[19]).toBeGreaterThan(15_000);
    expect(waits[19]).toBeLessThanOrEqual(20_001);
    expect(waits[20]! - waits[19]!).toBe(20_000);
  });

  it('follows what Meta reports: a score higher than counted delays the next moments; an answer back out of order does not lower it', async () => {
    const now = 5_500_000;
    const reading = (percent: number, points = 3) => ({
      adAccountId: 'act_f2',
      percent,
      waitMs: 0,
      resetMs: 0,
      points,
      tierMaxPoints: 60,
    });
    await pacer.record(reading(2, 1), now);
    expect((await pacer.acquire('act_f2', {}, now)).waitMs).toBe(0);
    expect((await pacer.acquire('act_f2', {}, now)).waitMs).toBe(0);
    // Meta says 50 % where the model had 2 % and two writes (10 %): something else spent the points.
    await pacer.record(reading(50), now + 1);
    // The other write's answer, charged before the first one's: an older reading.
    await pacer.record(reading(45), now + 1);
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) waits.push((await pacer.acquire('act_f2', {}, now + 1)).waitMs);
    // 50 % + 9 × 5 % = 95 %: the tenth, which parks and reads again (4 points: 6.67 %), waits for
    // 4.67 % to drain (0.2 points per second: 14 s).
    expect(waits.filter((w) => w === 0)).toHaveLength(9);
    expect(Math.abs(waits[9]! - 14_000)).toBeLessThanOrEqual(1);
  });

  it('counts the read of a job back from parking even when its new moment is now (its own was lost)', async () => {
    const now = 5_700_000;
    await pacer.record({ adAccountId: 'act_o', percent: 2, waitMs: 0, resetMs: 0, points: 1, tierMaxPoints: 60 }, now);
    // A moment nobody reserved (the job came back too late for its own): a new one, at once.
    expect(await pacer.acquire('act_o', { reservedAt: now - 10_000 }, now)).toEqual({ waitMs: 0, reserved: false });
    const pace = await redis.hmget(keys.accountPace('act_o'), 'vu', 'owedReads');
    // 2 % + a read and a write (4 points of 60).
    expect(Number(pace[0])).toBeCloseTo(2 + (4 * 100) / 60);
    expect(pace[1]).toBe('1');
    // Its read, answered, is the one counted: the model does not count it twice.
    await pacer.record(
      { adAccountId: 'act_o', percent: 4, waitMs: 0, resetMs: 0, points: 1, tierMaxPoints: 60 },
      now + 1,
    );
    expect(await redis.hget(keys.accountPace('act_o'), 'owedReads')).toBe('0');
    expect(Number(await redis.hget(keys.accountPace('act_o'), 'vu'))).toBeCloseTo(4 + (3 * 100) / 60, 1);
  });

  it('with X-Ad-Account-Usage, drains the score at the pace its reset time says', async () => {
    const now = 5_800_000;
    // 60 points per 5 s. Meta rounds the reset up to whole seconds: the fastest drain seen is kept.
    await pacer.record(
      { adAccountId: 'act_f3', percent: 1.67, waitMs: 0, resetMs: 1000, points: 1, tierMaxPoints: 60 },
      now,
    );
    // 50 %, back to zero in 2.5 s: 20 % per second; a parked job's read and write (4 points: 6.67 %)
    // drain in 333 ms.
    await pacer.record(
      { adAccountId: 'act_f3', percent: 50, waitMs: 0, resetMs: 2500, points: 1, tierMaxPoints: 60 },
      now,
    );
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) waits.push((await pacer.acquire('act_f3', {}, now)).waitMs);
    expect(waits.slice(0, 9)).toEqual(Array(9).fill(0));
    for (let i = 10; i < 12; i++) expect(Math.abs(waits[i]! - waits[i - 1]! - 333)).toBeLessThanOrEqual(1);
  });

  it('gives callers during a pause moments after it, one after another, each honoured on the first return', async () => {
    const now = 6_000_000;
    await pacer.throttled('act_g', 10_000, {}, now);
    const moments: number[] = [];
    for (let i = 0; i < 20; i++) {
      const pace = await pacer.acquire('act_g', {}, now + i);
      expect(pace.reserved).toBe(true);
      moments.push(now + i + pace.waitMs);
    }
    expect(Math.min(...moments)).toBeGreaterThanOrEqual(now + 10_000);
    expect(new Set(moments).size).toBe(20);
    for (const at of moments)
      expect(await pacer.acquire('act_g', { reservedAt: at }, at)).toEqual({ waitMs: 0, reserved: false });
  });

  it("pauses every ad account on the app's limit, and voids the reservations made before it", async () => {
    const now = 7_000_000;
    await pacer.throttled('act_h2', 400, {}, now);
    const before = await pacer.acquire('act_h2', {}, now);
    expect(before.waitMs).toBe(400);
    expect(await pacer.throttled('act_h1', 30_000, { scope: 'app' }, now + 1)).toBe(30_000);
    for (const other of ['act_h3', 'act_h4']) {
      const pace = await pacer.acquire(other, {}, now + 2);
      expect(pace.reserved).toBe(true);
      expect(pace.waitMs).toBeGreaterThanOrEqual(29_999);
      expect(await pacer.pausedFor(other, now + 2)).toBe(29_999);
    }
    const back = await pacer.acquire('act_h2', { reservedAt: now + 400 }, now + 400);
    expect(back.waitMs).toBeGreaterThanOrEqual(30_001 - 400);
  });

  it('pauses abuse prevention (an alert) for at least an hour, whatever wait was given', async () => {
    expect(await pacer.throttled('act_i', 60_000, { severity: 'alert' }, 8_000_000)).toBe(3_600_000);
    expect(await pacer.pausedFor('act_i', 8_000_000)).toBe(3_600_000);
  });

  it('pauses for the minutes Meta gives when a reading says the account is blocked', async () => {
    await pacer.record({ adAccountId: 'act_k', percent: 100, waitMs: 300_000, resetMs: 0 }, 10_000_000);
    expect(await pacer.pausedFor('act_k', 10_000_000)).toBe(300_000);
  });

  it('keeps writes 1/91 s apart across pacers sharing Redis', async () => {
    const others = [new Redis(testRedisUrl()), new Redis(testRedisUrl())];
    try {
      const pacers = [pacer, ...others.map((r) => new AccountPacer(r, keys))];
      const now = 11_000_000;
      const waits = await Promise.all(
        Array.from({ length: 300 }, (_, i) => pacers[i % pacers.length]!.reserveWrite('act_l', now)),
      );
      const moments = waits.map((w) => now + w!);
      expect(new Set(moments).size).toBe(300);
      expect(peakPerSecond(moments)).toBe(MAX_WRITES_PER_SECOND);
    } finally {
      for (const r of others) r.disconnect();
    }
  });

  it('waits in place for a pause to end, looking at Redis once before and once after', async () => {
    let clock = 12_000_000;
    const sleeps: number[] = [];
    const timed = new AccountPacer(redis, keys, {
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    expect(await timed.waitForAccount('act_m')).toBe(0);
    await timed.throttled('act_m', 5000);
    expect(await timed.waitForAccount('act_m')).toBe(5000);
    expect(sleeps).toEqual([5000]);
  });

  it('does not send a write into a pause: a short one is waited in place, a longer one parks the job', async () => {
    let clock = 13_000_000;
    const sleeps: number[] = [];
    const timed = new AccountPacer(redis, keys, {
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    await timed.throttled('act_n', 600);
    expect(await timed.beforeWrite('act_n')).toBe(600);
    expect(sleeps).toEqual([600]);
    await timed.throttled('act_n', 60_000, { scope: 'app' });
    expect(await timed.reserveWrite('act_n')).toBeUndefined();
    const err = await timed.beforeWrite('act_n').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GraphApiError);
    expect(err).toMatchObject({ errorClass: 'throttle', details: { retryAfterMs: 60_000 } });
    expect(sleeps).toEqual([600]);
  });
});
