import { randomBytes } from 'node:crypto';
import { FlowProducer, MetricsTime, Queue, Worker } from 'bullmq';
import { deletePrefix, jobOptions, workerConnection } from '@closrads/core';
import { STALL_SETTINGS } from '../../apps/worker/src/workers';
import { commandDelta, commandStats, type RedisConn } from './measure';

/** BullMQ's own Redis commands per ad set job, server side: what no change of the product's can remove. */
export interface BullmqFloor {
  jobs: number;
  /** adding a job under its run's parent (planning's addBulk) */
  addPerJob: number;
  /** taking the job, completing it with a small result, and the parent's bookkeeping */
  runPerJob: number;
  perJob: number;
  top: Array<[string, number]>;
}

/**
 * Measures BullMQ's floor the way the product uses it: `jobs` children with the ad set job's options
 * added with addBulk under a parent in another queue, taken by a worker with the product's worker
 * settings (concurrency, stall settings, metrics) whose processor only returns a small result.
 * Counted from INFO commandstats, so nothing else should be using this Redis meanwhile.
 */
export async function measureBullmqFloor(
  redisUrl: string,
  redis: RedisConn,
  jobs = 1000,
  concurrency = 20,
): Promise<BullmqFloor> {
  const prefix = `bench-floor-${randomBytes(3).toString('hex')}`;
  const connection = workerConnection(redisUrl);
  const bullPrefix = `{${prefix}}`;
  const flow = new FlowProducer({ connection, prefix: bullPrefix });
  const children = new Queue('floor-children', { connection, prefix: bullPrefix });
  let worker: Worker | undefined;
  try {
    await flow.add({ name: 'parent', queueName: 'floor-parent', data: {}, opts: { jobId: 'parent' }, children: [] });
    const opts = jobOptions().updateAdset;
    const parent = { id: 'parent', queue: `${bullPrefix}:floor-parent` };
    const s0 = await commandStats(redis);
    await children.addBulk(
      Array.from({ length: jobs }, (_, i) => ({
        name: 'update-adset',
        data: { runId: 'floor', adsetId: String(i) },
        opts: { ...opts, jobId: `floor-${i}`, parent },
      })),
    );
    const s1 = await commandStats(redis);
    let done = 0;
    let allDone: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    worker = new Worker('floor-children', async () => ({ outcome: 'updated' }), {
      connection,
      prefix: bullPrefix,
      concurrency,
      metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
      ...STALL_SETTINGS,
    });
    // 'completed' fires once the job's completion is written.
    worker.on('completed', () => {
      if (++done === jobs) allDone();
    });
    await finished;
    await worker.close();
    worker = undefined;
    const s2 = await commandStats(redis);
    const add = commandDelta(s0, s1, ['info']);
    const run = commandDelta(s1, s2, ['info']);
    return {
      jobs,
      addPerJob: add.total / jobs,
      runPerJob: run.total / jobs,
      perJob: (add.total + run.total) / jobs,
      top: commandDelta(s0, s2, ['info']).top,
    };
  } finally {
    await worker?.close();
    await Promise.all([flow.close(), children.close()]);
    await deletePrefix(redis, prefix).catch(() => undefined);
    connection.disconnect();
  }
}
