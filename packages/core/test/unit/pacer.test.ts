import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AccountPacer, GraphApiError, Keyspace, MAX_WRITES_PER_SECOND } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '../../../../test/redis';

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

  it('from 75 %, spaces calls so that those that fitted the usage window fit it again, with 15 % to spare', async () => {
    const now = 5_000_000;
    for (let i = 0; i < 4; i++) await pacer.record({ adAccountId: 'act_f', percent: 10 * (i + 1), waitMs: 0, resetMs: 1000 }, now + i * 60);
    await pacer.record({ adAccountId: 'act_f', percent: 80, waitMs: 0, resetMs: 1000 }, now + 400);
    // Five answers within the 1 s window: 1000 / 5 × 1.15.
    expect(Number(await redis.hget(keys.accountPace('act_f'), 'spacing'))).toBeCloseTo(230);
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
    for (const at of moments) expect(await pacer.acquire('act_g', { reservedAt: at }, at)).toEqual({ waitMs: 0, reserved: false });
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

  it('from BUC readings alone: unlimited under 75 %, slower from 75 %, slower still toward 95 %, a wait at 95 %', async () => {
    const now = 9_000_000;
    const spacing = async () => Number((await redis.hget(keys.accountPace('act_j'), 'spacing')) ?? 0);
    // resetMs 0: only X-Business-Use-Case-Usage was sent.
    for (let i = 0; i < 10; i++) await pacer.record({ adAccountId: 'act_j', percent: 5 * i, waitMs: 0, resetMs: 0 }, now + i * 1000);
    expect(await spacing()).toBe(0);
    await pacer.record({ adAccountId: 'act_j', percent: 76, waitMs: 0, resetMs: 0 }, now + 10_000);
    const at76 = await spacing();
    expect(at76).toBeGreaterThan(0);
    await pacer.record({ adAccountId: 'act_j', percent: 90, waitMs: 0, resetMs: 0 }, now + 10_000 + at76);
    const at90 = await spacing();
    expect(at90).toBeGreaterThan(at76);
    expect(await pacer.pausedFor('act_j', now + 10_000 + at76)).toBe(0);
    const t95 = now + 10_000 + at76 + at90;
    await pacer.record({ adAccountId: 'act_j', percent: 95, waitMs: 0, resetMs: 0 }, t95);
    expect(await pacer.pausedFor('act_j', t95)).toBeGreaterThan(0);
    expect((await pacer.acquire('act_j', {}, t95)).waitMs).toBeGreaterThan(0);
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
      const waits = await Promise.all(Array.from({ length: 300 }, (_, i) => pacers[i % pacers.length]!.reserveWrite('act_l', now)));
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
