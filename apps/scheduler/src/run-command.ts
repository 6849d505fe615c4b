import { ALL_QUEUES, exitCodeOf, renderTextSummary, resultOf, type Keyspace, type QueueName, type RunStore } from '@closrads/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { waitWithProgress } from './wait-progress';

/**
 * What `pnpm enqueue` and `pnpm undo` share once their run is started: the contract's exit codes and
 * `--wait`. 3 also when no worker is running: like a timeout, `--wait` ended without a report, and the
 * run stays queued until a worker takes it.
 */
export const EXIT = { ok: 0, runFailed: 1, usage: 2, timeout: 3 } as const;

/** Read-only queues: `--wait` counts the worker processes on them and reads the run's progress. */
export function openRunQueues(redis: Redis, keys: Keyspace): Record<QueueName, Queue> {
  const queues = Object.fromEntries(ALL_QUEUES.map((name) => [name, new Queue(name, { connection: redis, prefix: keys.bullPrefix })])) as Record<QueueName, Queue>;
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  return queues;
}

/** `--wait`: progress on stderr, then the summary (or the JSON) on stdout; the exit code of the run. */
export async function waitAndPrint(opts: {
  store: RunStore;
  queues: Record<QueueName, Queue>;
  runId: string;
  timeoutS: number;
  json: boolean;
  command: string;
}): Promise<number> {
  const outcome = await waitWithProgress({ store: opts.store, queues: opts.queues, runId: opts.runId, timeoutMs: opts.timeoutS * 1000, progress: process.stderr });
  if (outcome.kind === 'no_worker') {
    process.stderr.write(`${opts.command}: no worker is running: run ${opts.runId} stays queued and starts when a worker does (pnpm worker)\n`);
    return EXIT.timeout;
  }
  if (outcome.kind === 'timeout') {
    process.stderr.write(`${opts.command}: run ${opts.runId} did not finish within ${opts.timeoutS} s; it goes on, see pnpm dashboard\n`);
    return EXIT.timeout;
  }
  const { report } = outcome;
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTextSummary(report)}\n`);
  // The contract's rule, from the report's own success: a run that needs attention still exits 0.
  return exitCodeOf(resultOf(report)) === 0 ? EXIT.ok : EXIT.runFailed;
}
