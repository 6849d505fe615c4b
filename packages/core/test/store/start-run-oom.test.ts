import { FlowProducer } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedis } from '@closrads/test-support/private-redis';
import { Keyspace, RunNotStartedError, RunStore, startRun } from '../../src';

/**
 * Redis out of memory while a run starts. Destructive (maxmemory is changed), so on a private
 * redis-server of this file's own, stopped by its pid at the end.
 */
describe('startRun when Redis refuses writes', () => {
  let server: PrivateRedis;
  let redis: Redis;
  const keys = new Keyspace('oom-start');

  beforeAll(async () => {
    server = await PrivateRedis.create();
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
    // A running product has started runs before: BullMQ's scripts are loaded on the connection.
    const flow = new FlowProducer({ connection: redis, prefix: 'warm-up' });
    await startRun(
      { flow, store: new RunStore(redis, new Keyspace('warm-up')) },
      { trigger: 'manual', dryRun: true, campaigns: [] },
    );
    await flow.close();
  });
  afterAll(async () => {
    redis.disconnect();
    await server.destroy();
  });

  async function withMaxmemory<T>(headroomBytes: number | 'none', fn: () => Promise<T>): Promise<T> {
    const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    await redis.config('SET', 'maxmemory', headroomBytes === 'none' ? '1' : String(used + headroomBytes));
    try {
      return await fn();
    } finally {
      await redis.config('SET', 'maxmemory', '0');
    }
  }

  it.each([
    ['before anything is written', 'none' as const],
    ['after the run record, at the flow', 2000],
  ])('refused %s: RunNotStartedError with the reason, nothing left behind', async (_when, headroom) => {
    const store = new RunStore(redis, keys);
    const flow = new FlowProducer({ connection: redis, prefix: keys.bullPrefix });
    try {
      const err = await withMaxmemory(headroom, () =>
        startRun({ flow, store }, { trigger: 'manual', dryRun: true, campaigns: [] }).catch((e: unknown) => e),
      );
      expect(err).toBeInstanceOf(RunNotStartedError);
      expect((err as Error).message).toMatch(/^Redis refused to start run r-\S+: OOM command not allowed/);
      expect((err as Error).message).not.toContain('\n');
      expect(await redis.keys('*oom-start*')).toEqual([]);
      expect(await redis.keys('*warm-up*')).not.toEqual([]);
      expect(await store.listRuns()).toEqual([]);
    } finally {
      await flow.close();
    }
  });

  it('starts normally once memory is there again', async () => {
    const store = new RunStore(redis, keys);
    const flow = new FlowProducer({ connection: redis, prefix: keys.bullPrefix });
    const runId = await startRun({ flow, store }, { trigger: 'manual', dryRun: true, campaigns: [] });
    expect((await store.listRuns()).map((r) => r.meta.runId)).toEqual([runId]);
    await flow.close();
  });
});
