import {
  countWorkerProcesses,
  progressQueues,
  readRunProgress,
  type RunProgress,
  type WorkerPresence,
} from '@closrads/core';
import type { DashboardDeps } from './deps';

/** A Redis that hangs must not hang a page or a probe: every read here gives up after this long. */
export const PROBE_TIMEOUT_MS = 2000;

export function withTimeout<T>(p: Promise<T>, ms = PROBE_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Worker processes connected to the product's queues (not the number of queues that have one). */
export function workerPresence(deps: Pick<DashboardDeps, 'queues'>): Promise<WorkerPresence> {
  return withTimeout(countWorkerProcesses(deps.queues));
}

/** What an unfinished run's page shows; a read that fails leaves the part out rather than the page. */
export async function pendingRunView(
  deps: Pick<DashboardDeps, 'queues'>,
  runId: string,
): Promise<{ progress?: RunProgress; noWorker: boolean }> {
  const [presence, progress] = await Promise.all([
    workerPresence(deps).catch(() => undefined),
    withTimeout(readRunProgress(progressQueues(deps.queues), runId)).catch(() => undefined),
  ]);
  return { progress, noWorker: presence?.processes === 0 };
}
