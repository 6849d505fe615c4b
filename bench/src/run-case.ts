import { randomBytes } from 'node:crypto';
import { deletePrefix, type Campaign, type RegionTable } from '@closrads/core';
import {
  benchCampaignsFile,
  generateScenario,
  keyOf,
  startSimulator,
  type RateBudget,
  type RecordedCall,
  type Scenario,
} from '@closrads/simulator';
import {
  budgetMinimumMs,
  idealFor,
  MUTATIONS_PER_SECOND,
  SIM_PAGE_CAP,
  totalAdsets,
  workersOf,
  type CaseSpec,
  type Ideal,
} from './cases';
import { startWorkerProcess, type WorkerProcess } from './child';
import {
  commandDelta,
  commandStats,
  memoryUnder,
  redisCpuSeconds,
  type CommandDelta,
  type KeyMemory,
  type RedisConn,
} from './measure';
import type { HelperOutcome, RunOutcome } from './protocol';
import { runSequential, type SequentialResult } from './sequential';

export interface BenchSettings {
  redisUrl: string;
  latencyMs: number;
  concurrency: number;
  verifyDelayMs: number;
  /** run the sequential baseline */
  sequential: boolean;
  /** sequential baseline: stop after this many ad sets and extrapolate */
  seqSampleAdsets: number;
  /** sequential baseline: stop after this long and extrapolate, ms */
  seqBudgetMs: number;
  runTimeoutMs: number;
  /** experiments only: see whatif.ts */
  whatIf?: string[];
}

/** The demand every generated scenario uses (generateScenario's default). */
const DEMAND_STATES = ['CA', 'TX', 'FL', 'NY', 'OH'];

export interface GraphCounts {
  reads: number;
  writes: number;
  throttled: number;
  closrtech: number;
  listingPages: number;
  /** a listing page asked again (same campaign, cursor and size) by a job whose listed copy was stale */
  pageRereads: number;
  adsetReads: number;
  adsListings: number;
  adsetWrites: number;
  adWrites: number;
  /** Graph calls about one ad set (everything but the listing pages) */
  perAdsetCalls: number;
  /** looks at a whole Facebook campaign's ads (`GET /{campaign}/ads`), shared by its watched ad sets */
  campaignAdsLooks: number;
  /** Graph requests, and rate-limit points (read 1, write 3), per changed ad set, listing excluded */
  requestsPerChanged: number;
  pointsPerChanged: number;
  /** first demand call → last listing page answered, ms (measured at the simulator) */
  listingSpanMs: number;
  /** refused calls (rate limits) sent after the first answer that carried an ad account's usage headers */
  throttledAfterFirstReading: number;
  /** the most points one ad account spent (accepted calls: read 1, write 3) */
  maxAccountPoints: number;
}

/**
 * What the design before the watch spent per changed ad set, for comparison: with protection, a read of
 * the ads, the write, a republish of every ad and a read of the ads after the delay (3 + ads requests,
 * 2 reads and 1 + ads writes); without it, the write alone.
 */
export function oldDesignPerChanged(spec: Pick<CaseSpec, 'protection' | 'adsPerAdset' | 'alreadyInSync'>): {
  requests: number;
  points: number;
} {
  if (spec.alreadyInSync) return { requests: 0, points: 0 };
  return spec.protection
    ? { requests: 3 + spec.adsPerAdset, points: 2 + 3 * (1 + spec.adsPerAdset) }
    : { requests: 1, points: 3 };
}

/** The issue's targets for the protection's cost, on the case they are stated for. */
function perChangedTargets(spec: CaseSpec, graph: GraphCounts): TargetCheck[] {
  if (spec.name !== 'change-1k-protect') return [];
  const per = `${graph.requestsPerChanged.toFixed(2)} requests, ${graph.pointsPerChanged.toFixed(2)} points`;
  return [
    { target: '≤ 1.3 requests per changed ad set', value: per, pass: graph.requestsPerChanged <= 1.3 },
    { target: '≤ 3.3 points per changed ad set', value: per, pass: graph.pointsPerChanged <= 3.3 },
  ];
}

/** --run-timeout, or more when the case needs more. */
function runTimeoutFor(spec: CaseSpec, settings: BenchSettings): number {
  return Math.max(settings.runTimeoutMs, spec.minRunTimeoutMs ?? 0);
}

/** Graph calls per second of the run (from the simulator's record), for the JSON output. */
export interface TimelineBucket {
  second: number;
  reads: number;
  writes: number;
  throttled: number;
  /** ad set writes per ad account in this second */
  writesByAccount: Record<string, number>;
}

function timelineOf(calls: RecordedCall[]): TimelineBucket[] {
  const graphCalls = calls.filter((c) => c.api !== 'admin');
  const t0 = graphCalls[0]?.at ?? 0;
  const out: TimelineBucket[] = [];
  for (const c of graphCalls) {
    if (c.api !== 'graph') continue;
    const second = Math.floor((c.at - t0) / 1000);
    while (out.length <= second)
      out.push({ second: out.length, reads: 0, writes: 0, throttled: 0, writesByAccount: {} });
    const b = out[second];
    if (!b) continue;
    if (c.throttled) b.throttled++;
    else if (c.method === 'GET') b.reads++;
    else {
      b.writes++;
      const acct = c.adAccountId ?? '?';
      b.writesByAccount[acct] = (b.writesByAccount[acct] ?? 0) + 1;
    }
  }
  return out;
}

/** The most POSTs one ad account received within any 1 s (a sliding window over the simulator's log). */
export interface WritePeak {
  writes: number;
  adAccountId: string;
}

export function writePeakPerAccount(calls: RecordedCall[], windowMs = 1000): WritePeak {
  const byAccount = new Map<string, number[]>();
  for (const c of calls) {
    if (c.api !== 'graph' || c.method !== 'POST') continue;
    const acct = c.adAccountId ?? '?';
    let list = byAccount.get(acct);
    if (!list) byAccount.set(acct, (list = []));
    list.push(c.at);
  }
  let peak: WritePeak = { writes: 0, adAccountId: '' };
  for (const [adAccountId, ats] of byAccount) {
    ats.sort((a, b) => a - b);
    for (let lo = 0, hi = 0; hi < ats.length; hi++) {
      while ((ats[hi] ?? 0) - (ats[lo] ?? 0) >= windowMs) lo++;
      if (hi - lo + 1 > peak.writes) peak = { writes: hi - lo + 1, adAccountId };
    }
  }
  return peak;
}

/** The worker processes of a case, started one after another (each reports ready before the next). */
async function startWorkerProcesses(
  count: number,
  settings: Parameters<typeof startWorkerProcess>[0],
): Promise<WorkerProcess[]> {
  const out: WorkerProcess[] = [];
  for (let i = 0; i < count; i++) out.push(await startWorkerProcess(settings));
  return out;
}

function writtenTwiceProblems(writtenTwice: number): string[] {
  return writtenTwice > 0 ? [`${writtenTwice} ad sets written more than once`] : [];
}

/** The figures of every worker process of a case, added up (the driving one and the helpers). */
function addUpWorkers(
  outcome: RunOutcome,
  helpers: HelperOutcome[],
): { peakRss: number; cpuMs: number; clientCommands: number; clientByName: Record<string, number> } {
  const peakRss = Math.max(
    outcome.rss.peakDuringRunBytes,
    outcome.rss.maxRssBytes,
    ...helpers.map((h) => h.peakRssBytes),
  );
  const cpuMs =
    outcome.cpu.userMs + outcome.cpu.systemMs + helpers.reduce((t, h) => t + h.cpu.userMs + h.cpu.systemMs, 0);
  const clientCommands = outcome.clientCommands.total + helpers.reduce((t, h) => t + h.clientCommands.total, 0);
  const clientByName: Record<string, number> = { ...outcome.clientCommands.byName };
  for (const h of helpers)
    for (const [name, calls] of Object.entries(h.clientCommands.byName))
      clientByName[name] = (clientByName[name] ?? 0) + calls;
  return { peakRss, cpuMs, clientCommands, clientByName };
}

/** Every case's Redis commands per ad set; for changing cases the write peak, and the CPU without protection. */
function scaleTargets(
  spec: CaseSpec,
  cmdsPerAdset: number,
  writePeak: WritePeak,
  cpuPerAdsetMs: number,
): TargetCheck[] {
  const targets: TargetCheck[] = [
    {
      target: 'Redis commands per ad set ≤ 45 (server side)',
      value: cmdsPerAdset.toFixed(1),
      pass: cmdsPerAdset <= 45,
    },
  ];
  if (spec.alreadyInSync) return targets;
  targets.push({
    target: `writes to one ad account in any 1 s ≤ ${MUTATIONS_PER_SECOND}`,
    value: `${writePeak.writes} (${writePeak.adAccountId}), ${workersOf(spec)} worker process(es)`,
    pass: writePeak.writes <= MUTATIONS_PER_SECOND,
  });
  if (!spec.protection && !spec.rateBudget) {
    targets.push({
      target: 'worker CPU per changed ad set ≤ 1.5 ms',
      value: `${cpuPerAdsetMs.toFixed(2)} ms`,
      pass: cpuPerAdsetMs <= 1.5,
    });
  }
  return targets;
}

/** Ad sets whose targeting was written (accepted) more than once in the run. */
export function adsetsWrittenTwice(calls: RecordedCall[]): number {
  const writes = new Map<string, number>();
  for (const c of calls) {
    if (c.api !== 'graph' || c.method !== 'POST' || c.throttled || c.status >= 400 || !c.objectId?.startsWith('23'))
      continue;
    writes.set(c.objectId, (writes.get(c.objectId) ?? 0) + 1);
  }
  return [...writes.values()].filter((n) => n > 1).length;
}

export interface TargetCheck {
  target: string;
  value: string;
  pass: boolean;
}

export interface CaseResult {
  name: string;
  description: string;
  adsets: number;
  protection: boolean;
  steady: boolean;
  settings: { latencyMs: number; concurrency: number; verifyDelayMs: number };
  /** worker processes on the run */
  workers: number;
  wallMs: number;
  phases: RunOutcome['phases'];
  ideal: Ideal;
  /** wall / ideal (the budget minimum for a rate-limited case) */
  ratio: number;
  graph: GraphCounts;
  /** the old design's requests and points per changed ad set (0 when nothing changes) */
  oldDesign: { requests: number; points: number };
  /** most POSTs to one ad account within any 1 s, from the simulator's log */
  writePeak: WritePeak;
  /** ad sets written (accepted) more than once */
  writtenTwice: number;
  timeline: TimelineBucket[];
  redis: {
    /** server side, INFO commandstats delta over the run (includes commands run inside Lua scripts) */
    commands: CommandDelta;
    /** sent by the worker process, counted client side (round trips, MULTI contents one by one) */
    clientCommands: number;
    clientTop: Array<[string, number]>;
    largestTransaction: number;
    largestBatch: number;
    largestCommandBytes: number;
    largestCommandName: string;
    largestByName: Record<string, number>;
    memory: KeyMemory;
  };
  worker: {
    peakRssBytes: number;
    maxRssBytes: number;
    readyRssBytes: number;
    heapUsedPeakBytes: number;
    /** CPU of every worker process over the run, ms */
    cpuMs: number;
    /** cpuMs per ad set that needed a change (per ad set in steady state) */
    cpuPerAdsetMs: number;
    eventLoopUtilization: number;
    eventLoopDelayP99Ms: number;
    eventLoopDelayMaxMs: number;
  };
  simulatorCpuMs: number;
  /** Redis server CPU over the run (INFO cpu delta; any other client of the same Redis counts too) */
  redisCpuMs: number;
  /** PING round trip seen from the worker process during the run */
  redisRtt: RunOutcome['redisRtt'];
  whatIf: string[];
  reportBytes: number;
  planResultBytes: number;
  outcome: {
    success: boolean;
    timedOut: boolean;
    pending: number;
    processed: number;
    counts: RunOutcome['counts'];
    failures: RunOutcome['failures'];
    aborted: string[];
    inSyncAfter: number;
  };
  sequential?: SequentialResult & { speedup: number };
  targets: TargetCheck[];
  /** correctness: every ad set reached the demanded targeting, report success, counts as expected */
  correct: boolean;
  problems: string[];
}

export function scenarioFor(spec: CaseSpec): Scenario {
  return generateScenario({
    accounts: spec.accounts,
    campaignsPerAccount: spec.campaignsPerAccount,
    adsetsPerCampaign: spec.adsetsPerCampaign,
    alreadyInSync: spec.alreadyInSync,
    adsPerAdset: spec.adsPerAdset,
    demandStates: DEMAND_STATES,
    pageCap: SIM_PAGE_CAP,
    ...(spec.rateBudget ? { rateBudget: spec.rateBudget } : {}),
  });
}

export function campaignsFor(spec: CaseSpec, scenario: Scenario): Campaign[] {
  return benchCampaignsFile(scenario).campaigns.map((c) => ({ ...c, protection: spec.protection }));
}

function countGraph(calls: RecordedCall[], latencyMs: number, changed: number): GraphCounts {
  const g: GraphCounts = {
    reads: 0,
    writes: 0,
    throttled: 0,
    closrtech: 0,
    listingPages: 0,
    pageRereads: 0,
    adsetReads: 0,
    adsListings: 0,
    adsetWrites: 0,
    adWrites: 0,
    perAdsetCalls: 0,
    campaignAdsLooks: 0,
    requestsPerChanged: 0,
    pointsPerChanged: 0,
    listingSpanMs: 0,
    throttledAfterFirstReading: 0,
    maxAccountPoints: 0,
  };
  const accountPoints = new Map<string, number>();
  // The first Graph answer charged to an ad account is the first reading of Meta's usage headers.
  const firstCharged = calls.find((c) => c.api === 'graph' && c.adAccountId);
  const firstReadingAt = firstCharged ? firstCharged.at + latencyMs : Infinity;
  let first = Infinity;
  let last = -Infinity;
  // Planning asks each page once; the same page asked again is a job's re-read, a call per ad set's share.
  const pagesSeen = new Set<string>();
  for (const c of calls) {
    if (c.api === 'closrtech') {
      g.closrtech++;
      first = Math.min(first, c.at);
      last = Math.max(last, c.at);
      continue;
    }
    if (c.api !== 'graph') continue;
    if (c.throttled) g.throttled++;
    if (c.throttled && c.at >= firstReadingAt) g.throttledAfterFirstReading++;
    if (!c.throttled && c.adAccountId)
      accountPoints.set(c.adAccountId, (accountPoints.get(c.adAccountId) ?? 0) + (c.method === 'GET' ? 1 : 3));
    if (c.method === 'GET') {
      g.reads++;
      const page = `${c.objectId}\n${c.query.after ?? ''}\n${c.query.limit ?? ''}`;
      if (c.edge === 'adsets' && !c.throttled && pagesSeen.has(page)) g.pageRereads++;
      else if (c.edge === 'adsets') {
        if (!c.throttled) pagesSeen.add(page);
        g.listingPages++;
        first = Math.min(first, c.at);
        last = Math.max(last, c.at);
      } else if (c.edge === 'ads' && c.objectId?.startsWith('12')) g.campaignAdsLooks++;
      else if (c.edge === 'ads') g.adsListings++;
      else g.adsetReads++;
    } else {
      g.writes++;
      if (c.objectId?.startsWith('23')) g.adsetWrites++;
      else g.adWrites++;
    }
  }
  g.maxAccountPoints = Math.max(0, ...accountPoints.values());
  g.perAdsetCalls = g.reads + g.writes - g.listingPages;
  if (changed > 0) {
    g.requestsPerChanged = g.perAdsetCalls / changed;
    g.pointsPerChanged = (g.reads - g.listingPages + 3 * g.writes) / changed;
  }
  g.listingSpanMs = Number.isFinite(first) ? last + latencyMs - first : 0;
  return g;
}

const fmtPct = (x: number): string => `${x.toFixed(2)}×`;

/** A rate-limited case's targets: every ad set lands, the wall against the budget's minimum, no block after the first reading. */
function budgetTargets(
  budget: RateBudget,
  run: { n: number; outcome: RunOutcome; ratio: number; ideal: Ideal; graph: GraphCounts },
  latencyMs: number,
): TargetCheck[] {
  const { n, outcome, ratio, ideal, graph } = run;
  const limit = budget.headers === 'buc' ? 1.15 : 1.25;
  // The pacer's own share: the least time the points the run did spend allow (re-reads included).
  const spentMin = budgetMinimumMs(graph.maxAccountPoints, budget, latencyMs);
  return [
    {
      target: 'every ad set updated, none failed',
      value: `${outcome.counts.updated}/${n} updated, ${outcome.counts.failed} failed`,
      pass: outcome.counts.updated === n && outcome.counts.failed === 0,
    },
    {
      target: `wall ≤ ${limit} × budget minimum`,
      value: `${fmtPct(ratio)} (wall ${Math.round(outcome.wallMs)} ms, min ${Math.round(ideal.ms)} ms)`,
      pass: ratio <= limit,
    },
    {
      target: `pacer alone: wall ≤ ${limit} × minimum for the points spent`,
      value: `${fmtPct(outcome.wallMs / spentMin)} (${graph.maxAccountPoints} points on the busiest account, min ${Math.round(spentMin)} ms)`,
      pass: outcome.wallMs / spentMin <= limit,
    },
    {
      target: 'no block after the first reading of the usage headers',
      value: `${graph.throttledAfterFirstReading} refused after it (${graph.throttled} in all)`,
      pass: graph.throttledAfterFirstReading === 0,
    },
  ];
}

export async function runCase(
  spec: CaseSpec,
  settings: BenchSettings,
  redis: RedisConn,
  regions: RegionTable,
  log: (s: string) => void,
): Promise<CaseResult> {
  const n = totalAdsets(spec);
  const runTimeoutMs = runTimeoutFor(spec, settings);
  const scenario = scenarioFor(spec);
  const campaigns = campaignsFor(spec, scenario);
  const ideal = idealFor(spec, settings.latencyMs, settings.concurrency, settings.verifyDelayMs);
  const prefix = `bench-${spec.name}-${randomBytes(3).toString('hex')}`;
  const sim = await startSimulator({ scenario, latencyMs: settings.latencyMs });
  const problems: string[] = [];
  let outcome: RunOutcome;
  let commands: CommandDelta;
  let memory: KeyMemory;
  let readyRss = 0;
  let helpers: HelperOutcome[] = [];
  let simCpuMs = 0;
  let redisCpuMs = 0;
  try {
    const workerSettings = {
      redisUrl: settings.redisUrl,
      prefix,
      closrtechUrl: sim.closrtechUrl,
      graphUrl: sim.graphUrl,
      campaigns,
      concurrency: settings.concurrency,
      verifyDelayMs: settings.verifyDelayMs,
      runTimeoutMs,
      rssSampleMs: 25,
      whatIf: settings.whatIf ?? [],
    };
    // The first process drives the run (starts it, waits for its report); the others only work.
    const workers: WorkerProcess[] = [];
    try {
      workers.push(...(await startWorkerProcesses(workersOf(spec), workerSettings)));
      const [worker, ...extra] = workers as [WorkerProcess, ...WorkerProcess[]];
      readyRss = worker.readyRssBytes;
      sim.clearCalls();
      const before = await commandStats(redis);
      const redisCpu0 = await redisCpuSeconds(redis);
      const cpu0 = process.cpuUsage();
      await Promise.all(extra.map((w) => w.help()));
      log(`  ${spec.name}: queue run (worker pid ${workers.map((w) => w.pid).join(', ')}, prefix {${prefix}})…`);
      outcome = await worker.run();
      helpers = await Promise.all(extra.map((w) => w.stopHelping()));
      const cpu = process.cpuUsage(cpu0);
      simCpuMs = (cpu.user + cpu.system) / 1000;
      redisCpuMs = ((await redisCpuSeconds(redis)) - redisCpu0) * 1000;
      const after = await commandStats(redis);
      // INFO itself is ours, not the run's.
      commands = commandDelta(before, after, ['info']);
      memory = await memoryUnder(redis, prefix);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  } finally {
    await sim.close();
    await deletePrefix(redis, prefix).catch(() => undefined);
  }
  const graph = countGraph(sim.calls, settings.latencyMs, spec.alreadyInSync ? 0 : n);

  const wantKeys = DEMAND_STATES.map((s) => keyOf(s))
    .sort()
    .join();
  const inSyncAfter = Object.values(sim.state.adsets).filter((a) => {
    const regions = (
      (a.targeting.geo_locations as { regions?: Array<{ key: string | number }> } | undefined)?.regions ?? []
    ).map((r) => String(r.key));
    return regions.sort().join() === wantKeys;
  }).length;

  // Correctness, independent of timing.
  const expected = spec.alreadyInSync ? 'unchanged' : 'updated';
  if (outcome.timedOut)
    problems.push(
      `no report within ${Math.round(runTimeoutMs / 1000)} s: ${outcome.counts.updated} ad set jobs completed, ${outcome.counts.failed} failed, ${outcome.pending} still queued or delayed`,
    );
  else if (!outcome.success) problems.push('report says the run did not succeed');
  if (outcome.processed !== n) problems.push(`report lists ${outcome.processed} ad sets, expected ${n}`);
  if (outcome.counts[expected] !== n) problems.push(`${outcome.counts[expected]} ad sets ${expected}, expected ${n}`);
  if (outcome.counts.failed > 0)
    problems.push(
      `${outcome.counts.failed} ad sets failed: ${outcome.failures.map((f) => `${f.id} ${f.error}`).join('; ')}`,
    );
  if (outcome.abortedCampaigns.length > 0) problems.push(`aborted campaigns: ${outcome.abortedCampaigns.join('; ')}`);
  if (inSyncAfter !== n)
    problems.push(`${inSyncAfter} of ${n} ad sets target the demanded states at the simulator after the run`);
  if (spec.alreadyInSync && graph.writes > 0) problems.push(`steady state made ${graph.writes} Graph writes`);
  if (!spec.alreadyInSync && graph.adsetWrites < n)
    problems.push(`${graph.adsetWrites} ad set writes for ${n} ad sets`);

  let sequential: CaseResult['sequential'];
  if (settings.sequential) {
    // A fresh, identical scenario (the queue run changed the first simulator's state).
    const seqScenario = scenarioFor(spec);
    const sim2 = await startSimulator({ scenario: seqScenario, latencyMs: settings.latencyMs });
    try {
      log(`  ${spec.name}: sequential baseline…`);
      const seq = await runSequential({
        closrtechUrl: sim2.closrtechUrl,
        graphUrl: sim2.graphUrl,
        campaigns: campaignsFor(spec, seqScenario),
        regions,
        verifyDelayMs: settings.verifyDelayMs,
        sampleAdsets: settings.seqSampleAdsets,
        sampleBudgetMs: spec.seqBudgetMs ?? settings.seqBudgetMs,
        totalAdsets: n,
      });
      sequential = { ...seq, speedup: seq.wallMs / outcome.wallMs };
      if (!seq.extrapolated) {
        const want = spec.alreadyInSync ? seq.unchanged : seq.updated;
        if (want !== n) problems.push(`sequential baseline: ${want} of ${n} ad sets ${expected}`);
      }
    } finally {
      await sim2.close();
    }
  }

  const ratio = outcome.wallMs / ideal.ms;
  const { peakRss, cpuMs, clientCommands, clientByName } = addUpWorkers(outcome, helpers);
  const cpuPerAdsetMs = cpuMs / n;
  const writePeak = writePeakPerAccount(sim.calls);
  const writtenTwice = adsetsWrittenTwice(sim.calls);
  problems.push(...writtenTwiceProblems(writtenTwice));
  const targets: TargetCheck[] = scaleTargets(spec, commands.total / n, writePeak, cpuPerAdsetMs);
  if (spec.name === 'change-1k') {
    targets.push({ target: 'wall ≤ 1.3 × ideal', value: fmtPct(ratio), pass: ratio <= 1.3 });
    if (sequential)
      targets.push({
        target: '≥ 12 × faster than sequential',
        value: fmtPct(sequential.speedup),
        pass: sequential.speedup >= 12,
      });
  }
  targets.push(...perChangedTargets(spec, graph));
  if (spec.alreadyInSync) {
    targets.push({
      target: 'no Graph call per ad set (only listing pages)',
      value: `${graph.perAdsetCalls} calls`,
      pass: graph.perAdsetCalls === 0,
    });
    const r = outcome.wallMs / graph.listingSpanMs;
    targets.push({
      target: 'wall ≤ 2 × time of the listing calls',
      value: `${fmtPct(r)} (listing ${Math.round(graph.listingSpanMs)} ms)`,
      pass: r <= 2,
    });
  }
  if (n >= 10_000) {
    // Planning writes: job adds (one script call per job, pipelined by addBulk) and the listed
    // targeting (HSET in chunks). The finalizer's report SET is the run's output, not planning.
    const cc = outcome.clientCommands;
    const jobAdd = cc.largestByName['evalsha (script)'] ?? 0;
    const listedChunk = cc.largestByName.hset ?? 0;
    targets.push({
      target: 'planning: no single transaction or job holds every ad set',
      value: `largest MULTI ${cc.largestTransaction} cmds, largest pipeline ${cc.largestBatch} cmds, largest job add ${(jobAdd / 1024).toFixed(1)} KiB, largest HSET ${(listedChunk / 1024).toFixed(0)} KiB, plan result ${(outcome.planResultBytes / 1024).toFixed(1)} KiB (report SET ${((cc.largestByName.set ?? 0) / 1024).toFixed(0)} KiB)`,
      pass:
        cc.largestTransaction < n &&
        cc.largestBatch < n &&
        jobAdd < 64 * 1024 &&
        listedChunk < 1024 * 1024 &&
        outcome.planResultBytes < 64 * 1024,
    });
    targets.push({
      target: 'worker peak RSS < 300 MB',
      value: `${(peakRss / 1e6).toFixed(0)} MB`,
      pass: peakRss < 300e6,
    });
    targets.push({
      target: 'run completes',
      value: outcome.success && outcome.processed === n ? 'yes' : 'no',
      pass: outcome.success && outcome.processed === n,
    });
  }
  if (spec.rateBudget)
    targets.push(...budgetTargets(spec.rateBudget, { n, outcome, ratio, ideal, graph }, settings.latencyMs));

  return {
    name: spec.name,
    description: spec.description,
    adsets: n,
    protection: spec.protection,
    steady: spec.alreadyInSync,
    settings: {
      latencyMs: settings.latencyMs,
      concurrency: settings.concurrency,
      verifyDelayMs: settings.verifyDelayMs,
    },
    workers: workersOf(spec),
    wallMs: outcome.wallMs,
    phases: outcome.phases,
    ideal,
    ratio,
    graph,
    oldDesign: oldDesignPerChanged(spec),
    writePeak,
    writtenTwice,
    timeline: timelineOf(sim.calls),
    redis: {
      commands,
      clientCommands,
      clientTop: Object.entries(clientByName)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 16),
      largestTransaction: outcome.clientCommands.largestTransaction,
      largestBatch: outcome.clientCommands.largestBatch,
      largestCommandBytes: outcome.clientCommands.largestCommandBytes,
      largestCommandName: outcome.clientCommands.largestCommandName,
      largestByName: outcome.clientCommands.largestByName,
      memory,
    },
    worker: {
      peakRssBytes: peakRss,
      maxRssBytes: outcome.rss.maxRssBytes,
      readyRssBytes: readyRss,
      heapUsedPeakBytes: outcome.heapUsedPeakBytes,
      cpuMs,
      cpuPerAdsetMs,
      eventLoopUtilization: outcome.eventLoop.utilization,
      eventLoopDelayP99Ms: outcome.eventLoop.delayP99Ms,
      eventLoopDelayMaxMs: outcome.eventLoop.delayMaxMs,
    },
    simulatorCpuMs: simCpuMs,
    redisCpuMs,
    redisRtt: outcome.redisRtt,
    whatIf: settings.whatIf ?? [],
    reportBytes: outcome.reportBytes,
    planResultBytes: outcome.planResultBytes,
    outcome: {
      success: outcome.success,
      timedOut: outcome.timedOut,
      pending: outcome.pending,
      processed: outcome.processed,
      counts: outcome.counts,
      failures: outcome.failures,
      aborted: outcome.abortedCampaigns,
      inSyncAfter,
    },
    sequential,
    targets,
    correct: problems.length === 0,
    problems,
  };
}

/**
 * Targets that compare two cases of one bench run: several worker processes against one on the same
 * work (change-5k-3w against change-5k-1w). Added to the multi-worker case's targets.
 */
export function addCrossCaseTargets(results: CaseResult[]): void {
  for (const r of results) {
    if (r.workers <= 1) continue;
    const single = results.find((o) => o.workers === 1 && o.name === r.name.replace(/-\d+w$/, '-1w'));
    if (!single) continue;
    const speedup = single.wallMs / r.wallMs;
    r.targets.push({
      target: `${r.workers} workers ≥ 2.5 × the throughput of 1`,
      value: `${speedup.toFixed(2)}× (${single.name} ${Math.round(single.wallMs)} ms)`,
      pass: speedup >= 2.5,
    });
    r.targets.push({ target: 'no ad set written twice', value: String(r.writtenTwice), pass: r.writtenTwice === 0 });
  }
}
