import { FlowProducer, Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyspace } from '@closrads/core';
import { childPages, hashPages } from '../src/report-pages';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';

// The finalizer folds a run's results page by page; a page smaller than the run must still yield
// every child (and every hash field) exactly as reading them all at once would.
const PAGE = 50;

describe('report pages', () => {
  const prefix = uniquePrefix('pages');
  const keys = new Keyspace(prefix);
  let redis: Redis;
  let parentQueue: Queue;
  let parent: Job;
  // A hash this small is one listpack, which HSCAN returns whole whatever COUNT says: past it, the
  // parent's processed hash really comes in pages.
  let CHILDREN = 0;

  beforeAll(async () => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const [, listpack] = (await redis.config('GET', 'hash-max-listpack-entries')) as [string, string];
    CHILDREN = Number(listpack) + 60;
    const connection = { connection: redis, prefix: keys.bullPrefix };
    const flow = new FlowProducer(connection);
    const node = await flow.add({
      name: 'parent',
      queueName: 'pages-parent',
      data: {},
      children: Array.from({ length: CHILDREN }, (_, i) => ({
        name: 'child',
        queueName: 'pages-child',
        data: { i },
        opts: { jobId: `child-${i}`, ignoreDependencyOnFailure: true, attempts: 1 },
      })),
    });
    const blocking = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const events = new QueueEvents('pages-parent', { connection: blocking, prefix: keys.bullPrefix });
    await events.waitUntilReady();
    const children = new Worker(
      'pages-child',
      async (job: Job<{ i: number }>) => {
        // Every fiftieth child fails; its parent keeps going (ignoreDependencyOnFailure).
        if (job.data.i % 50 === 0) throw new Error(`child ${job.data.i} failed`);
        return { i: job.data.i };
      },
      { ...connection, concurrency: 50 },
    );
    const parents = new Worker('pages-parent', async () => 'done', connection);
    await node.job.waitUntilFinished(events, 60_000);
    await Promise.all([children.close(), parents.close(), events.close(), flow.close()]);
    blocking.disconnect();
    parentQueue = new Queue('pages-parent', connection);
    parent = (await Job.fromId(parentQueue, node.job.id!))!;
  });

  afterAll(async () => {
    await parentQueue?.close();
    await deleteUnder(testRedisUrl(), prefix);
    redis.disconnect();
  });

  it('yields every processed child and every failed one, in pages of the size asked for', async () => {
    const processed = new Map<string, unknown>();
    let pages = 0;
    for await (const page of childPages(parent, 'processed', PAGE)) {
      pages++;
      for (const [key, value] of page) processed.set(key, value);
    }
    const failed = new Map<string, unknown>();
    for await (const page of childPages(parent, 'ignored', PAGE))
      for (const [key, reason] of page) failed.set(key, reason);

    expect(processed).toEqual(new Map(Object.entries(await parent.getChildrenValues())));
    expect(failed).toEqual(new Map(Object.entries(await parent.getIgnoredChildrenFailures())));
    const failing = Array.from({ length: CHILDREN }, (_, i) => i).filter((i) => i % 50 === 0);
    expect(failed.size).toBe(failing.length);
    expect(processed.size).toBe(CHILDREN - failing.length);
    expect([...processed.values()].map((v) => (v as { i: number }).i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: CHILDREN }, (_, i) => i).filter((i) => i % 50 !== 0),
    );
    expect(pages).toBeGreaterThan(1);
  });

  it('reads a hash whole, page by page', async () => {
    const key = keys.unchangedAdsets('r-pages');
    const fields = Object.fromEntries(Array.from({ length: CHILDREN }, (_, i) => [`a${i}`, JSON.stringify({ i })]));
    await redis.hset(key, fields);
    const seen = new Map<string, string>();
    let pages = 0;
    for await (const page of hashPages(redis, key, PAGE)) {
      pages++;
      for (const [field, value] of page) seen.set(field, value);
    }
    expect(Object.fromEntries(seen)).toEqual(fields);
    expect(pages).toBeGreaterThan(1);
    const none: unknown[] = [];
    for await (const page of hashPages(redis, keys.unchangedAdsets('r-none'), PAGE)) none.push(page);
    expect(none).toEqual([]);
  });
});
