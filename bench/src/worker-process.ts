/**
 * The system under test, in a process of its own so its peak RSS is its own: the real workers
 * (startLocalSystem) against the simulator the parent runs. Driven over IPC (see protocol.ts):
 * start → ready, run → done (figures), close → closed.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  OUTCOMES,
  createLogger,
  jobIds,
  startRun,
  workerConnection,
  type Outcome,
  type RunReport,
} from '@closrads/core';
import { startLocalSystem, type LocalSystem } from '@closrads/demo/local-system';
import { applyWhatIf } from './whatif';
import type {
  ChildMessage,
  ClientCommandStats,
  HelperOutcome,
  ParentMessage,
  RunOutcome,
  WorkerSettings,
} from './protocol';

const send = (msg: ChildMessage): void => {
  process.send?.(msg);
};

interface CountedCommand {
  name: string;
  args: unknown[];
}

/**
 * Counts every command any ioredis connection of this process sends (BullMQ duplicates connections,
 * all from the same class), by patching the shared prototype before the workers start.
 */
function installCommandCounter(redisUrl: string): { stats: ClientCommandStats; reset(): void } {
  const stats: ClientCommandStats = {
    total: 0,
    byName: {},
    largestTransaction: 0,
    largestBatch: 0,
    largestCommandBytes: 0,
    largestCommandName: '',
    largestByName: {},
  };
  const probe = workerConnection(redisUrl, { lazyConnect: true });
  const proto = Object.getPrototypeOf(probe) as {
    sendCommand: (this: object, cmd: CountedCommand, ...rest: unknown[]) => unknown;
  };
  probe.disconnect();
  const original = proto.sendCommand;
  const inMulti = new WeakMap<object, number>();
  // Commands a connection is given within one synchronous stretch go out as one write (a pipeline,
  // e.g. BullMQ's addBulk, or a MULTI): that is a "batch", one round trip.
  const batch = new Map<object, number>();
  let flushScheduled = false;
  const flush = (): void => {
    for (const size of batch.values()) stats.largestBatch = Math.max(stats.largestBatch, size);
    batch.clear();
    flushScheduled = false;
  };
  proto.sendCommand = function (this: object, cmd: CountedCommand, ...rest: unknown[]) {
    stats.total++;
    stats.byName[cmd.name] = (stats.byName[cmd.name] ?? 0) + 1;
    batch.set(this, (batch.get(this) ?? 0) + 1);
    if (!flushScheduled) {
      flushScheduled = true;
      queueMicrotask(flush);
    }
    let bytes = 0;
    for (const a of cmd.args) bytes += typeof a === 'string' ? a.length : Buffer.isBuffer(a) ? a.length : 8;
    const label = cmd.name === 'evalsha' || cmd.name === 'eval' ? `${cmd.name} (script)` : cmd.name;
    if (bytes > (stats.largestByName[label] ?? 0)) stats.largestByName[label] = bytes;
    if (bytes > stats.largestCommandBytes) {
      stats.largestCommandBytes = bytes;
      stats.largestCommandName = label;
    }
    if (cmd.name === 'multi') inMulti.set(this, 0);
    else if (cmd.name === 'exec') {
      stats.largestTransaction = Math.max(stats.largestTransaction, inMulti.get(this) ?? 0);
      inMulti.delete(this);
    } else if (inMulti.has(this)) inMulti.set(this, (inMulti.get(this) ?? 0) + 1);
    return original.call(this, cmd, ...rest);
  };
  return {
    stats,
    reset() {
      stats.total = 0;
      stats.byName = {};
      stats.largestTransaction = 0;
      stats.largestBatch = 0;
      stats.largestCommandBytes = 0;
      stats.largestCommandName = '';
      stats.largestByName = {};
    },
  };
}

function tally(report: RunReport): {
  counts: Record<Outcome, number>;
  processed: number;
  failures: Array<{ id: string; error: string }>;
} {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const failures: Array<{ id: string; error: string }> = [];
  let processed = 0;
  for (const c of report.campaigns) {
    for (const a of c.adsets) {
      counts[a.outcome]++;
      processed++;
      if (a.outcome === 'failed' && failures.length < 10) failures.push({ id: a.id, error: a.error ?? '' });
    }
  }
  return { counts, processed, failures };
}

async function runOnce(
  system: LocalSystem,
  settings: WorkerSettings,
  counter: ReturnType<typeof installCommandCounter>,
): Promise<RunOutcome> {
  const { deps } = system;
  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  const beforeRunBytes = peakRss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, settings.rssSampleMs);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const probe = workerConnection(settings.redisUrl);
  await probe.ping();
  const rtts: number[] = [];
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      const p0 = performance.now();
      await probe.ping();
      rtts.push(performance.now() - p0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  counter.reset();

  const t0 = performance.now();
  const runId = await startRun(
    { flow: deps.flow, store: deps.store, timing: deps.timing },
    { trigger: 'manual', dryRun: false, campaigns: [] },
  );
  const startedAt = Date.now() - (performance.now() - t0);
  let raw: string | null = null;
  let timedOut = false;
  const deadline = t0 + settings.runTimeoutMs;
  // Poll the stored report every 20 ms (a GET on a missing key: cheap, and counted like everything else).
  while (!(raw = await deps.redis.get(deps.keys.report(runId)))) {
    if (performance.now() > deadline) {
      timedOut = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  delay.disable();
  probing = false;
  const clientCommands: ClientCommandStats = {
    ...counter.stats,
    byName: { ...counter.stats.byName },
    largestByName: { ...counter.stats.largestByName },
  };
  // The probe's own PINGs are not the run's.
  const pings = clientCommands.byName.ping ?? 0;
  clientCommands.total -= pings;
  delete clientCommands.byName.ping;
  await probeLoop;
  probe.disconnect();
  rtts.sort((a, b) => a - b);
  const pct = (q: number): number => rtts[Math.min(rtts.length - 1, Math.floor(q * rtts.length))] ?? 0;
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);

  let pending = 0;
  let report: RunReport | undefined;
  let tallied: ReturnType<typeof tally>;
  if (raw) {
    report = JSON.parse(raw) as RunReport;
    tallied = tally(report);
  } else {
    // No report in time: say how far the run got, from the queue.
    const c = await deps.queues.updateAdset.getJobCounts(
      'completed',
      'failed',
      'delayed',
      'waiting',
      'active',
      'prioritized',
      'waiting-children',
    );
    const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
    counts.updated = c.completed ?? 0;
    counts.failed = c.failed ?? 0;
    pending = (c.delayed ?? 0) + (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
    tallied = { counts, processed: counts.updated + counts.failed, failures: [] };
  }
  const { counts, processed, failures } = tallied;
  const [planJob, finalizeJob] = await Promise.all([
    deps.queues.planSync.getJob(jobIds.plan(runId)),
    deps.queues.finalizeReport.getJob(jobIds.finalize(runId)),
  ]);
  const phases: RunOutcome['phases'] = {};
  if (planJob?.finishedOn) phases.planMs = planJob.finishedOn - startedAt;
  if (planJob?.finishedOn && finalizeJob?.processedOn) phases.adsetsMs = finalizeJob.processedOn - planJob.finishedOn;
  if (finalizeJob?.processedOn) phases.finalizeMs = startedAt + wallMs - finalizeJob.processedOn;

  return {
    type: 'done',
    runId,
    wallMs,
    phases,
    success: report?.success ?? false,
    timedOut,
    pending,
    counts,
    processed,
    abortedCampaigns: (report?.campaigns ?? [])
      .filter((c) => c.status !== 'completed')
      .map((c) => `${c.name}: ${c.abortReason ?? ''}`),
    failures,
    reportBytes: raw?.length ?? 0,
    planResultBytes: JSON.stringify(planJob?.returnvalue ?? null).length,
    rss: { beforeRunBytes, peakDuringRunBytes: peakRss, maxRssBytes: process.resourceUsage().maxRSS * 1024 },
    heapUsedPeakBytes: peakHeap,
    cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
    eventLoop: { utilization: elu.utilization, delayP99Ms: delay.percentile(99) / 1e6, delayMaxMs: delay.max / 1e6 },
    clientCommands,
    redisRtt: { samples: rtts.length, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: rtts[rtts.length - 1] ?? 0 },
  };
}

let system: LocalSystem | undefined;
let counter: ReturnType<typeof installCommandCounter> | undefined;
let settings: WorkerSettings | undefined;

/** A helping process's measurement, from `help` to `stop`. */
let helping: { cpu0: NodeJS.CpuUsage; sampler: NodeJS.Timeout; peakRss: number } | undefined;

function startHelping(every: number, c: ReturnType<typeof installCommandCounter>): void {
  c.reset();
  const cpu0 = process.cpuUsage();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (helping) helping.peakRss = peakRss;
  }, every);
  helping = { cpu0, sampler, peakRss };
}

function stopHelping(c: ReturnType<typeof installCommandCounter>): HelperOutcome {
  if (!helping) throw new Error('stop before help');
  clearInterval(helping.sampler);
  const cpu = process.cpuUsage(helping.cpu0);
  const out: HelperOutcome = {
    type: 'helped',
    cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
    peakRssBytes: Math.max(helping.peakRss, process.memoryUsage.rss()),
    clientCommands: { ...c.stats, byName: { ...c.stats.byName }, largestByName: { ...c.stats.largestByName } },
  };
  helping = undefined;
  return out;
}

process.on('message', (msg: ParentMessage) => {
  void (async () => {
    try {
      if (msg.type === 'start') {
        settings = msg.settings;
        counter = installCommandCounter(settings.redisUrl);
        system = startLocalSystem({
          redisUrl: settings.redisUrl,
          prefix: settings.prefix,
          simulator: { closrtechUrl: settings.closrtechUrl, graphUrl: settings.graphUrl },
          campaigns: settings.campaigns,
          closrtechCredentials: { email: 'bench@example.com', password: 'bench-password' },
          concurrency: settings.concurrency,
          verifyDelayMs: settings.verifyDelayMs,
          logger: createLogger(
            { level: process.env.BENCH_LOG_LEVEL || 'silent', name: 'bench-worker' },
            process.stderr,
          ),
          out: () => undefined,
        });
        applyWhatIf(system.deps, settings.whatIf ?? []);
        await Promise.all((system.running?.workers ?? []).map((w) => w.waitUntilReady()));
        send({ type: 'ready', rssBytes: process.memoryUsage.rss() });
      } else if (msg.type === 'run') {
        if (!system || !settings || !counter) throw new Error('run before start');
        send(await runOnce(system, settings, counter));
      } else if (msg.type === 'help') {
        if (!system || !settings || !counter) throw new Error('help before start');
        startHelping(settings.rssSampleMs, counter);
        send({ type: 'helping' });
      } else if (msg.type === 'stop') {
        if (!counter) throw new Error('stop before start');
        send(stopHelping(counter));
      } else {
        await system?.close();
        send({ type: 'closed' });
        process.disconnect?.();
        setTimeout(() => process.exit(0), 50).unref();
      }
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});

process.on('disconnect', () => {
  // The parent went away: do not linger.
  void (system?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
