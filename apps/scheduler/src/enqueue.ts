import { parseCommand, usageError } from '@closrads/core';
import { EXIT, commandConfig, fail, openRunCommand, startAndReport } from './run-command';

const COMMAND = {
  name: 'enqueue',
  usage: 'pnpm enqueue [--campaign NAME [--approve]]... [--dry-run | --live] [--wait [--json] [--timeout SECONDS]]',
  summary:
    'Starts a sync run now, through the same path as a scheduled run, and prints its run id (or, with --wait, its report).',
  options: {
    campaign: {
      type: 'string',
      multiple: true,
      value: 'NAME',
      help: 'only this campaign (default: every enabled campaign)',
    },
    'dry-run': { type: 'boolean', help: 'make no change on Facebook, whatever DRY_RUN says' },
    live: { type: 'boolean', help: 'write to Facebook, whatever DRY_RUN says' },
    wait: { type: 'boolean', help: "wait for the run's report and print a summary" },
    json: { type: 'boolean', help: 'with --wait: print exactly the report JSON on stdout (logs go to stderr)' },
    timeout: { type: 'string', value: 'SECONDS', help: 'how long --wait waits (default 600)' },
    approve: {
      type: 'boolean',
      help: 'with --campaign: run the named campaigns even where their guardrails would hold them, this once',
    },
  },
  exitCodes: [
    [EXIT.ok, 'the run finished and succeeded (without --wait: the run was enqueued)'],
    [EXIT.runFailed, 'the run finished and did not succeed'],
    [EXIT.usage, 'invalid usage, invalid configuration, an unknown campaign, or Redis unreachable'],
    [EXIT.timeout, '--wait ended without a report: it timed out, or no worker is running (the run stays queued)'],
  ],
} as const;

/** `pnpm enqueue`: starts a sync run now, through the same path as a scheduled run. */
async function main(): Promise<void> {
  const args = parseCommand(COMMAND).values;
  if (args['dry-run'] && args.live) usageError(COMMAND, '--dry-run and --live cannot be used together');
  if (args.json && !args.wait) usageError(COMMAND, '--json only makes sense with --wait');
  // An approval names what it lets through: approving every campaign at once would switch the guardrails off.
  if (args.approve && !args.campaign?.length)
    usageError(COMMAND, '--approve needs --campaign NAME: it approves the named campaigns only');
  const timeoutS = args.timeout === undefined ? 600 : Number(args.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    usageError(COMMAND, '--timeout must be a positive number of seconds');

  const config = await commandConfig('enqueue');
  const known = new Set(config.campaigns.list.map((c) => c.name));
  const unknown = (args.campaign ?? []).filter((name) => !known.has(name));
  if (unknown.length > 0)
    fail('enqueue', `unknown campaign ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${[...known].join(', ')}`);
  const dryRun = args['dry-run'] ? true : args.live ? false : config.dryRun;
  if (dryRun) config.logger.warn('DRY RUN MODE: this run makes no change on Facebook');

  const ctx = await openRunCommand('enqueue', config.redis.url, config.redis.prefix);
  const campaigns = args.campaign ?? [];
  await startAndReport(
    'enqueue',
    ctx,
    { trigger: 'manual', dryRun, campaigns, approve: args.approve ? campaigns : [] },
    { wait: args.wait, json: args.json, timeoutS },
    config.logger,
  );
}

void main();
