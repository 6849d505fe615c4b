import type { AdIssue } from '../report/types';

/** The fields of an ad that decide whether it is healthy. */
export interface AdState {
  id: string;
  name: string;
  status: string;
  effective_status: string;
  issues_info?: Array<{ error_code?: number; error_summary?: string; error_message?: string }>;
}

const BROKEN_STATUSES = new Set(['DISAPPROVED', 'WITH_ISSUES']);
/** Meta's review states: after a targeting change the ads pass through these for minutes to hours. */
const REVIEW_STATUSES = new Set(['PENDING_REVIEW', 'IN_PROCESS']);

/** What an ad is, for protection. Ads paused by their owner never count: their state is a person's choice. */
export type AdCondition = 'owner-paused' | 'in-review' | 'broken' | 'healthy';

export function adCondition(ad: AdState): AdCondition {
  if (ad.status !== 'ACTIVE') return 'owner-paused';
  if (BROKEN_STATUSES.has(ad.effective_status) || (ad.issues_info?.length ?? 0) > 0) return 'broken';
  if (REVIEW_STATUSES.has(ad.effective_status)) return 'in-review';
  return 'healthy';
}

function issueOf(ad: AdState): AdIssue {
  const first = ad.issues_info?.[0];
  const issue = first?.error_summary ?? first?.error_message ?? ad.effective_status;
  return {
    id: ad.id,
    name: ad.name,
    effectiveStatus: ad.effective_status,
    issue: first?.error_code ? `${issue} (#${first.error_code})` : issue,
    ...(first?.error_code ? { errorCode: first.error_code } : {}),
  };
}

/**
 * Ads that are meant to run (their own status is ACTIVE) but are disapproved, have issues, or carry
 * `issues_info`.
 */
export function brokenAds(ads: readonly AdState[]): AdIssue[] {
  return ads.filter((ad) => adCondition(ad) === 'broken').map(issueOf);
}

/** Ads to republish: those of `ids` whose own status is ACTIVE (never ads paused by their owner). */
export function adsToRepublish(ads: readonly AdState[], ids?: readonly string[]): string[] {
  const only = ids ? new Set(ids) : undefined;
  return ads.filter((ad) => ad.status === 'ACTIVE' && (!only || only.has(ad.id))).map((ad) => ad.id);
}

/** The ad set's ads as one verdict: any broken ad wins, then any ad still in review, else healthy. */
export type ReviewState =
  { state: 'broken'; broken: AdIssue[] } | { state: 'in-review'; inReview: number } | { state: 'healthy' };

export function reviewStateOf(ads: readonly AdState[]): ReviewState {
  const broken = brokenAds(ads);
  if (broken.length > 0) return { state: 'broken', broken };
  const inReview = ads.filter((ad) => adCondition(ad) === 'in-review').length;
  return inReview > 0 ? { state: 'in-review', inReview } : { state: 'healthy' };
}
