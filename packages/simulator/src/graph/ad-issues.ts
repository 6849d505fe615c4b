import type { IssueInfo, ScenarioAd, SimulatorState } from '../types.js';
import { adsOfAdset } from '../state-index.js';

export const LEAD_FORM_ISSUE_CODE = 3390001;

export function leadFormIssue(): IssueInfo {
  return {
    level: 'AD',
    error_code: LEAD_FORM_ISSUE_CODE,
    error_summary: 'Lead form link broken',
    error_message: 'The instant form linked to this ad is no longer valid after the ad set was edited.',
    error_type: 'HARD_ERROR',
  };
}

export const isBroken = (ad: ScenarioAd): boolean =>
  (ad.issues_info ?? []).some((i) => i.error_code === LEAD_FORM_ISSUE_CODE);

/**
 * Models the failure the product protects against: editing an ad set's geo breaks the lead form of
 * some running ads. Paused ads and ads marked 'none' are untouched; restoring the geo heals nothing.
 */
export function breakAdsAfterGeoChange(state: SimulatorState, adsetId: string): void {
  for (const ad of adsOfAdset(state, adsetId)) {
    if (ad.status !== 'ACTIVE') continue;
    if (ad.onGeoChange !== 'break' && ad.onGeoChange !== 'break-heal-on-republish') continue;
    if (isBroken(ad)) continue;
    ad.effective_status = 'WITH_ISSUES';
    ad.issues_info = [leadFormIssue()];
  }
}
