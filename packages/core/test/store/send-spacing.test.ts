import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AccountPacer, Keyspace, LATE_WRITE_MS, MAX_WRITES_PER_SECOND } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';

const SPACING = Math.ceil(1000 / MAX_WRITES_PER_SECOND);

/**
 * beforeWrite, on a clock the test drives: `lateBy` is how much later than asked each wait ends (a
 * busy event loop). The moments taken are read back from the account's pace state (lastSend).
 */
describe('AccountPacer.beforeWrite (real Redis)', () => {
  const prefix = uniquePrefix('send');
  const keys = new Keyspace(prefix);
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteUnder(testRedisUrl(), prefix);
  });

  function pacerAt(start: number, lateBy: (wait: number) => number): { pacer: AccountPacer; waits: number[] } {
    let now = start;
    const waits: number[] = [];
    const pacer = new AccountPacer(redis, keys, {
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms + lateBy(ms);
      },
    });
    return { pacer, waits };
  }
  const lastSend = async (account: string): Promise<number> =>
    Number(await redis.hget(keys.accountPace(account), 'lastSend'));

  it('spaces writes 1/91 s apart and waits no more than that when woken on time', async () => {
    const { pacer, waits } = pacerAt(1_000_000, () => 0);
    expect(await pacer.beforeWrite('act_a')).toBe(0);
    expect(await lastSend('act_a')).toBe(1_000_000);
    // The clock has not moved: the next writer waits one spacing.
    expect(await pacer.beforeWrite('act_a')).toBe(SPACING);
    expect(waits).toEqual([SPACING]);
    expect(await lastSend('act_a')).toBe(1_000_000 + SPACING);
  });

  it('takes a new moment when it wakes too late for its own, then goes', async () => {
    // The first wait ends far too late, the second on time.
    let calls = 0;
    const { pacer, waits } = pacerAt(2_000_000, () => (++calls === 1 ? LATE_WRITE_MS + 100 : 0));
    await pacer.beforeWrite('act_b');
    const first = await lastSend('act_b');
    await pacer.beforeWrite('act_b');
    // Woke 150 ms after its moment: a second moment was taken at the late wake (no wait: it is free).
    const second = await lastSend('act_b');
    expect(waits).toEqual([SPACING]);
    expect(second).toBe(first + SPACING + LATE_WRITE_MS + 100);
  });

  it('gives up taking new moments after a few, so a machine too busy still writes', async () => {
    // Every wait ends a second late, and meanwhile other writers took the account's next 10 s.
    let now = 3_000_000;
    const waits: number[] = [];
    const pacer = new AccountPacer(redis, keys, {
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms + 1000;
        await redis.hset(keys.accountPace('act_c'), 'lastSend', String(now + 10_000));
      },
    });
    await redis.hset(keys.accountPace('act_c'), 'lastSend', String(now + 10_000));
    await pacer.beforeWrite('act_c');
    expect(waits).toHaveLength(4);
  });

  it('uses a moment the caller took already, and takes none of its own when it is on time', async () => {
    const { pacer, waits } = pacerAt(4_000_000, () => 0);
    const waitMs = await pacer.reserveWrite('act_d', 4_000_000);
    await pacer.reserveWrite('act_d', 4_000_000);
    const taken = await pacer.reserveWrite('act_d', 4_000_000);
    expect(taken).toBe(2 * SPACING);
    expect(waitMs).toBe(0);
    await pacer.beforeWrite('act_d', { askedAt: 4_000_000, waitMs: taken });
    expect(waits).toEqual([2 * SPACING]);
    // No moment after the one taken.
    expect(await lastSend('act_d')).toBe(4_000_000 + 2 * SPACING);
  });

  it('does not send into a pause found when the moment was taken', async () => {
    const { pacer } = pacerAt(5_000_000, () => 0);
    await pacer.throttled('act_e', 60_000, {}, 5_000_000);
    await expect(pacer.beforeWrite('act_e', { askedAt: 5_000_000, waitMs: undefined })).rejects.toMatchObject({
      errorClass: 'throttle',
    });
  });
});
