import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { REDIS_HINT, assertRedisReachable, ensureRedis } from '../../src';

describe('ensureRedis', () => {
  it('uses the Redis that answers', async () => {
    const { testRedisUrl } = await import('../../../../test/redis');
    const redis = await ensureRedis(testRedisUrl());
    expect(redis).toMatchObject({ url: testRedisUrl(), private: false });
  });

  it('starts a private redis-server on a free port when nothing answers, and stops it', async () => {
    const redis = await ensureRedis('redis://127.0.0.1:1');
    expect(redis.private).toBe(true);
    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    const client = new Redis(redis.url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await redis.stop();
    await new Promise((r) => setTimeout(r, 300));
    await expect(assertRedisReachable(redis.url, 500)).rejects.toThrow(/not reachable/);
  });

  it('says in one line how to get Redis when there is no redis-server binary', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(ensureRedis('redis://127.0.0.1:1')).rejects.toThrow(REDIS_HINT);
    } finally {
      process.env.PATH = path;
    }
    expect(REDIS_HINT).not.toContain('\n');
  });
});
