import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AccountPacer, CLEAR_TO_CALL_FIELDS, Keyspace, clearToCall } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '../../../../test/redis';

/**
 * clearToCall lets an ad set job skip the pacer's script: it must say "clear" only where acquire
 * would have answered "call now". Checked against the pacer's own state in real Redis.
 */
describe('clearToCall (real Redis)', () => {
  const prefix = uniquePrefix('clear');
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

  const clear = async (account: string, now: number): Promise<boolean> => {
    const [acct, app] = await Promise.all([redis.hmget(keys.accountPace(account), ...CLEAR_TO_CALL_FIELDS.account), redis.hmget(keys.appPace, ...CLEAR_TO_CALL_FIELDS.app)]);
    return clearToCall(acct, app, now);
  };

  it('is clear for an account with no pace state, and acquire agrees', async () => {
    expect(await clear('act_new', 1_000_000)).toBe(true);
    expect(await pacer.acquire('act_new', {}, 1_000_000)).toEqual({ waitMs: 0, reserved: false });
    expect(await clear('act_new', 1_000_001)).toBe(true);
  });

  it('is not clear while the account is paused, nor while moments are reserved after it', async () => {
    const now = 2_000_000;
    await pacer.throttled('act_p', 5000, {}, now);
    expect(await clear('act_p', now + 1)).toBe(false);
    const reserved = await pacer.acquire('act_p', {}, now + 1);
    expect(reserved.reserved).toBe(true);
    // After the pause the reserved moments are still ahead: acquire would make a caller wait.
    expect(await clear('act_p', now + 5000)).toBe(false);
    expect((await pacer.acquire('act_p', {}, now + 5000)).waitMs).toBeGreaterThan(0);
  });

  it('is not clear once usage gave the account a spacing', async () => {
    const now = 3_000_000;
    await pacer.record({ adAccountId: 'act_s', percent: 90, resetMs: 0, waitMs: 0 }, now);
    expect(await clear('act_s', now + 1)).toBe(false);
  });

  it("is not clear during the app's pause, nor after it until the account has seen it", async () => {
    const now = 4_000_000;
    await pacer.acquire('act_x', {}, now);
    await pacer.throttled('act_other', 1000, { scope: 'app' }, now);
    expect(await clear('act_x', now + 10)).toBe(false);
    // Over: acquire restarts the account's queue first (the app voided its moments), then it is clear.
    expect(await clear('act_x', now + 2000)).toBe(false);
    expect((await pacer.acquire('act_x', {}, now + 2000)).waitMs).toBe(0);
    expect(await clear('act_x', now + 2001)).toBe(true);
  });
});
