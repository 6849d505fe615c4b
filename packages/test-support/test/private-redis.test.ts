import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { assertRedisReachable } from '@closrads/core';
import { PrivateRedis, REDIS_HINT, ensureRedis } from '../src/private-redis';
import { testRedisUrl } from '../src/redis';

describe('ensureRedis', () => {
  it('uses the Redis that answers', async () => {
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
    // stop() returns once the server has exited: nothing answers on its port any more.
    await redis.stop();
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

  it('a persistent private server keeps what was written across a stop and a start', async () => {
    const server = await PrivateRedis.create({ persistent: true });
    try {
      const a = new Redis(server.url);
      await a.set('kept', 'yes');
      a.disconnect();
      await server.stop();
      await server.start();
      const b = new Redis(server.url);
      expect(await b.get('kept')).toBe('yes');
      b.disconnect();
    } finally {
      await server.destroy();
    }
  });
});
