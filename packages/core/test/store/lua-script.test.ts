import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ensureRedis, type AvailableRedis } from '@closrads/test-support/private-redis';
import { runLua } from '../../src/queue/lua-script';

/** Calls of one command so far, from INFO commandstats (a private server: nobody else counts). */
async function calls(redis: Redis, command: string): Promise<number> {
  const m = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(await redis.info('commandstats'));
  return Number(m?.[1] ?? 0);
}

const SCRIPT = `return redis.call('INCRBY', KEYS[1], ARGV[1])`;

describe('runLua', () => {
  // SCRIPT FLUSH is destructive: a private redis-server of this test's own.
  let server: AvailableRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await ensureRedis('redis://127.0.0.1:1');
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('sends the script text once per connection, then only its SHA', async () => {
    await redis.config('RESETSTAT');
    expect(await runLua(redis, SCRIPT, 1, 'counter', 2)).toBe(2);
    expect(await runLua(redis, SCRIPT, 1, 'counter', 3)).toBe(5);
    expect(await runLua(redis, SCRIPT, 1, 'counter', 4)).toBe(9);
    // The first call is an EVAL (the connection had not sent the script yet), the others EVALSHA.
    expect(await calls(redis, 'eval')).toBe(1);
    expect(await calls(redis, 'evalsha')).toBe(2);
  });

  it('sends the text again when Redis lost its scripts (restart, SCRIPT FLUSH)', async () => {
    await runLua(redis, SCRIPT, 1, 'flushed', 1);
    await redis.script('FLUSH');
    expect(await runLua(redis, SCRIPT, 1, 'flushed', 1)).toBe(2);
  });

  it('keeps two scripts apart on one connection', async () => {
    const other = `return redis.call('GET', KEYS[1])`;
    await runLua(redis, SCRIPT, 1, 'apart', 7);
    expect(await runLua(redis, other, 1, 'apart')).toBe('7');
  });

  it('runs one script with different numbers of keys', async () => {
    const either = `if KEYS[2] then return redis.call('MGET', KEYS[1], KEYS[2]) end return redis.call('MGET', KEYS[1])`;
    await redis.mset('k1', 'a', 'k2', 'b');
    expect(await runLua(redis, either, 1, 'k1')).toEqual(['a']);
    expect(await runLua(redis, either, 2, 'k1', 'k2')).toEqual(['a', 'b']);
    expect(await runLua(redis, either, 1, 'k2')).toEqual(['b']);
  });
});
