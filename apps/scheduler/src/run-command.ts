import {
  ALL_QUEUES,
  Keyspace,
  RunNotStartedError,
  RunStore,
  assertRedisReachable,
  exitAfterFlush,
  exitCodeOf,
  producerConnection,
  redisRefusal,
  resultOf,
  startFailure,
  startProcess,
  startRun,
  type Config,
  type Logger,
  type QueueName,
  type StartRunRequest,
} from '@closrads/core';
import { renderTextSummary } from '@closrads/notify';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { waitWithProgress } from './wait-progress';

/**
 * What `pnpm enqueue` and `pnpm undo` share: the contract's exit codes, reading the configuration,
 * starting the run, and `--wait`. 3 also when no worker is running: like a timeout, `--wait` ended
 * without a report, and the run stays queued until a worker takes it.
 */
export const EXIT = { ok: 0, runFailed: 1, usage: 2, timeout: 3 } as const;

export interface WaitArgs {
  wait?: boolean;
  json?: boolean;
  timeoutS: number;
}

/** A one-line reason on stderr and exit 2 (usage, configuration, Redis). */
export function fail(command: string, message: string): never {
  startFailure(command, message);
}

/** The configuration a run-starting command needs, read once; a problem is exit 2 with every issue listed. */
export async function commandConfig(
  command: string,
): Promise<Config<'log' | 'redis' | 'campaigns' | 'dryRun'> & { logger: Logger }> {
  // Logs go to stderr so that stdout carries only the run id, the summary, or the report JSON.
  // Redis is probed by openRunCommand, after the command's own checks of its arguments.
  const { config, logger } = await startProcess({
    name: command,
    sections: ['redis', 'campaigns', 'dryRun'],
    logTo: 'stderr',
  });
  return { ...config, logger };
}

/** Redis for one command: its run store, its flow producer, read-only queues, and how to close them. */
export interface RunCommandContext {
  store: RunStore;
  flow: FlowProducer;
  queues: Record<QueueName, Queue>;
  close(): Promise<void>;
}

export async function openRunCommand(command: string, redisUrl: string, prefix: string): Promise<RunCommandContext> {
  try {
    await assertRedisReachable(redisUrl);
  } catch (err) {
    fail(command, (err as Error).message);
  }
  const redis = producerConnection(redisUrl);
  redis.on('error', () => undefined);
  const keys = new Keyspace(prefix);
  const flow = new FlowProducer({ connection: redis, prefix: keys.bullPrefix });
  // Read only: `--wait` counts the worker processes on them and reads the run's progress.
  const queues = openRunQueues(redis, keys);
  return {
    store: new RunStore(redis, keys),
    flow,
    queues,
    close: async () => {
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await flow.close();
      await redis.quit().catch(() => undefined);
    },
  };
}

function openRunQueues(redis: Redis, keys: Keyspace): Record<QueueName, Queue> {
  const queues = Object.fromEntries(
    ALL_QUEUES.map((name) => [name, new Queue(name, { connection: redis, prefix: keys.bullPrefix })]),
  ) as Record<QueueName, Queue>;
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  return queues;
}

/**
 * Starts the run (a Redis refusal is exit 2 with one line: the run was not started), prints its id or,
 * with `--wait`, its report, and exits with the contract's code.
 */
export async function startAndReport(
  command: string,
  ctx: RunCommandContext,
  req: StartRunRequest,
  args: WaitArgs,
  logger: Logger,
): Promise<void> {
  let code: number = EXIT.ok;
  try {
    let runId: string;
    try {
      runId = await startRun({ flow: ctx.flow, store: ctx.store }, req);
    } catch (err) {
      // Redis answered but refused the writes (out of memory, read-only): the run was not started.
      await ctx.close().catch(() => undefined);
      fail(
        command,
        err instanceof RunNotStartedError ? err.message : `Redis refused to start the run: ${redisRefusal(err)}`,
      );
    }
    logger.info(
      {
        runId,
        trigger: req.trigger,
        dryRun: req.dryRun,
        campaigns: req.campaigns.length > 0 ? req.campaigns : 'all',
        ...(req.undoOf ? { undoOf: req.undoOf } : {}),
      },
      'run enqueued',
    );
    if (!args.wait) process.stdout.write(`${runId}\n`);
    else code = await waitAndPrint(command, ctx, runId, args);
  } finally {
    await ctx.close();
  }
  exitAfterFlush(code);
}

/** `--wait`: progress on stderr, then the summary (or the JSON) on stdout; the exit code of the run. */
async function waitAndPrint(command: string, ctx: RunCommandContext, runId: string, args: WaitArgs): Promise<number> {
  const outcome = await waitWithProgress({
    store: ctx.store,
    queues: ctx.queues,
    runId,
    timeoutMs: args.timeoutS * 1000,
    progress: process.stderr,
  });
  if (outcome.kind === 'no_worker') {
    process.stderr.write(
      `${command}: no worker is running: run ${runId} stays queued and starts when a worker does (pnpm worker)\n`,
    );
    return EXIT.timeout;
  }
  if (outcome.kind === 'timeout') {
    process.stderr.write(
      `${command}: run ${runId} did not finish within ${args.timeoutS} s; it goes on, see pnpm dashboard\n`,
    );
    return EXIT.timeout;
  }
  const { report } = outcome;
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTextSummary(report)}\n`);
  // The contract's rule, from the report's own success: a run that needs attention still exits 0.
  return exitCodeOf(resultOf(report)) === 0 ? EXIT.ok : EXIT.runFailed;
}
