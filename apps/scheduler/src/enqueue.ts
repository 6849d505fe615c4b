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
  waitForReport,
  exitAfterFlush,
} from '@closrads/core';
import { FlowProducer } from 'bullmq';

const USAGE = `usage: pnpm enqueue [--campaign NAME [--approve]]... [--dry-run | --live] [--wait [--json] [--timeout SECONDS]]

  --approve   run the named campaigns even where their guardrails would hold them, this once`;

/** Exit codes of the contract. */
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
        approve: { type: 'boolean' },
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
  // An approval names what it lets through: approving every campaign at once would switch the guardrails off.
  if (args.approve && !args.campaign?.length) fail(`--approve needs --campaign NAME: it approves the named campaigns only\n${USAGE}`);
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
  let code: number = EXIT.ok;
  try {
    const runId = await startRun({ flow, store }, { trigger: 'manual', dryRun, campaigns: args.campaign ?? [], approve: args.approve ? args.campaign : [] });
    logger.info({ runId, dryRun, campaigns: args.campaign ?? 'all enabled', approved: args.approve === true }, 'run enqueued');
    if (!args.wait) {
      process.stdout.write(`${runId}\n`);
    } else {
      const report = await waitForReport(store, runId, timeoutS * 1000);
      if (!report) {
        process.stderr.write(`enqueue: run ${runId} did not finish within ${timeoutS} s (is a worker running?)\n`);
        code = EXIT.timeout;
      } else {
        process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTextSummary(report)}\n`);
        code = report.success ? EXIT.ok : EXIT.runFailed;
      }
    }
  } finally {
    await flow.close();
    await redis.quit().catch(() => undefined);
  }
  exitAfterFlush(code);
}

void main();
