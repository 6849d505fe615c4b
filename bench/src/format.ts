import type { MachineInfo } from './measure';
import type { BullmqFloor } from './bullmq-floor';
import type { CaseResult } from './run-case';

const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const mb = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
const kb = (b: number): string => (b >= 1e6 ? mb(b) : `${(b / 1e3).toFixed(0)} kB`);
const n = (x: number): string => x.toLocaleString('en-US');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function renderMachine(
  m: MachineInfo,
  s: { latencyMs: number; concurrency: number; verifyDelayMs: number; seqSample: number; seqBudgetMs: number },
): string {
  return [
    `Machine: nproc ${m.nproc}, ${m.cpuModel}, ${m.memGiB} GiB RAM, ${m.os}; Node ${m.node}; Redis ${m.redis}`,
    `Settings: simulator latency ${s.latencyMs} ms per call, worker concurrency ${s.concurrency}, verify delay ${s.verifyDelayMs} ms; ` +
      `sequential baseline sampled on at most ${s.seqSample} ad sets / ${s.seqBudgetMs / 1000} s, then extrapolated linearly (marked ~)`,
  ].join('\n');
}

export function renderTable(results: CaseResult[], floor?: BullmqFloor): string {
  const main = table(
    [
      'case',
      'ad sets',
      'workers',
      'wall',
      'ideal',
      'wall/ideal',
      'Graph reads',
      'Graph writes',
      'Redis cmds',
      'worker CPU per ad set',
      'writes/account in 1 s (peak)',
      'worker peak RSS',
      'Redis mem',
      'sequential',
      'speedup',
      'correct',
    ],
    results.map((r) => [
      r.name,
      n(r.adsets),
      String(r.workers),
      ms(r.wallMs),
      ms(r.ideal.ms),
      `${r.ratio.toFixed(2)}×`,
      n(r.graph.reads),
      n(r.graph.writes),
      n(r.redis.commands.total),
      `${r.worker.cpuPerAdsetMs.toFixed(2)} ms`,
      r.graph.writes > 0 ? n(r.writePeak.writes) : '-',
      mb(r.worker.peakRssBytes),
      kb(r.redis.memory.bytes),
      r.sequential ? `${r.sequential.extrapolated ? '~' : ''}${ms(r.sequential.wallMs)}` : '-',
      r.sequential ? `${r.sequential.speedup.toFixed(1)}×` : '-',
      r.correct ? 'yes' : 'NO',
    ]),
  );
  const targets = results.flatMap((r) => r.targets.map((t) => [r.name, t.target, t.value, t.pass ? 'met' : 'MISSED']));
  const targetTable =
    targets.length > 0 ? table(['case', 'target', 'measured', 'verdict'], targets) : '(no case with a target was run)';
  const detail = table(
    [
      'case',
      'plan',
      'ad sets phase',
      'finalize',
      'listing (measured / ideal / product order)',
      'calls per ad set',
      'per changed ad set: requests / points (shared looks, page re-reads) · old design',
      'throttled',
      'client cmds',
      'cmds per ad set',
      'Redis mem per ad set',
      'largest MULTI / pipeline',
      'worker CPU',
      'ELU',
      'loop p99',
      'Redis RTT p50/p99',
      'sim CPU',
      'Redis CPU',
      'report',
    ],
    results.map((r) => [
      r.name,
      r.phases.planMs !== undefined ? ms(r.phases.planMs) : '-',
      r.phases.adsetsMs !== undefined ? ms(r.phases.adsetsMs) : '-',
      r.phases.finalizeMs !== undefined ? ms(r.phases.finalizeMs) : '-',
      `${ms(r.graph.listingSpanMs)} / ${ms(r.ideal.listingMs)} / ${ms(r.ideal.listingProductMs)}`,
      (r.graph.perAdsetCalls / r.adsets).toFixed(2),
      r.graph.requestsPerChanged > 0
        ? `${r.graph.requestsPerChanged.toFixed(2)} / ${r.graph.pointsPerChanged.toFixed(2)} (${n(r.graph.campaignAdsLooks)}, ${n(r.graph.pageRereads)}) · old ${r.oldDesign.requests} / ${r.oldDesign.points}`
        : '-',
      n(r.graph.throttled),
      n(r.redis.clientCommands),
      `${(r.redis.commands.total / r.adsets).toFixed(1)} srv / ${(r.redis.clientCommands / r.adsets).toFixed(1)} cli`,
      `${(r.redis.memory.bytes / r.adsets / 1000).toFixed(2)} kB`,
      `${n(r.redis.largestTransaction)} / ${n(r.redis.largestBatch)}`,
      ms(r.worker.cpuMs),
      `${(r.worker.eventLoopUtilization * 100).toFixed(0)}%`,
      `${r.worker.eventLoopDelayP99Ms.toFixed(0)} ms`,
      `${r.redisRtt.p50Ms.toFixed(1)}/${r.redisRtt.p99Ms.toFixed(1)} ms`,
      ms(r.simulatorCpuMs),
      ms(r.redisCpuMs),
      kb(r.reportBytes),
    ]),
  );
  const floorLine = floor
    ? `BullMQ's own floor (no product code: ${n(floor.jobs)} ad set jobs with the product's job and worker options under one parent, a processor that only returns): ${floor.perJob.toFixed(1)} Redis commands per job, server side (${floor.addPerJob.toFixed(1)} to add it, ${floor.runPerJob.toFixed(1)} to take and complete it); the rest of "cmds per ad set" is the product's.`
    : '';
  const formulas = results.map((r) => `- ${r.name}: ${r.ideal.formula}`).join('\n');
  const problems = results.filter((r) => !r.correct).map((r) => `- ${r.name}: ${r.problems.join('; ')}`);
  return [
    main,
    '',
    'Targets:',
    targetTable,
    '',
    'Details (Redis cmds: server side from INFO commandstats, Lua-internal commands included; client cmds: sent by the worker process):',
    detail,
    ...(floorLine ? ['', floorLine] : []),
    '',
    'Ideal (L = latency, C = concurrency):',
    formulas,
    ...(problems.length > 0 ? ['', 'Correctness problems:', ...problems] : []),
  ].join('\n');
}
