import { afterEach, describe, expect, it } from 'vitest';
import { JOB_NAMES, Keyspace, jobOptions, workerConnection } from '@closrads/core';
import { Job, Queue, QueueEvents, Worker, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import { deleteUnder, testRedisUrl, uniquePrefix } from '../../../test/redis';
import { withErrorPolicy } from '../src/workers';
import { campaign, startHarness, type Harness } from './harness';
import { CREDENTIALS, TOKEN, baseScenario } from './scenarios';

const VET = campaign({ name: 'Veterans', closrtechCampaign: 'VET', adAccountId: 'act_1', facebookCampaignIds: ['9001'], protection: false });

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
    const h: Harness = await startHarness({ scenario: baseScenario(), campaigns: [VET], closrtechCredentials: CREDENTIALS, accessToken: TOKEN });
    cleanup.push(() => h.close());
    const queue = h.system.deps.queues.finalizeReport;
    const events = new QueueEvents(queue.name, { connection: workerConnection(h.redisUrl), prefix: h.system.deps.keys.bullPrefix });
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
      if (job.name === 'blip') throw Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET', syscall: 'connect' });
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
    expect((bug.stacktrace ?? []).join('\n')).toContain("TypeError: Cannot read properties of undefined (reading 'campaigns')");
  });
});
