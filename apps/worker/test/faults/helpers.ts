/**
 * Process-level fault tests: real `pnpm worker` processes (spawned as `node --import tsx
 * apps/worker/src/main.ts`, so that a signal reaches the worker itself and not a wrapper), the
 * simulator in the test process, Redis under a unique prefix.
 */
import { startReceiver, type HttpSink } from '../../../../packages/notify/test/servers';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  Keyspace,
  RegionTable,
  RunStore,
  startRun,
  withRegions,
  type Campaign,
  type RunReport,
  type Targeting,
} from '@closrads/core';
import { startSimulator, type Scenario, type Simulator } from '@closrads/simulator';
import { deleteUnder } from '../../../../test/redis';
import { FlowProducer, Queue } from 'bullmq';
import { Redis } from 'ioredis';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
export const TOKEN = 'sim-token';
export const CREDS = { email: 'ops@example.com', password: 'pw-fault-tests' };
export const ACCOUNT = 'act_1111111111';
export const FB_CAMPAIGN = '120000000000000001';
export const CLOSRTECH_CAMPAIGN = 'VND_VETERAN_LEADS';
/** What CLOSRTECH asks for in every fault test. */
export const DEMAND = { OH: { demand: 15, stock: 2 }, TX: 4, FL: { demand: 0, stock: 9 }, NY: 7, ' pa ': 3 };
export const DEMANDED_STATES = ['NY', 'OH', 'PA', 'TX'];

const table = RegionTable.load();
export const DESIRED = DEMANDED_STATES.map((c) => table.region(c)!);
export const DESIRED_KEYS = DESIRED.map((r) => r.key).sort();

export function adsetId(i: number): string {
  return String(201 + i);
}

/**
 * One campaign of `count` ACTIVE ad sets (plus one PAUSED that must never be touched), each with
 * one healthy ad; ad sets named in `fragile` get an ad whose lead form breaks on a geo change and
 * heals when the ad is republished (so a complete protection cycle leaves it healthy).
 */
export function faultScenario(count: number, fragile: string[] = []): Scenario {
  const adsets: Scenario['graph']['adsets'] = [];
  const ads: Scenario['graph']['ads'] = [];
  for (let i = 0; i < count; i++) {
    const id = adsetId(i);
    adsets.push({
      id,
      campaignId: FB_CAMPAIGN,
      name: `VET ${i}`,
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      targeting: {
        age_min: 25 + (i % 5),
        age_max: 54,
        genders: [1, 2],
        geo_locations: { regions: [{ key: table.region('CA')!.key }, { key: table.region('NY')!.key }], location_types: ['home', 'recent'] },
        flexible_spec: [{ interests: [{ id: `6003${i}`, name: `interest ${i}` }] }],
        targeting_automation: { advantage_audience: 0 },
      },
    });
    ads.push({ id: `7${id}1`, adsetId: id, name: `ad ${id}`, status: 'ACTIVE', effective_status: 'ACTIVE', onGeoChange: 'none' });
    if (fragile.includes(id)) {
      ads.push({ id: `7${id}2`, adsetId: id, name: `fragile ${id}`, status: 'ACTIVE', effective_status: 'ACTIVE', onGeoChange: 'break-heal-on-republish' });
    }
  }
  adsets.push({
    id: '299',
    campaignId: FB_CAMPAIGN,
    name: 'VET paused',
    status: 'PAUSED',
    effective_status: 'PAUSED',
    targeting: { geo_locations: { regions: [{ key: table.region('CA')!.key }] } },
  });
  return {
    closrtech: { email: CREDS.email, password: CREDS.password, campaigns: { [CLOSRTECH_CAMPAIGN]: DEMAND } },
    graph: {
      accessToken: TOKEN,
      pageCap: 25,
      adAccounts: { [ACCOUNT]: {} },
      campaigns: { [FB_CAMPAIGN]: { adAccountId: ACCOUNT, name: 'VOV-VET' } },
      adsets,
      ads,
    },
  };
}

export const CAMPAIGNS: Campaign[] = [
  { name: 'Veterans', closrtechCampaign: CLOSRTECH_CAMPAIGN, adAccountId: ACCOUNT, facebookCampaignIds: [FB_CAMPAIGN], protection: true, enabled: true },
];

export interface WorkerProcess {
  child: ChildProcess;
  /** Every line the process wrote on stdout or stderr. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the exit, or undefined when `ms` pass first. */
  exitWithin(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined>;
  waitForLine(re: RegExp, ms: number): Promise<string>;
}

export interface WorkerEnv {
  redisUrl: string;
  prefix: string;
  sim: Pick<Simulator, 'closrtechUrl' | 'graphUrl'>;
  campaignsFile: string;
  slackUrl?: string;
  concurrency?: number;
  verifyDelayMs?: number;
}

/**
 * The environment a worker gets: nothing inherited but PATH/HOME, so no developer setting leaks in.
 * Stall detection and the upstream timeout are shortened so that a dead worker's jobs are taken over
 * within seconds.
 */
export function workerEnv(e: WorkerEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REDIS_URL: e.redisUrl,
    QUEUE_PREFIX: e.prefix,
    CAMPAIGNS_FILE: e.campaignsFile,
    CLOSRTECH_URL: e.sim.closrtechUrl,
    CLOSRTECH_EMAIL: CREDS.email,
    CLOSRTECH_PASSWORD: CREDS.password,
    FB_GRAPH_URL: e.sim.graphUrl,
    FB_API_VERSION: 'v25.0',
    FB_ACCESS_TOKEN: TOKEN,
    DRY_RUN: 'false',
    WORKER_CONCURRENCY: String(e.concurrency ?? 3),
    VERIFY_DELAY_MS: String(e.verifyDelayMs ?? 300),
    LOG_LEVEL: 'info',
    ...(e.slackUrl ? { SLACK_WEBHOOK_URL: e.slackUrl } : {}),
    WORKER_LOCK_DURATION_MS: '4000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    HTTP_TIMEOUT_MS: '5000',
  };
}

const started: ChildProcess[] = [];

/** Starts `apps/worker/src/main.ts` in its own process. */
export function startWorker(env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const lines: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (line: string) => void }> = [];
  const onData = (buf: Buffer) => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  return {
    child,
    lines,
    exited,
    exitWithin: (ms) => Promise.race([exited, sleep(ms).then(() => undefined)]),
    waitForLine: (re, ms) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no line matching ${re} within ${ms} ms; last lines:\n${lines.slice(-15).join('\n')}`)), ms);
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), res(l)) });
      });
    },
  };
}

/** Kills (SIGKILL) every worker process a test started and left running. */
export function killStartedWorkers(): void {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
}

export function tempCampaignsFile(campaigns: Campaign[] = CAMPAIGNS): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'closrads-faults-'));
  const file = join(dir, 'campaigns.json');
  writeFileSync(file, JSON.stringify({ campaigns }, null, 2));
  return { file, dir };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The test's own producer side: start a run as `pnpm enqueue` does, read reports and queues. */
export class Control {
  readonly redis: Redis;
  readonly keys: Keyspace;
  readonly store: RunStore;
  readonly flow: FlowProducer;
  readonly updateQueue: Queue;

  constructor(redisUrl: string, prefix: string) {
    // Commands wait through a Redis restart instead of failing.
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', () => undefined);
    this.keys = new Keyspace(prefix);
    this.store = new RunStore(this.redis, this.keys);
    this.flow = new FlowProducer({ connection: this.redis, prefix: this.keys.bullPrefix });
    this.updateQueue = new Queue('update-adset', { connection: this.redis, prefix: this.keys.bullPrefix });
    this.flow.on('error', () => undefined);
    this.updateQueue.on('error', () => undefined);
  }

  startRun(): Promise<string> {
    return startRun({ flow: this.flow, store: this.store }, { trigger: 'manual', dryRun: false, campaigns: [] });
  }

  async waitForReport(runId: string, ms: number): Promise<RunReport | undefined> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const report = await this.store.getReport(runId).catch(() => undefined);
      if (report) return report;
      await sleep(200);
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.flow.close().catch(() => undefined);
    await this.updateQueue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}

/** A Slack-webhook-like receiver that counts deliveries. */
export async function startSlackSink(): Promise<HttpSink> {
  const receiver = await startReceiver();
  return { ...receiver, url: `${receiver.url}/services/T000/B000/XXXX` };
}


export async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, what: string, stepMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/** Targeting writes the simulator accepted, per ad set. */
export function targetingWrites(sim: Simulator): Map<string, Targeting[]> {
  const out = new Map<string, Targeting[]>();
  for (const w of sim.state.writes) {
    if (w.kind !== 'adset' || w.fields.targeting === undefined) continue;
    const list = out.get(w.objectId) ?? [];
    list.push(w.fields.targeting as Targeting);
    out.set(w.objectId, list);
  }
  return out;
}

/**
 * Every accepted targeting write is either exactly the demanded rewrite of the ad set's original
 * targeting, or the original itself (a rollback). Returns the offending writes (empty when clean).
 */
export function illegitimateWrites(sim: Simulator, originals: Map<string, Targeting>): string[] {
  const bad: string[] = [];
  for (const [id, writes] of targetingWrites(sim)) {
    const original = originals.get(id);
    if (!original) {
      bad.push(`${id}: written but not an ad set of the run`);
      continue;
    }
    const rewrite = JSON.stringify(withRegions(original, DESIRED));
    for (const t of writes) {
      const text = JSON.stringify(t);
      if (text !== rewrite && text !== JSON.stringify(original)) bad.push(`${id}: ${text}`);
    }
  }
  return bad;
}

export function regionKeysSorted(t: Targeting): string[] {
  const geo = t.geo_locations as { regions?: Array<{ key: string | number }> } | undefined;
  return (geo?.regions ?? []).map((r) => String(r.key)).sort();
}

/** A private, persistent (AOF) redis-server on a free port that a test may stop and start again. */
export class PrivateRedis {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'closrads-redis-fault-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateRedis> {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address() as AddressInfo;
        s.close(() => res(a.port));
      });
    });
    const r = new PrivateRedis(port);
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    probe.on('error', () => undefined);
    try {
      await waitUntil(
        async () => {
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch {
            probe.disconnect();
            return false;
          }
        },
        10_000,
        'the private redis-server to answer',
        100,
      );
    } finally {
      probe.disconnect();
    }
  }

  /** SHUTDOWN through a signal: Redis flushes its AOF and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.pid) process.kill(child.pid, 'SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * What every fault test stands on: the simulator with the fault scenario, a webhook receiver, a
 * campaigns file, the worker environment, and direct control over the run's queues.
 */
export interface FaultRig {
  sim: Simulator;
  slack: HttpSink;
  control: Control;
  env: NodeJS.ProcessEnv;
  /** Every ad set's targeting before the run. */
  originals: Map<string, Targeting>;
  /**
   * Waits for the run's report and its Slack delivery (then a little longer, so that a duplicate
   * would show), and stops `worker` with SIGTERM.
   */
  finish(worker: WorkerProcess, runId: string, reportTimeoutMs: number): Promise<{ report?: RunReport; exit?: Exit }>;
  /** Stops everything the test started and, unless the Redis is private to the test, deletes its keys. */
  close(): Promise<void>;
}

export async function startFaultRig(opts: {
  redisUrl: string;
  prefix: string;
  count: number;
  fragile?: string[];
  latencyMs: number;
  /** Delete the prefix's keys on close (not needed on a private Redis that is destroyed). */
  cleanPrefix?: boolean;
}): Promise<FaultRig> {
  const sim = await startSimulator({ scenario: faultScenario(opts.count, opts.fragile), latencyMs: opts.latencyMs });
  const originals = new Map(Object.entries(sim.state.adsets).map(([id, a]) => [id, structuredClone(a.targeting)]));
  const slack = await startSlackSink();
  const campaigns = tempCampaignsFile();
  const env = workerEnv({ redisUrl: opts.redisUrl, prefix: opts.prefix, sim, campaignsFile: campaigns.file, slackUrl: slack.url, concurrency: 3, verifyDelayMs: 300 });
  const control = new Control(opts.redisUrl, opts.prefix);
  return {
    sim,
    slack,
    control,
    env,
    originals,
    finish: async (worker, runId, reportTimeoutMs) => {
      const report = await control.waitForReport(runId, reportTimeoutMs);
      await waitUntil(() => slack.bodies.length > 0, 10_000, 'the Slack delivery').catch(() => undefined);
      await sleep(1500);
      worker.child.kill('SIGTERM');
      return { report, exit: await worker.exitWithin(30_000) };
    },
    close: async () => {
      killStartedWorkers();
      await control.close();
      await sim.close();
      await slack.close();
      removeDir(campaigns.dir);
      if (opts.cleanPrefix) await deleteUnder(opts.redisUrl, opts.prefix);
    },
  };
}
