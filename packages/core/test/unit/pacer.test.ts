import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AccountPacer, Keyspace } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '../../../../test/redis';

describe('AccountPacer (real Redis)', () => {
  const prefix = uniquePrefix('pacer');
  let redis: Redis;
  let pacer: AccountPacer;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    pacer = new AccountPacer(redis, new Keyspace(prefix));
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteUnder(testRedisUrl(), prefix);
  });

  it('lets reads through and spaces writes under 90 per second on an account with no history', async () => {
    const now = 1_000_000;
    expect(await pacer.acquire('act_a', {}, now)).toEqual({ waitMs: 0, reserved: false });
    expect(await pacer.acquire('act_a', { write: true }, now)).toEqual({ waitMs: 0, reserved: false });
    const second = await pacer.acquire('act_a', { write: true }, now);
    expect(second.reserved).toBe(true);
    expect(second.waitMs).toBeGreaterThanOrEqual(11);
    expect(second.waitMs).toBeLessThanOrEqual(13);
  });

  it('after a throttling error waits the time Meta gave, then honours the reservation', async () => {
    const now = 2_000_000;
    await pacer.throttled('act_b', 800, now);
    const pace = await pacer.acquire('act_b', {}, now + 10);
    expect(pace.reserved).toBe(true);
    expect(pace.waitMs).toBeGreaterThanOrEqual(790);
    expect(await pacer.acquire('act_b', { reservedAt: now + 10 + pace.waitMs }, now + 10 + pace.waitMs)).toEqual({ waitMs: 0, reserved: false });
  });

  it('does not let a reservation run through a pause set after it', async () => {
    const now = 3_000_000;
    await pacer.record({ adAccountId: 'act_c', percent: 96, waitMs: 0, resetMs: 0 }, now);
    const first = await pacer.acquire('act_c', {}, now);
    await pacer.throttled('act_c', 5000, now + 1);
    const back = await pacer.acquire('act_c', { reservedAt: now + first.waitMs }, now + first.waitMs);
    expect(back.waitMs).toBeGreaterThan(1000);
  });

  it('never slows another ad account', async () => {
    await pacer.throttled('act_d', 60_000, 4_000_000);
    expect(await pacer.acquire('act_e', {}, 4_000_001)).toEqual({ waitMs: 0, reserved: false });
  });

  it('learns a spacing from the calls that fitted the window when usage reaches the limit', async () => {
    const now = 5_000_000;
    for (let i = 0; i < 5; i++) await pacer.record({ adAccountId: 'act_f', percent: 20 * (i + 1) - 1, waitMs: 0, resetMs: 1000 }, now + i * 60);
    await pacer.record({ adAccountId: 'act_f', percent: 99, waitMs: 0, resetMs: 1000 }, now + 400);
    const spacing = Number(await redis.hget(new Keyspace(prefix).accountPace('act_f'), 'spacing'));
    expect(spacing).toBeGreaterThan(150);
    expect(spacing).toBeLessThan(300);
  });

  it('looks again later instead of reserving a moment far ahead', async () => {
    const now = 6_000_000;
    await pacer.throttled('act_g', 10_000, now);
    const pace = await pacer.acquire('act_g', {}, now);
    expect(pace.reserved).toBe(false);
    expect(pace.waitMs).toBeGreaterThanOrEqual(1500);
    expect(pace.waitMs).toBeLessThan(1700);
  });
});
