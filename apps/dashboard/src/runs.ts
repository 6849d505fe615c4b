import { resultOf, type CampaignReport, type OutcomeCounts, type RunSummary, type Verdict } from '@closrads/core';

/** One line of the run history, as `/api/runs` returns it and `/runs` shows it. */
export interface RunListItem {
  runId: string;
  trigger: string;
  dryRun: boolean;
  startedAt: string;
  /** Campaign names asked for; empty = every enabled campaign. */
  requestedCampaigns: string[];
  /** `in_progress` until the report exists, then `finished`. */
  status: 'in_progress' | 'finished';
  finishedAt?: string;
  success?: boolean;
  /** The report's verdict (ok, attention, failed), once finished. */
  verdict?: Verdict;
  revision?: number;
  campaigns: Array<{
    name: string;
    status: CampaignReport['status'];
    abortReason?: string;
    holdReason?: string;
    counts: OutcomeCounts;
  }>;
}

export function toListItem({ meta, report }: RunSummary): RunListItem {
  return {
    runId: meta.runId,
    trigger: report?.trigger ?? meta.trigger,
    dryRun: report?.dryRun ?? meta.dryRun,
    startedAt: report?.startedAt ?? meta.startedAt,
    requestedCampaigns: meta.campaigns,
    status: report ? 'finished' : 'in_progress',
    finishedAt: report?.finishedAt,
    success: report?.success,
    verdict: report ? resultOf(report).verdict : undefined,
    revision: report?.revision,
    campaigns: (report?.campaigns ?? []).map((c) => ({
      name: c.name,
      status: c.status,
      abortReason: c.abortReason,
      holdReason: c.holdReason,
      counts: c.counts,
    })),
  };
}
