/**
 * What an operator waiting for a run needs to see: whether any worker process is there to take it, and
 * how far it got (ad set jobs done out of how many). Read from BullMQ only, so it works from any
 * process (`pnpm enqueue --wait`, the dashboard) without the worker's help.
 */
import { hostname } from 'node:os';
import { Job, type Queue } from 'bullmq';
import { QUEUES, jobIds, type QueueName } from './jobs';

/** The two queues a run's progress is read from, out of a map keyed by queue name. */
export function progressQueues(queues: Record<QueueName, Queue>): { planSync: Queue; finalizeReport: Queue } {
  return { planSync: queues[QUEUES.planSync], finalizeReport: queues[QUEUES.finalizeReport] };
}

/**
 * The BullMQ worker `name` every worker of one process shares. BullMQ puts it in the Redis client
 * name of the worker's connections (`…:w:NAME`), which is how `queue.getWorkers()` tells processes
 * apart: a process runs one worker per queue, so counting connections would count queues.
 */
export function workerProcessName(host = hostname(), pid = process.pid): string {
  // Redis client names may not contain spaces or newlines.
  return `${host.replace(/[^A-Za-z0-9._-]/g, '_')}-${pid}`;
}

export interface WorkerPresence {
  /** Worker processes connected to any of the queues. */
  processes: number;
  /** Connected workers per queue. */
  byQueue: Record<string, number>;
}

/** Counts worker processes (not queues) from the queues' connected clients. */
export async function countWorkerProcesses(queues: Record<string, Pick<Queue, 'getWorkers'>>): Promise<WorkerPresence> {
  const entries = Object.entries(queues);
  const lists = await Promise.all(entries.map(([, q]) => q.getWorkers()));
  const named = new Set<string>();
  let unnamedMax = 0;
  const byQueue: Record<string, number> = {};
  entries.forEach(([queue], i) => {
    const clients = lists[i] ?? [];
    const names = new Set<string>();
    let unnamed = 0;
    for (const c of clients) {
      const raw = String((c as Record<string, unknown>).rawname ?? '');
      const at = raw.indexOf(':w:');
      if (at >= 0) names.add(raw.slice(at + 3));
      else unnamed += 1;
    }
    for (const n of names) named.add(n);
    // A worker started without a name cannot be told apart from another process's: assume the
    // queue with the most of them has one per process.
    unnamedMax = Math.max(unnamedMax, unnamed);
    byQueue[queue] = names.size + unnamed;
  });
  return { processes: named.size + unnamedMax, byQueue };
}

export type RunPhase = 'queued' | 'planning' | 'updating' | 'reporting';

export interface RunProgress {
  phase: RunPhase;
  /** Ad set jobs finished (any outcome), once planning is done. */
  adsetsDone?: number;
  /** Ad set jobs the run planned, once planning is done. */
  adsetsTotal?: number;
}

/**
 * How far a run without a report got. The run is one flow: `finalize-report` is the parent of
 * `plan-sync` and of every `update-adset` job; the parent's dependency counts say how many are done.
 */
export async function readRunProgress(
  queues: { planSync: Queue; finalizeReport: Queue },
  runId: string,
): Promise<RunProgress> {
  const [plan, parent] = await Promise.all([
    Job.fromId(queues.planSync, jobIds.plan(runId)),
    Job.fromId(queues.finalizeReport, jobIds.finalize(runId)),
  ]);
  // Jobs are kept a week after they finish, so a missing job means the flow is still being added.
  if (!plan || !parent) return { phase: 'queued' };
  const planState = await plan.getState();
  if (
    planState === 'waiting' ||
    planState === 'delayed' ||
    planState === 'prioritized' ||
    planState === 'waiting-children'
  ) {
    // A retried planning attempt waits as `delayed`: it has started once, so it counts as planning.
    return { phase: plan.attemptsMade > 0 ? 'planning' : 'queued' };
  }
  if (planState === 'active') return { phase: 'planning' };
  const counts = await parent.getDependenciesCount();
  const all = (counts.processed ?? 0) + (counts.unprocessed ?? 0) + (counts.ignored ?? 0) + (counts.failed ?? 0);
  // The planning job is one of the parent's children; the rest are ad set jobs.
  const total = Math.max(0, all - 1);
  const done = Math.max(0, total - (counts.unprocessed ?? 0));
  return { phase: done >= total ? 'reporting' : 'updating', adsetsDone: done, adsetsTotal: total };
}

/** "queued", "planning", "updating ad sets: 12/40 done", "writing the report (40/40 ad sets done)". */
export function describeProgress(p: RunProgress): string {
  const tally = p.adsetsTotal !== undefined ? `${p.adsetsDone ?? 0}/${p.adsetsTotal}` : '';
  switch (p.phase) {
    case 'queued':
      return 'queued, waiting for a worker';
    case 'planning':
      return 'planning (reading demand and ad sets)';
    case 'updating':
      return `updating ad sets: ${tally} done`;
    case 'reporting':
      return `writing the report (${tally} ad sets done)`;
  }
}
