import { afterEach, describe, expect, it } from 'vitest';
import {
  QUEUES,
  countWorkerProcesses,
  readRunProgress,
  startRun,
  waitForReport,
  workerProcessName,
} from '@closrads/core';
import { Worker } from 'bullmq';
import { createFinalizeReportProcessor } from '../src/processors/finalize-report';
import { createPlanSyncProcessor } from '../src/processors/plan-sync';
import { createUpdateAdsetProcessor } from '../src/processors/update-adset';
import { startWorkers } from '../src/workers';
import { startHarness, type Harness, VET, MTG } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario } from '@closrads/test-support/scenarios';

let h: Harness | undefined;
const extra: Worker[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((w) => w.close()));
  await h?.close();
  h = undefined;
});

/** Waits for a condition by polling it (never for a fixed time). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('run progress and worker presence, read from BullMQ', () => {
  it('follows a run from queued through planning and ad sets to its report', async () => {
    h = await startHarness({
      scenario: baseScenario(),
      campaigns: [VET, MTG],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      withoutWorkers: true,
    });
    const { deps } = h.system;
    expect(await countWorkerProcesses(deps.queues)).toMatchObject({ processes: 0 });

    const runId = await startRun(
      { flow: deps.flow, store: deps.store, timing: deps.timing },
      { trigger: 'manual', dryRun: false, campaigns: [] },
    );
    expect(await readRunProgress(deps.queues, runId)).toEqual({ phase: 'queued' });

    // Only planning runs: the ad set jobs it adds wait, so the count is exact.
    const base = { connection: deps.redis, prefix: deps.keys.bullPrefix, name: workerProcessName() };
    extra.push(new Worker(QUEUES.planSync, createPlanSyncProcessor(deps), base));
    await until(async () => (await deps.queues.updateAdset.getWaitingCount()) === 3, 'three ad set jobs');
    expect(await countWorkerProcesses(deps.queues)).toMatchObject({
      processes: 1,
      byQueue: { planSync: 1, updateAdset: 0 },
    });
    // 201, 301 and 302 differ from demand; 202 is already in step and gets no job.
    expect(await readRunProgress(deps.queues, runId)).toEqual({ phase: 'updating', adsetsDone: 0, adsetsTotal: 3 });

    extra.push(new Worker(QUEUES.updateAdset, createUpdateAdsetProcessor(deps), base));
    await until(async () => (await readRunProgress(deps.queues, runId)).phase === 'reporting', 'every ad set job done');
    expect(await readRunProgress(deps.queues, runId)).toEqual({ phase: 'reporting', adsetsDone: 3, adsetsTotal: 3 });

    extra.push(
      new Worker(
        QUEUES.finalizeReport,
        createFinalizeReportProcessor(deps, () => undefined),
        base,
      ),
    );
    const report = await waitForReport(deps.store, runId, 20_000, 25);
    expect(report?.verdict).toBe('ok');
  });

  it('counts one process for the queue workers a process runs', async () => {
    h = await startHarness({
      scenario: baseScenario(),
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      withoutWorkers: true,
    });
    const running = startWorkers(h.system.deps);
    try {
      await Promise.all(running.workers.map((w) => w.waitUntilReady()));
      await until(
        async () => Object.values((await countWorkerProcesses(h!.system.deps.queues)).byQueue).every((n) => n > 0),
        'every queue worker connected',
      );
      const presence = await countWorkerProcesses(h.system.deps.queues);
      expect(presence.processes).toBe(1);
      expect(Object.keys(presence.byQueue).sort()).toEqual(Object.keys(h.system.deps.queues).sort());
      expect(Object.values(presence.byQueue).every((n) => n === 1)).toBe(true);
    } finally {
      await running.close();
    }
  });
});
