import { afterEach, describe, expect, it } from 'vitest';
import { JOB_NAMES, Keyspace, jobOptions, workerConnection } from '@closrads/core';
import { Job, Queue, QueueEvents, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import { startWorkers, withErrorPolicy, type JobHandlers } from '../src/workers';
import { campaign, startHarness, type Harness } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario } from '@closrads/test-support/scenarios';

const VET = campaign({
  name: 'Veterans',
  closrtechCampaign: 'VET',
  adAccountId: 'act_1',
  facebookCampaignIds: ['9001'],
  protection: false,
});

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

/** Waits for the job's end through BullMQ's own events; resolves with the job as stored. */
async function settled(queue: Queue, events: QueueEvents, job: Job): Promise<Job> {
  await job.waitUntilFinished(events, 20_000).catch(() => undefined);
  const stored = await Job.fromId(queue, job.id!);
  if (!stored) throw new Error(`job ${job.id} is gone`);
  return stored;
}

describe('the error policy of the workers', () => {
  it('fails a processor’s programming error once, keeping the original error and its stack', async () => {
    const h: Harness = await startHarness({
      scenario: baseScenario(),
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
    });
    cleanup.push(() => h.close());
    const queue = h.system.deps.queues.finalizeReport;
    const events = new QueueEvents(queue.name, {
      connection: workerConnection(h.redisUrl),
      prefix: h.system.deps.keys.bullPrefix,
    });
    cleanup.push(() => events.close());
    await events.waitUntilReady();

    // Our own job data that breaks its schema: the same code on the same data fails the same way.
    const options = jobOptions(h.system.deps.timing).finalizeReport;
    expect(options.attempts).toBeGreaterThan(1);
    const job = await queue.add(JOB_NAMES.finalizeReport, { runId: 42 }, { ...options, jobId: 'finalize-broken' });
    const stored = await settled(queue, events, job);

    expect(await stored.getState()).toBe('failed');
    expect(stored.attemptsMade).toBe(1);
    expect(stored.failedReason).toMatch(/^programming error, not retried: /);
    expect((stored.stacktrace ?? []).join('\n')).toMatch(/caused by: ZodError/);
    expect(h.logs.some((l) => l.includes('job failed on a programming error; not retried'))).toBe(true);
  });

  it('retries a transient error with the job’s attempts, and fails a permanent one at once', async () => {
    const redisUrl = testRedisUrl();
    const prefix = uniquePrefix();
    const keys = new Keyspace(prefix);
    const connection: Redis = workerConnection(redisUrl);
    const queue = new Queue('policy', { connection, prefix: keys.bullPrefix });
    const events = new QueueEvents('policy', { connection: workerConnection(redisUrl), prefix: keys.bullPrefix });
    await events.waitUntilReady();
    const processor: Processor = async (job) => {
      if (job.name === 'blip')
        throw Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET', syscall: 'connect' });
      throw new TypeError("Cannot read properties of undefined (reading 'campaigns')");
    };
    const worker = new Worker('policy', withErrorPolicy(processor, []), { connection, prefix: keys.bullPrefix });
    cleanup.push(async () => {
      await worker.close();
      await events.close();
      await queue.close();
      await connection.quit();
      await deleteUnder(redisUrl, prefix);
    });

    const attempts = { attempts: 3, backoff: { type: 'fixed', delay: 10 } };
    const blip = await settled(queue, events, await queue.add('blip', {}, attempts));
    const bug = await settled(queue, events, await queue.add('bug', {}, attempts));

    expect(blip.attemptsMade).toBe(3);
    expect(blip.failedReason).toBe('connect ECONNRESET');
    expect(bug.attemptsMade).toBe(1);
    expect((bug.stacktrace ?? []).join('\n')).toContain(
      "TypeError: Cannot read properties of undefined (reading 'campaigns')",
    );
  });

  it('fails at once a job whose result breaks its schema, or whose name its queue does not run', async () => {
    const h: Harness = await startHarness({
      scenario: baseScenario(),
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      withoutWorkers: true,
    });
    cleanup.push(() => h.close());
    // A handler with a bug in what it returns (the type system is bypassed, as a bug would).
    const broken = (async () => ({ channel: 'email', status: 'maybe' })) as unknown as JobHandlers['deliverReport'];
    const running = startWorkers(h.system.deps, { handlers: { deliverReport: broken } });
    cleanup.push(() => running.close());
    const queue = h.system.deps.queues.deliverReport;
    const events = new QueueEvents(queue.name, {
      connection: workerConnection(h.redisUrl),
      prefix: h.system.deps.keys.bullPrefix,
    });
    cleanup.push(() => events.close());
    await events.waitUntilReady();
    const options = jobOptions(h.system.deps.timing).deliverReport;

    const data = { runId: 'r-20261201-000000-abcd', channel: 'email', kind: 'report', revision: 1 };
    const badResult = await settled(queue, events, await queue.add(JOB_NAMES.deliverReport, data, options));
    const unknownName = await settled(queue, events, await queue.add('deliver-everything', data, options));

    expect(badResult.attemptsMade).toBe(1);
    expect(badResult.failedReason).toMatch(/^programming error, not retried: /);
    expect(badResult.returnvalue).toBeNull();
    expect(unknownName.attemptsMade).toBe(1);
    expect(unknownName.failedReason).toBe('no job named deliver-everything runs on deliver-report');
  });
});
