/**
 * `pnpm bench [--quick] [--json] [--case NAME]... [--latency 50] [--concurrency 20] [--verify-delay 3000]
 *             [--no-sequential] [--seq-sample 500] [--seq-budget 30000] [--what-if NAME] [--list]
 *             [--follow-interval 10] [--follow-changes 3]`
 *
 * Runs each case against the simulator: the queue system in a worker process of its own, then the
 * sequential baseline against a fresh identical simulator, and prints the figures (table, or JSON
 * with --json on stdout; progress goes to stderr). Then the `demand-follow` case (demand-follow.ts):
 * the time from a demand change to the ad sets targeting it, through the demand-check schedule.
 * Cases too long for the default list (`change-50k-20acct`) run only when named:
 * `pnpm bench --case change-50k-20acct` (its run timeout is at least 30 min).
 */
import { writeFileSync } from 'node:fs';
import { configOrExit, parseCommand, RegionTable, usageError, workerConnection } from '@closrads/core';
import { ensureRedis } from '@closrads/test-support/private-redis';
import { CASES, type CaseSpec } from './cases';
import { renderMachine, renderTable } from './format';
import { machineInfo } from './measure';
import { addCrossCaseTargets, runCase, type BenchSettings, type CaseResult } from './run-case';
import { measureBullmqFloor, type BullmqFloor } from './bullmq-floor';
import { WHAT_IFS } from './whatif';
import { DEMAND_FOLLOW_CASE, renderDemandFollow, runDemandFollow, type DemandFollowResult } from './demand-follow';

interface Cli {
  quick: boolean;
  json: boolean;
  list: boolean;
  cases: string[];
  latencyMs: number;
  concurrency: number;
  verifyDelayMs: number;
  sequential: boolean;
  seqSample: number;
  seqBudgetMs: number;
  whatIf: string[];
  jsonOut?: string;
  runTimeoutS: number;
  followIntervalS: number;
  followChanges: number;
}

function parseArgs(argv: string[]): Cli {
  const cli: Cli = {
    quick: false,
    json: false,
    list: false,
    cases: [],
    latencyMs: 50,
    concurrency: 20,
    verifyDelayMs: 3000,
    sequential: true,
    seqSample: 500,
    seqBudgetMs: 30_000,
    whatIf: [],
    runTimeoutS: 600,
    followIntervalS: 10,
    followChanges: 3,
  };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] =
      a?.startsWith('--') && a.includes('=') ? (a.split('=', 2) as [string, string]) : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--':
        break;
      case '--quick':
        cli.quick = true;
        break;
      case '--json':
        cli.json = true;
        break;
      case '--json-out':
        cli.jsonOut = value();
        break;
      case '--run-timeout':
        cli.runTimeoutS = Math.max(1, num(flag, value()));
        break;
      case '--follow-interval':
        cli.followIntervalS = Math.min(59, Math.max(1, Math.round(num(flag, value()))));
        break;
      case '--follow-changes':
        cli.followChanges = Math.max(1, Math.round(num(flag, value())));
        break;
      case '--list':
        cli.list = true;
        break;
      case '--case':
        cli.cases.push(...(value() ?? '').split(',').filter(Boolean));
        break;
      case '--latency':
        cli.latencyMs = num(flag, value());
        break;
      case '--concurrency':
        cli.concurrency = Math.max(1, num(flag, value()));
        break;
      case '--verify-delay':
        cli.verifyDelayMs = num(flag, value());
        break;
      case '--no-sequential':
        cli.sequential = false;
        break;
      case '--seq-sample':
        cli.seqSample = Math.max(1, num(flag, value()));
        break;
      case '--seq-budget':
        cli.seqBudgetMs = num(flag, value());
        break;
      case '--what-if': {
        const names = (value() ?? '').split(',').filter(Boolean);
        for (const name of names)
          if (!(name in WHAT_IFS))
            throw new Error(`unknown --what-if ${name} (known: ${Object.keys(WHAT_IFS).join(', ')})`);
        cli.whatIf.push(...names);
        break;
      }
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  return cli;
}

const HELP = {
  name: 'bench',
  usage:
    'pnpm bench [--quick] [--json] [--case NAME]... [--latency 50] [--concurrency 20] [--verify-delay 3000]\n' +
    '             [--no-sequential] [--seq-sample 500] [--seq-budget 30000] [--what-if NAME[,NAME]] [--json-out FILE] [--run-timeout 600] [--list]\n' +
    '             [--follow-interval 10] [--follow-changes 3]',
  summary:
    'Runs each case against the simulator: the queue system in a worker process of its own, then the sequential\n' +
    'baseline against a fresh identical simulator, and prints the figures (a table, or JSON with --json on stdout;\n' +
    'progress goes to stderr). Needs a reachable Redis (REDIS_URL) or starts a private redis-server.',
  options: {
    quick: { type: 'boolean', help: 'only the quick cases' },
    json: { type: 'boolean', help: 'print the results as JSON on stdout' },
    'json-out': { type: 'string', value: 'FILE', help: 'also write the JSON results to FILE' },
    case: { type: 'string', multiple: true, value: 'NAME[,NAME]', help: 'only these cases (see --list)' },
    latency: { type: 'string', value: 'MS', help: 'simulated upstream latency (default 50)' },
    concurrency: { type: 'string', value: 'N', help: 'worker concurrency (default 20)' },
    'verify-delay': { type: 'string', value: 'MS', help: 'VERIFY_DELAY_MS of the measured worker (default 3000)' },
    'no-sequential': { type: 'boolean', help: 'skip the sequential baseline' },
    'seq-sample': {
      type: 'string',
      value: 'N',
      help: 'ad sets the baseline measures before extrapolating (default 500)',
    },
    'seq-budget': { type: 'string', value: 'MS', help: 'time budget of the baseline (default 30000)' },
    'what-if': {
      type: 'string',
      multiple: true,
      value: 'NAME[,NAME]',
      help: `what-if variants (${Object.keys(WHAT_IFS).join(', ')})`,
    },
    'run-timeout': { type: 'string', value: 'SECONDS', help: 'give up on a case after this long (default 600)' },
    'follow-interval': {
      type: 'string',
      value: 'SECONDS',
      help: 'demand-follow: the demand-check interval (default 10)',
    },
    'follow-changes': {
      type: 'string',
      value: 'N',
      help: 'demand-follow: how many demand changes to measure (default 3)',
    },
    list: { type: 'boolean', help: 'list the cases and exit' },
  },
  exitCodes: [
    [0, 'every case ran'],
    [1, 'a case failed or timed out'],
    [2, 'invalid usage'],
  ],
} as const;

function selectCases(cli: Cli): CaseSpec[] {
  const named = cli.cases.filter((n) => n !== DEMAND_FOLLOW_CASE);
  if (cli.cases.length > 0) {
    return named.map((name) => {
      const found = CASES.find((c) => c.name === name);
      if (!found) throw new Error(`no case ${name} (cases: ${CASES.map((c) => c.name).join(', ')})`);
      return found;
    });
  }
  return cli.quick ? CASES.filter((c) => c.quick) : CASES.filter((c) => !c.heavy);
}

/** How --list marks a case that is not run by default, or run by --quick. */
function listTag(c: CaseSpec): string {
  if (c.quick) return '(quick) ';
  return c.heavy ? '(--case only) ' : '';
}

/** BullMQ's own floor per ad set job, measured once per bench run (undefined when it could not be). */
async function floorOrNothing(
  results: CaseResult[],
  redisUrl: string,
  redis: ReturnType<typeof workerConnection>,
  log: (s: string) => void,
): Promise<BullmqFloor | undefined> {
  if (results.length === 0) return undefined;
  try {
    const floor = await measureBullmqFloor(redisUrl, redis);
    log(`bench: BullMQ's own floor ${floor.perJob.toFixed(1)} Redis commands per ad set job`);
    return floor;
  } catch (err) {
    log(`  BullMQ floor: ERROR ${(err as Error).message}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  // Only --help is answered through the shared helper; the rest keeps its own parser (NAME,NAME lists).
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) parseCommand(HELP);
  let cli: Cli;
  try {
    cli = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(2);
  }
  if (cli.list) {
    for (const c of CASES) process.stdout.write(`${c.name.padEnd(22)} ${listTag(c)}${c.description}\n`);
    process.stdout.write(
      `${DEMAND_FOLLOW_CASE.padEnd(22)} (quick) a demand change → every ad set targeting it, through the demand-check schedule (100 ad sets)\n`,
    );
    return;
  }
  let cases: CaseSpec[];
  try {
    cases = selectCases(cli);
  } catch (err) {
    usageError(HELP, (err as Error).message);
  }
  const available = await ensureRedis(configOrExit('bench', ['redis'], process.env).redis.url);
  const redis = workerConnection(available.url);
  const log = (s: string): void => {
    process.stderr.write(`${s}\n`);
  };
  const settings: BenchSettings = {
    redisUrl: available.url,
    latencyMs: cli.latencyMs,
    concurrency: cli.concurrency,
    verifyDelayMs: cli.verifyDelayMs,
    sequential: cli.sequential,
    seqSampleAdsets: cli.seqSample,
    seqBudgetMs: cli.seqBudgetMs,
    runTimeoutMs: cli.runTimeoutS * 1000,
    whatIf: cli.whatIf,
  };
  const results: CaseResult[] = [];
  let follow: DemandFollowResult | undefined;
  const runFollow = cli.cases.length === 0 || cli.cases.includes(DEMAND_FOLLOW_CASE);
  let failed = 0;
  try {
    const machine = await machineInfo(redis);
    if (cli.whatIf.length > 0)
      log(
        `bench: WHAT-IF experiment, not the product as it is: ${cli.whatIf.map((w) => `${w} = ${WHAT_IFS[w as keyof typeof WHAT_IFS]}`).join('; ')}`,
      );
    log(
      `bench: ${cases.length} case(s), latency ${cli.latencyMs} ms, concurrency ${cli.concurrency}, verify delay ${cli.verifyDelayMs} ms, Redis ${available.url}${available.private ? ' (private)' : ''}`,
    );
    const regions = RegionTable.load();
    const docOf = (rs: CaseResult[]) => ({
      machine,
      settings: {
        latencyMs: cli.latencyMs,
        concurrency: cli.concurrency,
        verifyDelayMs: cli.verifyDelayMs,
        seqSample: cli.seqSample,
        seqBudgetMs: cli.seqBudgetMs,
        whatIf: cli.whatIf,
        runTimeoutMs: settings.runTimeoutMs,
      },
      results: rs,
    });
    for (const spec of cases) {
      const t0 = Date.now();
      log(`case ${spec.name}: ${spec.description}`);
      try {
        const r = await runCase(spec, settings, redis, regions, log);
        results.push(r);
        // Written after every case, so a long run interrupted keeps what it measured.
        if (cli.jsonOut) writeFileSync(cli.jsonOut, `${JSON.stringify(docOf(results), null, 2)}\n`);
        log(
          `  ${spec.name}: wall ${Math.round(r.wallMs)} ms, ideal ${Math.round(r.ideal.ms)} ms, ${r.correct ? 'correct' : `PROBLEMS: ${r.problems.join('; ')}`} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
        );
        if (!r.correct) failed++;
      } catch (err) {
        failed++;
        log(`  ${spec.name}: ERROR ${(err as Error).stack ?? String(err)}`);
      }
    }
    if (runFollow) {
      log(
        `case ${DEMAND_FOLLOW_CASE}: demand checks every ${cli.followIntervalS} s, ${cli.followChanges} demand change(s), latency ${cli.latencyMs} ms`,
      );
      try {
        follow = await runDemandFollow(
          {
            redisUrl: available.url,
            latencyMs: cli.latencyMs,
            concurrency: cli.concurrency,
            checkEverySeconds: cli.followIntervalS,
            changes: cli.followChanges,
            timeoutMs: settings.runTimeoutMs,
          },
          redis,
          log,
        );
        if (!follow.correct) failed++;
      } catch (err) {
        failed++;
        log(`  ${DEMAND_FOLLOW_CASE}: ERROR ${(err as Error).stack ?? String(err)}`);
      }
    }
    addCrossCaseTargets(results);
    const floor = await floorOrNothing(results, available.url, redis, log);
    const extras = { ...(floor ? { bullmqFloor: floor } : {}), ...(follow ? { demandFollow: follow } : {}) };
    const doc = { ...docOf(results), ...extras };
    if (cli.jsonOut) writeFileSync(cli.jsonOut, `${JSON.stringify(doc, null, 2)}\n`);
    if (cli.json) {
      process.stdout.write(
        `${JSON.stringify({ machine, settings: { latencyMs: cli.latencyMs, concurrency: cli.concurrency, verifyDelayMs: cli.verifyDelayMs, seqSample: cli.seqSample, seqBudgetMs: cli.seqBudgetMs, whatIf: cli.whatIf }, results, ...extras }, null, 2)}\n`,
      );
    } else {
      const whatIf =
        cli.whatIf.length > 0 ? `\nWHAT-IF experiment (not the product as it is): ${cli.whatIf.join(', ')}` : '';
      process.stdout.write(
        `${renderMachine(machine, cli)}${whatIf}\n\n${results.length > 0 ? `${renderTable(results, floor)}\n` : ''}${follow ? `\n${renderDemandFollow(follow)}\n` : ''}`,
      );
    }
  } finally {
    redis.disconnect();
    await available.stop();
  }
  process.exit(failed > 0 ? 1 : 0);
}

void main();
