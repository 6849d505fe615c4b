import { newRunId, type RunReport } from '@closrads/core';
import type { DashboardDeps } from '@closrads/dashboard/deps';

export { AUTH, PASSWORD, USER, testDashboard, type TestDashboard } from '@closrads/test-support/dashboard';

export const XSS_NAME = '<script>alert("x")</script> VET';

const zero = {
  processed: 0,
  updated: 0,
  wouldUpdate: 0,
  unchanged: 0,
  skippedPreflight: 0,
  reverted: 0,
  failed: 0,
  superseded: 0,
  deferred: 0,
  skippedChanged: 0,
};

/** Times relative to now: the run store prunes runs older than its retention. */
export const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/** The contract's example report, with an ad set name that would run script if it were not escaped. */
export function failedReport(started = minutesAgo(120)): RunReport {
  return {
    runId: newRunId(started),
    trigger: 'schedule',
    dryRun: false,
    startedAt: started.toISOString(),
    finishedAt: new Date(started.getTime() + 41_512).toISOString(),
    success: false,
    campaigns: [
      {
        name: 'Veterans',
        status: 'completed',
        activeStates: ['CA', 'DC', 'OH', 'TX'],
        unmappedStates: ['XX'],
        counts: { ...zero, processed: 3, updated: 1, failed: 1, skippedPreflight: 1 },
        adsets: [
          {
            id: '201',
            name: 'VET broad',
            facebookCampaignId: '9001',
            outcome: 'updated',
            added: ['CA', 'DC', 'TX'],
            removed: ['NY'],
          },
          {
            id: '204',
            name: XSS_NAME,
            facebookCampaignId: '9001',
            outcome: 'failed',
            added: ['CA', 'DC', 'OH', 'TX'],
            removed: ['NY'],
            error: '(#100/1885364) Missing Target Audience Location',
          },
          {
            id: '205',
            name: 'VET rejected ads',
            facebookCampaignId: '9001',
            outcome: 'skipped_preflight',
            added: ['OH'],
            removed: [],
            ads: [
              { id: '9', name: 'Ad nine', effectiveStatus: 'DISAPPROVED', issue: 'Ad rejected: misleading claims' },
            ],
          },
        ],
      },
      {
        name: 'Truckers',
        status: 'aborted',
        abortReason: 'every state reports zero demand; targeting left as it is',
        activeStates: [],
        unmappedStates: [],
        counts: zero,
        adsets: [],
      },
    ],
  };
}

export function okReport(started: Date, dryRun = false): RunReport {
  return {
    runId: newRunId(started),
    trigger: 'manual',
    dryRun,
    startedAt: started.toISOString(),
    finishedAt: new Date(started.getTime() + 30_000).toISOString(),
    success: true,
    campaigns: [
      {
        name: 'Veterans',
        status: 'completed',
        activeStates: ['OH'],
        unmappedStates: [],
        counts: { ...zero, processed: 2, updated: 1, unchanged: 1 },
        adsets: [
          { id: '201', name: 'VET broad', facebookCampaignId: '9001', outcome: 'updated', added: ['OH'], removed: [] },
          { id: '202', name: 'VET narrow', facebookCampaignId: '9001', outcome: 'unchanged', added: [], removed: [] },
        ],
      },
    ],
  };
}

/** One ad set reverted (original targeting restored), one updated: success true, verdict attention. */
export function revertedOnlyReport(started: Date): RunReport {
  return {
    runId: newRunId(started),
    trigger: 'schedule',
    dryRun: false,
    startedAt: started.toISOString(),
    finishedAt: new Date(started.getTime() + 20_000).toISOString(),
    success: true,
    verdict: 'attention',
    campaigns: [
      {
        name: 'Veterans',
        status: 'completed',
        activeStates: ['OH', 'TX'],
        unmappedStates: [],
        counts: { ...zero, processed: 2, updated: 1, reverted: 1 },
        adsets: [
          { id: '201', name: 'VET broad', facebookCampaignId: '9001', outcome: 'updated', added: ['OH'], removed: [] },
          {
            id: '206',
            name: 'VET retarget',
            facebookCampaignId: '9001',
            outcome: 'reverted',
            added: ['TX'],
            removed: ['CA'],
            rolledBack: true,
            ads: [{ id: '931', name: 'Instant form', effectiveStatus: 'WITH_ISSUES', issue: 'Lead form link broken' }],
          },
        ],
      },
    ],
  };
}

/** A live run whose guardrails held Veterans (nothing written, approval needed). */
export function heldReport(started: Date): RunReport {
  return {
    ...okReport(started),
    trigger: 'demand-change',
    success: false,
    campaigns: [
      {
        name: 'Veterans',
        status: 'held',
        holdReason:
          'demand would drop 4 of the 6 states of the last live run (66.7 %, more than the allowed 50 %): FL, NY, OH, WA would go, 2 states would stay (CA, TX); targeting left as it is; to apply it anyway, run `pnpm enqueue --campaign Veterans --approve` or press Approve on the dashboard',
        activeStates: ['CA', 'TX'],
        unmappedStates: [],
        counts: zero,
        adsets: [],
      },
    ],
  };
}

/** Stores a finished run the way the worker does: its start record, then its report. */
export async function seedFinished(deps: DashboardDeps, report: RunReport): Promise<void> {
  await deps.store.recordStart({
    runId: report.runId,
    trigger: report.trigger,
    dryRun: report.dryRun,
    campaigns: [],
    startedAt: report.startedAt,
  });
  await deps.store.saveReport(report);
}
