/**
 * The run report: the product's outward contract (see the README, "The report").
 * Extra fields are allowed; the contract fields never change meaning.
 */

import type { Verdict } from './verdict';

export const OUTCOMES = [
  'updated',
  'would_update',
  'unchanged',
  'failed',
  'skipped_preflight',
  'reverted',
  'superseded',
  'deferred',
  'skipped_changed',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** An ad that made pre-flight skip its ad set, or that broke after an update. */
export interface AdIssue {
  id: string;
  name: string;
  effectiveStatus: string;
  /** Meta's issue text (issues_info summary/message, or the effective status when there is none). */
  issue: string;
  errorCode?: number;
}

export interface AdsetResult {
  id: string;
  name: string;
  facebookCampaignId: string;
  outcome: Outcome;
  /** USPS codes (or region names for non-US regions) the update adds / removes, sorted. */
  added: string[];
  removed: string[];
  /** Present when outcome is `failed`, and as context on `reverted` when the rollback itself failed. */
  error?: string;
  /** Graph error code and subcode behind `error`, when it came from Meta. */
  errorCode?: number;
  errorSubcode?: number;
  /** Ads behind `skipped_preflight` or `reverted`. */
  ads?: AdIssue[];
  /** For `reverted`: whether the original targeting was written back. */
  rolledBack?: boolean;
  /** For `superseded`: the newer run that owns this ad set. */
  supersededBy?: string;
  /** True when a person must look at this ad set (rollback failed). */
  needsAttention?: boolean;
  /** For `updated` with protection: `pending` while Meta still reviews its ads, `passed` once all are out of review and healthy. */
  review?: 'pending' | 'passed';
  /** Things a person should know although the write went ahead (locations inside removed states…). */
  warnings?: string[];
  /** For `deferred`: the run whose change of this ad set is still watched. */
  deferredBy?: string;
  /** Why the ad set got this outcome, in plain words (deferred, skipped_changed). */
  reason?: string;
}

export interface OutcomeCounts {
  processed: number;
  updated: number;
  wouldUpdate: number;
  unchanged: number;
  skippedPreflight: number;
  reverted: number;
  failed: number;
  superseded: number;
  deferred: number;
  skippedChanged: number;
}

/** `held`: the guardrails stopped the campaign before any write (see domain/guardrails). */
export type CampaignStatus = 'completed' | 'aborted' | 'held';

export interface CampaignReport {
  name: string;
  status: CampaignStatus;
  abortReason?: string;
  /** For `held`: the guardrail figures and how to approve the run. */
  holdReason?: string;
  activeStates: string[];
  unmappedStates: string[];
  counts: OutcomeCounts;
  adsets: AdsetResult[];
}

export type RunTrigger = 'schedule' | 'manual' | 'demand-change' | 'undo';

export interface RunReport {
  runId: string;
  trigger: RunTrigger;
  /** For trigger `undo`: the run whose changes this run put back. */
  undoOf?: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  success: boolean;
  /**
   * `failed` when `success` is false, `attention` when something was reverted, skipped at pre-flight
   * or needs a person, else `ok` (decided by report/verdict.ts). Absent only in reports stored before
   * the field existed; read it through `resultOf`.
   */
  verdict?: Verdict;
  campaigns: CampaignReport[];
  /** Link to the run's dashboard page, when DASHBOARD_PUBLIC_URL is set. */
  dashboardUrl?: string;
  /** Bumped each time the stored report is brought up to date after a late retry (1 = first report). */
  revision?: number;
  /** When the report was last brought up to date after a late retry. */
  updatedAt?: string;
  /** Ad sets whose outcome changed after the first report (late retries), by revision. */
  lateChanges?: Array<AdsetChange & { revision: number }>;
  /** Delivery state per channel, recorded with the run. */
  deliveries?: Record<string, DeliveryStatus>;
}

export interface DeliveryStatus {
  status: 'sent' | 'failed';
  at: string;
  error?: string;
}

/** A short notice sent when a late retry changes a run whose report was already delivered. */
export interface FollowUp {
  runId: string;
  revision: number;
  dryRun: boolean;
  success: boolean;
  /** The run's verdict at this revision (absent in follow-ups made before the field existed). */
  verdict?: Verdict;
  dashboardUrl?: string;
  /** The ad sets whose outcome changed since the previous revision. */
  changes: AdsetChange[];
}

/** An ad set whose outcome, review or need of a person changed after the first report. */
export interface AdsetChange {
  campaign: string;
  adset: AdsetResult;
  previousOutcome: Outcome;
  previousReview?: 'pending' | 'passed';
}
