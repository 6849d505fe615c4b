import type { RunReport } from '../report/types';

/** What a run changed on one ad set (state region keys before and after), kept with the run's history. */
export interface RunChange {
  before: string[];
  after: string[];
}

/** One ad set an undo run puts back: the states it had before the undone run, and the ones that run wrote. */
export interface UndoTarget {
  campaign: string;
  adsetId: string;
  adsetName: string;
  facebookCampaignId: string;
  /** State region keys the ad set had before the undone run: what the undo writes. */
  before: string[];
  /** State region keys the undone run wrote: the ad set must still have exactly these to be undone. */
  after: string[];
}

export type UndoRefusal = 'unknown' | 'dry-run' | 'not-finished';

/** Whether a run can be undone: it must be a finished live run in the stored history. */
export function undoRefusal(report: RunReport | undefined): UndoRefusal | undefined {
  if (!report) return 'unknown';
  if (report.dryRun) return 'dry-run';
  if (!report.finishedAt) return 'not-finished';
  return undefined;
}

export const UNDO_REFUSAL_TEXT: Record<UndoRefusal, string> = {
  unknown: 'is not in the stored run history (unknown, or older than 35 days)',
  'dry-run': 'was a dry run: it changed nothing on Facebook, so there is nothing to undo',
  'not-finished': 'has not finished yet',
};

/**
 * The ad sets an undo of `report` puts back: every ad set the run left `updated` (the stored report
 * is the latest revision, so a late retry that left it updated counts), for which the run recorded
 * what it changed. `campaigns` narrows to those names (empty: all of the run's campaigns).
 */
export function undoTargets(
  report: RunReport,
  changes: ReadonlyMap<string, RunChange>,
  campaigns: readonly string[] = [],
): Map<string, UndoTarget[]> {
  const out = new Map<string, UndoTarget[]>();
  for (const c of report.campaigns) {
    if (campaigns.length > 0 && !campaigns.includes(c.name)) continue;
    const targets: UndoTarget[] = [];
    for (const a of c.adsets) {
      const change = changes.get(a.id);
      if (a.outcome !== 'updated' || !change) continue;
      targets.push({
        campaign: c.name,
        adsetId: a.id,
        adsetName: a.name,
        facebookCampaignId: a.facebookCampaignId,
        before: change.before,
        after: change.after,
      });
    }
    out.set(c.name, targets);
  }
  return out;
}
