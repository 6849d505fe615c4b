import { UNDO_REFUSAL_TEXT, parseCommand, undoRefusal, usageError } from '@closrads/core';
import { EXIT, commandConfig, fail, openRunCommand, startAndReport } from './run-command';

const COMMAND = {
  name: 'undo',
  usage: 'pnpm undo RUN_ID [--campaign NAME]... [--dry-run | --live] [--wait [--json] [--timeout SECONDS]]',
  summary:
    'Starts an undo run of a finished live run: every ad set that run left updated gets back the states it had before, onto its targeting as Facebook has it now (only the states change back). An ad set changed since is left alone (skipped_changed).',
  positionals: [['RUN_ID', 'the live run to undo (see /runs or pnpm enqueue)']],
  options: {
    campaign: {
      type: 'string',
      multiple: true,
      value: 'NAME',
      help: "only this campaign's ad sets (default: all of the run's)",
    },
    'dry-run': { type: 'boolean', help: 'show what the undo would do, change nothing, whatever DRY_RUN says' },
    live: { type: 'boolean', help: 'write to Facebook, whatever DRY_RUN says' },
    wait: { type: 'boolean', help: "wait for the undo run's report and print a summary" },
    json: { type: 'boolean', help: 'with --wait: print exactly the report JSON on stdout (logs go to stderr)' },
    timeout: { type: 'string', value: 'SECONDS', help: 'how long --wait waits (default 600)' },
  },
  exitCodes: [
    [EXIT.ok, 'the undo run finished and succeeded (without --wait: it was enqueued; its run id is printed)'],
    [EXIT.runFailed, 'the undo run finished and did not succeed'],
    [
      EXIT.usage,
      'invalid usage or configuration, Redis unreachable, or RUN_ID unknown, a dry run, unfinished, or older than the stored history',
    ],
    [EXIT.timeout, '--wait ended without a report: it timed out, or no worker is running (the run stays queued)'],
  ],
} as const;

/** `pnpm undo RUN_ID`: an undo is a run like any other (protection, report, channels), trigger `undo`. */
async function main(): Promise<void> {
  const { values: args, positionals } = parseCommand(COMMAND);
  if (positionals.length !== 1)
    usageError(COMMAND, positionals.length === 0 ? 'RUN_ID is missing' : 'only one RUN_ID can be undone at a time');
  const undoOf = positionals[0]!;
  if (args['dry-run'] && args.live) usageError(COMMAND, '--dry-run and --live cannot be used together');
  if (args.json && !args.wait) usageError(COMMAND, '--json only makes sense with --wait');
  const timeoutS = args.timeout === undefined ? 600 : Number(args.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    usageError(COMMAND, '--timeout must be a positive number of seconds');

  const config = await commandConfig('undo');
  const ctx = await openRunCommand('undo', config.redis.url, config.redis.prefix);
  const undone = await ctx.store.getReport(undoOf);
  const refusal = undoRefusal(undone);
  if (refusal) fail('undo', `run ${undoOf} ${UNDO_REFUSAL_TEXT[refusal]}`);
  const inRun = new Set(undone!.campaigns.map((c) => c.name));
  const unknown = (args.campaign ?? []).filter((name) => !inRun.has(name));
  if (unknown.length > 0)
    fail(
      'undo',
      `run ${undoOf} has no campaign ${unknown.map((n) => `"${n}"`).join(', ')}; it has: ${[...inRun].join(', ')}`,
    );
  const dryRun = args['dry-run'] ? true : args.live ? false : config.dryRun;
  if (dryRun) config.logger.warn('DRY RUN MODE: this undo makes no change on Facebook');
  await startAndReport(
    'undo',
    ctx,
    { trigger: 'undo', undoOf, dryRun, campaigns: args.campaign ?? [] },
    { wait: args.wait, json: args.json, timeoutS },
    config.logger,
  );
}

void main();
