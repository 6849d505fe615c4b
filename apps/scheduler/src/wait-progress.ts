/**
 * `--wait` of `pnpm enqueue`: waits for the run's report while telling the operator what is going on
 * (on stderr, so `--json` keeps stdout to the report): how many ad sets are done, and, within seconds,
 * that no worker is running when none is there to take the run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  countWorkerProcesses,
  describeProgress,
  progressQueues,
  readRunProgress,
  type QueueName,
  type RunProgress,
  type RunReport,
  type RunStore,
} from '@closrads/core';
import type { Queue } from 'bullmq';

export type WaitOutcome = { kind: 'report'; report: RunReport } | { kind: 'timeout' } | { kind: 'no_worker' };

/** Where progress goes: a terminal gets one line redrawn in place, a pipe or file a line per phase. */
export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** How long no worker may be seen before `--wait` gives up: long enough to ride out a reconnect. */
export const NO_WORKER_GRACE_MS = 3000;

export interface WaitOptions {
  store: RunStore;
  queues: Record<QueueName, Queue>;
  runId: string;
  timeoutMs: number;
  progress: ProgressSink;
  noWorkerGraceMs?: number;
  pollMs?: number;
}

export async function waitWithProgress(opts: WaitOptions): Promise<WaitOutcome> {
  const grace = opts.noWorkerGraceMs ?? NO_WORKER_GRACE_MS;
  const pollMs = opts.pollMs ?? 500;
  const deadline = Date.now() + opts.timeoutMs;
  const line = new ProgressLine(opts.progress, opts.runId);
  let noWorkerSince: number | undefined;
  try {
    for (;;) {
      const report = await opts.store.getReport(opts.runId);
      if (report) return { kind: 'report', report };
      const now = Date.now();
      if (now >= deadline) return { kind: 'timeout' };

      const presence = await countWorkerProcesses(opts.queues);
      if (presence.processes > 0) noWorkerSince = undefined;
      else noWorkerSince ??= now;
      if (noWorkerSince !== undefined && now - noWorkerSince >= grace) return { kind: 'no_worker' };

      line.show(await readRunProgress(progressQueues(opts.queues), opts.runId), presence.processes === 0);
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    }
  } finally {
    line.end();
  }
}

/** The progress line; a pure renderer around the sink, tested on its own. */
export class ProgressLine {
  private lastPhase: string | undefined;
  private drawn = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly runId: string,
  ) {}

  show(progress: RunProgress, noWorker: boolean): void {
    const text = `run ${this.runId}: ${noWorker ? 'no worker is running' : describeProgress(progress)}`;
    if (this.sink.isTTY) {
      // Carriage return and "erase line": the line is redrawn in place, never scrolls.
      this.sink.write(`\r\x1b[2K${text}`);
      this.drawn = true;
      return;
    }
    // Not a terminal (CI logs, a pipe): one line per phase, not one per poll.
    const phase = noWorker ? 'no-worker' : progress.phase;
    if (phase === this.lastPhase) return;
    this.lastPhase = phase;
    this.sink.write(`${text}\n`);
  }

  end(): void {
    if (this.drawn) this.sink.write('\r\x1b[2K');
    this.drawn = false;
  }
}
