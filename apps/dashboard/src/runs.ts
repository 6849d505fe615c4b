import type { CampaignStatus, OutcomeCounts, RunSummary } from '@closrads/core';

/** One line of the run history, as `/api/runs` returns it and `/runs` shows it. */
export interface RunListItem {
  runId: string;
  trigger: string;
  dryRun: boolean;
  startedAt: string;
  /** Campaign names asked for; empty = every enabled campaign. */
  requestedCampaigns: string[];
  /** `in_progress` until the report exists. */
  status: 'in_progress' | 'succeeded' | 'failed';
  finishedAt?: string;
  success?: boolean;
  revision?: number;
  campaigns: Array<{ name: string; status: CampaignStatus; abortReason?: string; holdReason?: string; counts: OutcomeCounts }>;
}

export function toListItem({ meta, report }: RunSummary): RunListItem {
  return {
    runId: meta.runId,
    trigger: report?.trigger ?? meta.trigger,
    dryRun: report?.dryRun ?? meta.dryRun,
    startedAt: report?.startedAt ?? meta.startedAt,
    requestedCampaigns: meta.campaigns,
    status: !report ? 'in_progress' : report.success ? 'succeeded' : 'failed',
    finishedAt: report?.finishedAt,
    success: report?.success,
    revision: report?.revision,
    campaigns: (report?.campaigns ?? []).map((c) => ({ name: c.name, status: c.status, abortReason: c.abortReason, holdReason: c.holdReason, counts: c.counts })),
  };
}

/** Counts in the order an operator reads them, with the report's outcome names. */
export const COUNT_LABELS: Array<[keyof OutcomeCounts, string]> = [
  ['updated', 'updated'],
  ['wouldUpdate', 'would_update'],
  ['unchanged', 'unchanged'],
  ['failed', 'failed'],
  ['skippedPreflight', 'skipped_preflight'],
  ['reverted', 'reverted'],
  ['superseded', 'superseded'],
];
