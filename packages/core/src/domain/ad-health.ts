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

/**
 * Ads that are meant to run (their own status is ACTIVE) but are disapproved, have issues, or carry
 * `issues_info`. Ads paused by their owner never count: their state is a person's choice.
 */
export function brokenAds(ads: readonly AdState[]): AdIssue[] {
  return ads
    .filter((ad) => ad.status === 'ACTIVE')
    .filter((ad) => BROKEN_STATUSES.has(ad.effective_status) || (ad.issues_info?.length ?? 0) > 0)
    .map((ad) => {
      const first = ad.issues_info?.[0];
      const issue = first?.error_summary ?? first?.error_message ?? ad.effective_status;
      return {
        id: ad.id,
        name: ad.name,
        effectiveStatus: ad.effective_status,
        issue: first?.error_code ? `${issue} (#${first.error_code})` : issue,
        ...(first?.error_code ? { errorCode: first.error_code } : {}),
      };
    });
}

/** Ads to republish after a targeting change: those whose own status is ACTIVE. */
export function adsToRepublish(ads: readonly AdState[]): string[] {
  return ads.filter((ad) => ad.status === 'ACTIVE').map((ad) => ad.id);
}
