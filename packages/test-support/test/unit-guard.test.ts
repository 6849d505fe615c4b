import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { takeRefused } from '../src/unit-guard';

// Runs in the unit layer, whose setup is the guard: every attempt below must be refused.
describe('the unit layer guard', () => {
  afterEach(() => {
    takeRefused();
  });

  it('refuses a TCP connection, and remembers it even when the client swallows the error', async () => {
    expect(() => net.connect(6379, '127.0.0.1')).toThrow(/a unit test opened a socket.*integration layer/);
    const redis = new Redis('redis://127.0.0.1:6379', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    await redis.connect().catch(() => undefined);
    redis.disconnect();
    expect(takeRefused()).toHaveLength(2);
  });

  it('refuses fetch, a server and a child process', async () => {
    await expect(fetch('http://127.0.0.1:12399/')).rejects.toThrow();
    expect(() => http.createServer().listen(0)).toThrow(/started a server/);
    expect(() => spawn('redis-server')).toThrow(/started a process \(spawn\)/);
    expect(() => execFileSync('true')).toThrow(/started a process \(execFileSync\)/);
    expect(takeRefused()).toHaveLength(4);
  });

  it('has no Redis to offer: testRedisUrl says which layer a Redis test belongs to', async () => {
    const { testRedisUrl } = await import('../src/redis');
    expect(() => testRedisUrl()).toThrow(/integration layer/);
  });
});
