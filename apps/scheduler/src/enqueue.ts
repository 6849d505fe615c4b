import { parseArgs } from 'node:util';
import {
  ConfigError,
  Keyspace,
  RunStore,
  assertRedisReachable,
  createLogger,
  loadConfig,
  loadDotEnv,
  producerConnection,
  renderTextSummary,
  startRun,
  exitAfterFlush,
  exitCodeOf,
  resultOf,
  ALL_QUEUES,
  type QueueName,
  type RunStore as RunStoreType,
} from '@closrads/core';
import { FlowProducer, Queue } from 'bullmq';
import { waitWithProgress } from './wait-progress';

const USAGE = `usage: pnpm enqueue [--campaign NAME]... [--dry-run | --live] [--wait [--json] [--timeout SECONDS]]`;

/**
 * Exit codes of the contract. 3 also when no worker is running: like a timeout, `--wait` ended
 * without a report, and the run stays queued until a worker takes it.
 */
const EXIT = { ok: 0, runFailed: 1, usage: 2, timeout: 3 } as const;

function fail(message: string, code: number = EXIT.usage): never {
  process.stderr.write(`enqueue: ${message}\n`);
  process.exit(code);
}

/** `pnpm enqueue`: starts a sync run now, through the same path as a scheduled run. */
async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        campaign: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean' },
        live: { type: 'boolean' },
        wait: { type: 'boolean' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (args['dry-run'] && args.live) fail(`--dry-run and --live cannot be used together\n${USAGE}`);
  if (args.json && !args.wait) fail(`--json only makes sense with --wait\n${USAGE}`);
  const timeoutS = args.timeout === undefined ? 600 : Number(args.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) fail(`--timeout must be a positive number of seconds\n${USAGE}`);

  loadDotEnv();
  let config;
  try {
    config = loadConfig(['log', 'redis', 'campaigns', 'dryRun']);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  // Logs go to stderr so that stdout carries only the run id, the summary, or the report JSON.
  const logger = createLogger({ level: config.log.level, name: 'enqueue' }, process.stderr);
  const known = new Set(config.campaigns.list.map((c) => c.name));
  const unknown = (args.campaign ?? []).filter((name) => !known.has(name));
  if (unknown.length > 0) fail(`unknown campaign ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${[...known].join(', ')}`);
  const dryRun = args['dry-run'] ? true : args.live ? false : config.dryRun;
  if (dryRun) logger.warn('DRY RUN MODE: this run makes no change on Facebook');

  try {
    await assertRedisReachable(config.redis.url);
  } catch (err) {
    fail((err as Error).message);
  }
  const redis = producerConnection(config.redis.url);
  redis.on('error', () => undefined);
  const keys = new Keyspace(config.redis.prefix);
  const store = new RunStore(redis, keys);
  const flow = new FlowProducer({ connection: redis, prefix: keys.bullPrefix });
  // Read only: `--wait` counts the worker processes on them and reads the run's progress.
  const queues = Object.fromEntries(ALL_QUEUES.map((name) => [name, new Queue(name, { connection: redis, prefix: keys.bullPrefix })])) as Record<QueueName, Queue>;
  for (const q of Object.values(queues)) q.on('error', () => undefined);
  let code: number = EXIT.ok;
  try {
    const runId = await startRun({ flow, store }, { trigger: 'manual', dryRun, campaigns: args.campaign ?? [] });
    logger.info({ runId, dryRun, campaigns: args.campaign ?? 'all enabled' }, 'run enqueued');
    if (!args.wait) {
      process.stdout.write(`${runId}\n`);
    } else {
      code = await waitAndPrint({ store, queues, runId, timeoutS, json: args.json === true });
    }
  } finally {
    await Promise.all(Object.values(queues).map((q) => q.close()));
    await flow.close();
    await redis.quit().catch(() => undefined);
  }
  exitAfterFlush(code);
}

/** `--wait`: progress on stderr, then the summary (or the JSON) on stdout; the exit code of the run. */
async function waitAndPrint(opts: { store: RunStoreType; queues: Record<QueueName, Queue>; runId: string; timeoutS: number; json: boolean }): Promise<number> {
  const outcome = await waitWithProgress({ store: opts.store, queues: opts.queues, runId: opts.runId, timeoutMs: opts.timeoutS * 1000, progress: process.stderr });
  if (outcome.kind === 'no_worker') {
    process.stderr.write(`enqueue: no worker is running: run ${opts.runId} stays queued and starts when a worker does (pnpm worker)\n`);
    return EXIT.timeout;
  }
  if (outcome.kind === 'timeout') {
    process.stderr.write(`enqueue: run ${opts.runId} did not finish within ${opts.timeoutS} s; it goes on, see pnpm dashboard\n`);
    return EXIT.timeout;
  }
  const { report } = outcome;
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTextSummary(report)}\n`);
  // The contract's rule, from the report's own success: a run that needs attention still exits 0.
  return exitCodeOf(resultOf(report)) === 0 ? EXIT.ok : EXIT.runFailed;
}

void main();
