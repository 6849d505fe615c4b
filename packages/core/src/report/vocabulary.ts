/**
 * The words and counts every view of a report shares (terminal, email, Slack, dashboard, /metrics),
 * so that no two of them call an outcome differently or count it differently.
 */
import { OUTCOMES, type AdsetResult, type CampaignReport, type Outcome, type OutcomeCounts } from './types';

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
} as const satisfies Record<Outcome, keyof OutcomeCounts>;

/** Each count with its outcome, in the order an operator reads them (the contract's order of outcomes). */
export const COUNT_ORDER: ReadonlyArray<readonly [keyof OutcomeCounts, Outcome]> = OUTCOMES.map(
  (o) => [COUNT_OF[o], o] as const,
);

/** An outcome in plain words, as the text, email and Slack reports say it. */
export const OUTCOME_LABEL: Record<Outcome, string> = {
  updated: 'updated',
  would_update: 'would update',
  unchanged: 'unchanged',
  failed: 'failed',
  skipped_preflight: 'skipped pre-flight',
  reverted: 'reverted',
  superseded: 'superseded',
  deferred: 'deferred',
  skipped_changed: 'skipped (changed since)',
};

/**
 * The outcomes a one-line campaign summary names (terminal and Slack), in the order it names them;
 * deferred and skipped-changed ad sets have lines of their own in those views.
 */
export const SUMMARY_OUTCOMES: readonly Outcome[] = [
  'updated',
  'would_update',
  'unchanged',
  'skipped_preflight',
  'reverted',
  'failed',
  'superseded',
];

/** Each of `outcomes` as [its label, its count in `k`]. */
export function labelledCounts(k: OutcomeCounts, outcomes: readonly Outcome[]): Array<[string, number]> {
  return outcomes.map((o) => [OUTCOME_LABEL[o], k[COUNT_OF[o]] ?? 0]);
}

export function emptyCounts(): OutcomeCounts {
  return {
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
}

export function countOutcomes(adsets: readonly Pick<AdsetResult, 'outcome'>[]): OutcomeCounts {
  const counts = emptyCounts();
  for (const a of adsets) {
    counts.processed++;
    counts[COUNT_OF[a.outcome]]++;
  }
  return counts;
}

/**
 * A campaign's counts as shown. A stored report's counts can lag behind its ad set list (reports
 * written before a count existed), and a summary has counts but no list: the larger figure wins.
 */
export function campaignCounts(c: Pick<CampaignReport, 'counts' | 'adsets'>): OutcomeCounts {
  const listed = countOutcomes(c.adsets);
  const out = emptyCounts();
  for (const key of Object.keys(out) as Array<keyof OutcomeCounts>)
    out[key] = Math.max(c.counts[key] ?? 0, listed[key]);
  return out;
}

/**
 * How an ad set's added/removed states relate to Facebook: `made` (written), `would` (dry run),
 * `undone` (written, then restored), `would_have` (never written: failed, skipped, deferred, ...).
 */
export type ChangeKind = 'made' | 'would' | 'undone' | 'would_have';

export function changeKind(a: Pick<AdsetResult, 'outcome'>): ChangeKind {
  if (a.outcome === 'updated') return 'made';
  if (a.outcome === 'would_update') return 'would';
  if (a.outcome === 'reverted') return 'undone';
  return 'would_have';
}

/** The words put before a change so it is never read as one that was made. */
export const CHANGE_PREFIX: Record<ChangeKind, string> = {
  made: '',
  would: '',
  undone: 'undone: ',
  would_have: 'would have: ',
};

/**
 * Where a run's deliveries are recorded (the `deliveries` hash): one slot per channel for the report
 * (`email`, `slack`, `stdout`) and one per follow-up revision (`slack-r2`). Made and read here only,
 * so the worker that records a delivery and the dashboard that shows it cannot drift apart.
 */
export function deliverySlot(channel: string, revision = 1): string {
  return revision > 1 ? `${channel}-r${revision}` : channel;
}

/** The channel and revision of a slot made by deliverySlot. */
export function parseDeliverySlot(slot: string): { channel: string; revision: number } {
  const m = /^(.+)-r(\d+)$/.exec(slot);
  return m ? { channel: m[1]!, revision: Number(m[2]) } : { channel: slot, revision: 1 };
}
