import type { AdsetResult, CampaignReport, CampaignStatus, RunReport } from './types';
import type { RunMeta } from './run-store';
import { decideRunResult } from './verdict';
import { countOutcomes } from './vocabulary';

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
