import type { AdsetResult, CampaignReport, CampaignStatus, OutcomeCounts, RunReport } from './types';
import type { RunMeta } from './run-store';
import { decideRunResult } from './verdict';

/** What planning concluded for one campaign, before any ad set ran. */
export interface CampaignPlanSummary {
  name: string;
  status: CampaignStatus;
  abortReason?: string;
  holdReason?: string;
  activeStates: string[];
  unmappedStates: string[];
  adsetCount: number;
}

export function emptyCounts(): OutcomeCounts {
  return { processed: 0, updated: 0, wouldUpdate: 0, unchanged: 0, skippedPreflight: 0, reverted: 0, failed: 0, superseded: 0, deferred: 0, skippedChanged: 0 };
}

/** The `counts` field of each outcome. */
export const COUNT_OF = {
  updated: 'updated',
  would_update: 'wouldUpdate',
  unchanged: 'unchanged',
  skipped_preflight: 'skippedPreflight',
  reverted: 'reverted',
  failed: 'failed',
  superseded: 'superseded',
  deferred: 'deferred',
  skipped_changed: 'skippedChanged',
} as const;

export function countOutcomes(adsets: readonly AdsetResult[]): OutcomeCounts {
  const counts = emptyCounts();
  for (const a of adsets) {
    counts.processed++;
    counts[COUNT_OF[a.outcome]]++;
  }
  return counts;
}

/**
 * Assembles the report of the contract from the planning summary and every ad set's result
 * (successful jobs and failed ones alike). `success` and `verdict` come from decideRunResult, the
 * one rule every output follows.
 */
export function buildReport(input: {
  meta: Pick<RunMeta, 'runId' | 'trigger' | 'dryRun' | 'startedAt' | 'undoOf'>;
  plan: readonly CampaignPlanSummary[];
  results: readonly (AdsetResult & { campaign: string })[];
  finishedAt: Date;
  dashboardUrl?: string;
}): RunReport {
  const byCampaign = new Map<string, AdsetResult[]>();
  for (const { campaign, ...result } of input.results) {
    const list = byCampaign.get(campaign) ?? [];
    list.push(result);
    byCampaign.set(campaign, list);
  }
  const campaigns: CampaignReport[] = input.plan.map((p) => {
    const adsets = (byCampaign.get(p.name) ?? []).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return {
      name: p.name,
      status: p.status,
      ...(p.abortReason ? { abortReason: p.abortReason } : {}),
      ...(p.holdReason ? { holdReason: p.holdReason } : {}),
      activeStates: p.activeStates,
      unmappedStates: p.unmappedStates,
      counts: countOutcomes(adsets),
      adsets,
    };
  });
  const { success, verdict } = decideRunResult(campaigns);
  return {
    runId: input.meta.runId,
    trigger: input.meta.trigger,
    ...(input.meta.undoOf ? { undoOf: input.meta.undoOf } : {}),
    dryRun: input.meta.dryRun,
    startedAt: input.meta.startedAt,
    finishedAt: input.finishedAt.toISOString(),
    success,
    verdict,
    campaigns,
    ...(input.dashboardUrl ? { dashboardUrl: input.dashboardUrl } : {}),
  };
}
