import { UNDO_REFUSAL_TEXT, undoRefusal, undoTargets, type PlanSyncData, type UpdateAdsetData } from '@closrads/core';
import type { WorkerDeps } from '../deps';
import type { CampaignPlan } from './plan-sync';
import type { AdsetJobResult } from './update-adset';

/**
 * Plans an undo run: every ad set the undone run left `updated` gets one job that puts back the state
 * region keys it had before that run, onto its targeting as Facebook has it then (only the states
 * change back). The job leaves alone an ad set whose states are no longer exactly those the undone run
 * wrote (`skipped_changed`). Guardrails do not apply: an undo follows no demand.
 */
export async function planUndo(deps: WorkerDeps, run: PlanSyncData, undoOf: string): Promise<CampaignPlan[]> {
  const report = await deps.store.getReport(undoOf);
  const refusal = undoRefusal(report);
  if (!report || refusal) {
    const names = run.campaigns.length > 0 ? run.campaigns : deps.campaigns.filter((c) => c.enabled).map((c) => c.name);
    return names.map((name) => aborted(name, `run ${undoOf} ${UNDO_REFUSAL_TEXT[refusal ?? 'unknown']}`));
  }
  const changes = await deps.journal.runChanges(undoOf);
  const plannedAt = Date.now();
  const plans: CampaignPlan[] = [];
  for (const [name, targets] of undoTargets(report, changes, run.campaigns)) {
    const campaign = deps.campaigns.find((c) => c.name === name);
    if (!campaign) {
      plans.push(
        aborted(name, `campaign ${name} is no longer in the campaigns file; its ad sets were left as they are`),
      );
      continue;
    }
    const jobs: UpdateAdsetData[] = [];
    const lines: AdsetJobResult[] = [];
    for (const t of targets) {
      const usps = (keys: string[]) => keys.map((k) => deps.regions.uspsOf(k) ?? `key ${k}`);
      const added = usps(t.before.filter((k) => !t.after.includes(k))).sort();
      const removed = usps(t.after.filter((k) => !t.before.includes(k))).sort();
      const base = {
        campaign: name,
        id: t.adsetId,
        name: t.adsetName,
        facebookCampaignId: t.facebookCampaignId,
        added,
        removed,
      };
      if (t.before.length === 0) {
        lines.push({
          ...base,
          outcome: 'failed',
          error: `it had no US state before run ${undoOf}; an undo would leave it without one, so it was left as it is`,
        });
        continue;
      }
      jobs.push({
        runId: run.runId,
        campaign: name,
        adsetId: t.adsetId,
        adsetName: t.adsetName,
        facebookCampaignId: t.facebookCampaignId,
        adAccountId: campaign.adAccountId,
        dryRun: run.dryRun,
        protection: campaign.protection,
        regionKeys: [...t.before].sort(),
        expectKeys: [...t.after].sort(),
        undoOf,
        added,
        removed,
        plannedAt,
        step: 'start',
        throttled: 0,
      });
    }
    plans.push({
      summary: { name, status: 'completed', activeStates: [], unmappedStates: [], adsetCount: targets.length },
      jobs,
      unchanged: lines,
      listed: new Map(),
    });
  }
  return plans;
}

function aborted(name: string, reason: string): CampaignPlan {
  return {
    summary: { name, status: 'aborted', abortReason: reason, activeStates: [], unmappedStates: [], adsetCount: 0 },
    jobs: [],
    unchanged: [],
    listed: new Map(),
  };
}
