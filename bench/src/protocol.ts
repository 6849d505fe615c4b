import type { Campaign, Outcome } from '@closrads/core';

/** What the parent sends the worker process once, right after it starts. */
export interface WorkerSettings {
  redisUrl: string;
  prefix: string;
  closrtechUrl: string;
  graphUrl: string;
  campaigns: Campaign[];
  concurrency: number;
  verifyDelayMs: number;
  /** Give up waiting for the report after this long. */
  runTimeoutMs: number;
  /** How often the worker process samples its RSS, ms. */
  rssSampleMs: number;
  /**
   * Experiments only (never the product's behaviour): runtime patches that model a proposed product
   * fix, to measure its effect. See whatif.ts.
   */
  whatIf?: string[];
}

/**
 * `run`: start a run and measure it until its report (the driving process). `help`: only work the
 * queues while another process drives the run, measuring until `stop` (the extra worker processes of a
 * case with several).
 */
export type ParentMessage =
  | { type: 'start'; settings: WorkerSettings }
  | { type: 'run' }
  | { type: 'help' }
  | { type: 'stop' }
  | { type: 'close' };

/** What a helping worker process measured between `help` and `stop`. */
export interface HelperOutcome {
  type: 'helped';
  cpu: { userMs: number; systemMs: number };
  peakRssBytes: number;
  clientCommands: ClientCommandStats;
}

/** Redis commands sent by the worker process, counted client-side (every ioredis connection it opens). */
export interface ClientCommandStats {
  /** Commands written to Redis (a MULTI's commands count one by one, MULTI/EXEC included). */
  total: number;
  byName: Record<string, number>;
  /** Largest number of commands queued in one MULTI…EXEC transaction. */
  largestTransaction: number;
  /** Largest number of commands handed to one connection in one synchronous stretch (one pipeline write). */
  largestBatch: number;
  /** Largest single command sent, in bytes of its arguments (e.g. one addJob with its data). */
  largestCommandBytes: number;
  largestCommandName: string;
  /** largest command sent, per command name, bytes */
  largestByName: Record<string, number>;
}

export interface RunPhases {
  /** enqueue → planning job finished (demand, listing, fan-out), ms */
  planMs?: number;
  /** planning finished → finalizer started (the ad set jobs), ms */
  adsetsMs?: number;
  /** finalizer started → report seen, ms */
  finalizeMs?: number;
}

export interface RunOutcome {
  type: 'done';
  runId: string;
  /** enqueue (startRun) → report stored and seen, ms */
  wallMs: number;
  phases: RunPhases;
  success: boolean;
  /** no report within runTimeoutMs: counts are then completed/failed jobs, and `pending` the jobs left */
  timedOut: boolean;
  pending: number;
  counts: Record<Outcome, number>;
  /** ad set count per campaign as planned */
  processed: number;
  abortedCampaigns: string[];
  /** up to 10 failed ad sets with their error */
  failures: Array<{ id: string; error: string }>;
  /** bytes of the stored report JSON */
  reportBytes: number;
  /** bytes of the planning job's return value and of the largest update-adset job data seen */
  planResultBytes: number;
  rss: { beforeRunBytes: number; peakDuringRunBytes: number; maxRssBytes: number };
  heapUsedPeakBytes: number;
  cpu: { userMs: number; systemMs: number };
  eventLoop: { utilization: number; delayP99Ms: number; delayMaxMs: number };
  clientCommands: ClientCommandStats;
  /** PING round trips on a connection of its own, every 20 ms during the run (Redis latency as the workers see it) */
  redisRtt: { samples: number; p50Ms: number; p99Ms: number; maxMs: number };
}

export type ChildMessage =
  | { type: 'ready'; rssBytes: number }
  | RunOutcome
  | { type: 'helping' }
  | HelperOutcome
  | { type: 'error'; message: string }
  | { type: 'closed' };
