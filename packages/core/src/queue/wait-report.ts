import { setTimeout as sleep } from 'node:timers/promises';
import type { RunStore } from '../report/run-store';
import type { RunReport } from '../report/types';

/** Polls the run store until the run's report exists; undefined when `timeoutMs` passes first. */
export async function waitForReport(
  store: RunStore,
  runId: string,
  timeoutMs: number,
  pollMs = 250,
): Promise<RunReport | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await store.getReport(runId);
    if (report) return report;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }
}
