import type { IssueInfo, ScenarioAd } from '../types.js';

// Assumption: the issue a geo change causes is modelled on a lead-form break seen in practice; the
// code and texts are the simulator's, only the issues_info shape is Meta's (AdgroupIssuesInfo).
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
