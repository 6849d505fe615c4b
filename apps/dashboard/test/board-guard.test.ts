import { appRoutes } from '@bull-board/api/dist/routes.js';
import { QUEUES, keysOfPrefix } from '@closrads/core';
import { Worker, type Queue } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALLOWED_BOARD_WRITES, REFUSED_MESSAGE } from '../src/board-guard';
import { AUTH, testDashboard, type TestDashboard } from './helpers';
import { testRedisUrl } from '@closrads/test-support/redis';

const HOST = 'dash.test:3000';
/** What the board's own page sends: same origin, so the CSRF check lets it through to the guard. */
const write = (d: TestDashboard, method: string, path: string) =>
  request(d.app)
    [method.toLowerCase() as 'put' | 'patch' | 'post' | 'delete'](path)
    .set('Authorization', AUTH)
    .set('Host', HOST)
    .set('Origin', `http://${HOST}`);

const SCHEDULER_QUEUE = QUEUES.planSync;
const JOBS_QUEUE = QUEUES.updateAdset;

/** A plausible body for each refused route, so it is the guard and not Bull Board's validation that says no. */
const BODIES: Record<string, object> = {
  '/api/queues/:queueName/add': { name: 'update-adset', data: { runId: 'r-x', dryRun: false } },
  '/api/queues/:queueName/:jobId/update-data': { data: { runId: 'r-x', adsetId: '1', dryRun: false } },
  '/api/queues/:queueName/:jobId/delay': { delay: 0 },
  '/api/queues/:queueName/:jobId/priority': { priority: 1 },
  '/api/queues/:queueName/concurrency': { concurrency: 1 },
  '/api/queues/:queueName/rate-limit': { max: 1, duration: 60_000 },
  '/api/queues/:queueName/obliterate': { force: true },
  '/api/queues/:queueName/job-schedulers/:schedulerId': { every: 1000 },
};

/** Every write route of Bull Board's table that is not retry or promote, with its parameters filled in. */
function refusedRoutes(): Array<{ method: string; route: string; path: string }> {
  const out: Array<{ method: string; route: string; path: string }> = [];
  for (const def of appRoutes.api) {
    const methods = Array.isArray(def.method) ? def.method : [def.method];
    const routes = Array.isArray(def.route) ? def.route : [def.route];
    for (const m of methods) {
      for (const route of routes) {
        const method = m.toUpperCase();
        if (method === 'GET' || ALLOWED_BOARD_WRITES.has(`${method} ${route}`)) continue;
        const queue = route.includes('job-schedulers') ? SCHEDULER_QUEUE : JOBS_QUEUE;
        const path = route
          .replace(':queueName', queue)
          .replace(':jobId', 'delayed-1')
          .replace(':queueStatus', 'completed')
          .replace(':schedulerId', 'hourly');
        out.push({ method, route, path: `/queues${path}` });
      }
    }
  }
  return out;
}

/** Every key under the prefix with its serialized value: equal snapshots mean nothing changed. */
async function snapshot(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const keys = (await keysOfPrefix(redis, prefix)).sort();
  const out = new Map<string, string>();
  for (const key of keys) out.set(key, (await redis.dumpBuffer(key))?.toString('base64') ?? '');
  return out;
}

/** Runs one worker until `count` jobs have finished: ids starting with `fail` fail, the rest complete. */
async function settle(d: TestDashboard, queue: Queue, count: number): Promise<void> {
  let done = 0;
  const worker = new Worker(
    queue.name,
    async (job) => {
      if (job.id?.startsWith('fail')) throw new Error('(#100) simulated');
      return { ok: true };
    },
    { connection: { url: testRedisUrl() }, prefix: d.deps.keys.bullPrefix },
  );
  await new Promise<void>((resolve) => {
    const step = () => {
      done += 1;
      if (done === count) resolve();
    };
    worker.on('failed', step);
    worker.on('completed', step);
  });
  await worker.close();
}

describe('Bull Board is read, retry and promote only', () => {
  let d: TestDashboard;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(() => {
    redis.disconnect();
  });
  beforeEach(async () => {
    d = await testDashboard();
    const jobs = d.deps.queues[JOBS_QUEUE];
    for (const id of ['fail-1', 'fail-2', 'done-1', 'done-2'])
      await jobs.add('update-adset', { runId: 'r-x', adsetId: id, dryRun: true }, { jobId: id, attempts: 1 });
    await settle(d, jobs, 4);
    await jobs.add(
      'update-adset',
      { runId: 'r-x', adsetId: 'd1', dryRun: true },
      { jobId: 'delayed-1', delay: 3_600_000 },
    );
    await jobs.add(
      'update-adset',
      { runId: 'r-x', adsetId: 'd2', dryRun: true },
      { jobId: 'delayed-2', delay: 3_600_000 },
    );
    await d.deps.queues[SCHEDULER_QUEUE].upsertJobScheduler(
      'hourly',
      { every: 3_600_000 },
      { name: 'plan-sync', data: { runId: 'r-s' } },
    );
  });
  afterEach(async () => {
    await d.close();
  });

  it('refuses every other write of Bull Board’s API with 403 and a clear message, and changes nothing in Redis', async () => {
    const routes = refusedRoutes();
    // The contract's list: edit data, add, delay, priority, clean, empty, obliterate, pause, concurrency, rate limits, schedulers.
    for (const piece of [
      'update-data',
      '/add',
      '/delay',
      '/priority',
      '/clean',
      '/empty',
      '/obliterate',
      '/pause',
      '/resume',
      '/concurrency',
      '/rate-limit',
      'job-schedulers',
      'remove-unprocessed-children',
    ]) {
      expect(
        routes.some((r) => r.route.includes(piece)),
        piece,
      ).toBe(true);
    }
    const before = await snapshot(redis, d.prefix);
    expect(before.size).toBeGreaterThan(0);
    for (const { method, route, path } of routes) {
      const res = await write(d, method, path).send(BODIES[route] ?? {});
      expect(res.status, `${method} ${route}`).toBe(403);
      expect(res.body, `${method} ${route}`).toEqual({ error: 'Refused', message: REFUSED_MESSAGE });
    }
    expect(await snapshot(redis, d.prefix)).toEqual(before);

    const jobs = d.deps.queues[JOBS_QUEUE];
    expect((await jobs.getJob('delayed-1'))?.data).toEqual({ runId: 'r-x', adsetId: 'd1', dryRun: true });
    expect(await jobs.getJobState('delayed-1')).toBe('delayed');
    expect(await jobs.getJobState('done-1')).toBe('completed');
    expect(await jobs.isPaused()).toBe(false);
    expect(await d.deps.queues[SCHEDULER_QUEUE].getJobScheduler('hourly')).toMatchObject({ every: 3_600_000 });
  });

  it('judges a path by the route Bull Board would run: clean-all is not the promote of a job named "clean"', async () => {
    const before = await snapshot(redis, d.prefix);
    for (const [method, path] of [
      ['PUT', `/queues/api/queues/${JOBS_QUEUE}/clean/promote`],
      ['PUT', `/queues/api/queues/${JOBS_QUEUE}/CLEAN/retry`],
      ['PUT', `/queues/API/queues/${JOBS_QUEUE}/pause/`],
      ['POST', `/queues/api/queues/${JOBS_QUEUE}/delayed-1/retry`],
      ['DELETE', `/queues/api/queues/${JOBS_QUEUE}/delayed-1`],
      ['PUT', `/queues/api/queues/${JOBS_QUEUE}/a-future-action`],
      ['POST', '/queues/'],
    ] as const) {
      const res = await write(d, method, path).send({});
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    const page = await write(d, 'POST', '/queues/').send({});
    expect(page.text).toBe(`${REFUSED_MESSAGE}\n`);
    expect(await snapshot(redis, d.prefix)).toEqual(before);
  });

  it('still reads, retries one job or all of them, and promotes one job or all of them', async () => {
    const jobs = d.deps.queues[JOBS_QUEUE];
    const read = await request(d.app).get(`/queues/api/queues/${JOBS_QUEUE}/delayed-1`).set('Authorization', AUTH);
    expect(read.status).toBe(200);
    expect(await request(d.app).head('/queues').set('Authorization', AUTH)).toMatchObject({ status: 200 });

    expect((await write(d, 'PUT', `/queues/api/queues/${JOBS_QUEUE}/fail-1/retry`)).status).toBeLessThan(300);
    expect(await jobs.getJobState('fail-1')).toBe('waiting');
    const retryFailed = await write(d, 'PUT', `/queues/api/queues/${JOBS_QUEUE}/retry/failed`);
    expect(retryFailed.status).toBeLessThan(300);
    expect(retryFailed.body).toMatchObject({ retried: 1 });
    expect(await jobs.getJobState('fail-2')).toBe('waiting');
    expect((await write(d, 'PUT', `/queues/api/queues/${JOBS_QUEUE}/retry/completed`)).status).toBeLessThan(300);
    expect(await jobs.getJobState('done-1')).toBe('waiting');
    expect(await jobs.getJobState('done-2')).toBe('waiting');

    expect((await write(d, 'PUT', `/queues/api/queues/${JOBS_QUEUE}/delayed-1/promote`)).status).toBeLessThan(300);
    expect(await jobs.getJobState('delayed-1')).toBe('waiting');
    expect((await write(d, 'PUT', `/queues/api/queues/${JOBS_QUEUE}/promote`)).status).toBeLessThan(300);
    expect(await jobs.getJobState('delayed-2')).toBe('waiting');
    // Retry does not change the data it re-runs with.
    expect((await jobs.getJob('done-1'))?.data).toEqual({ runId: 'r-x', adsetId: 'done-1', dryRun: true });
  });
});
