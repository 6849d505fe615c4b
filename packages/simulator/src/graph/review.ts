import type { IssueInfo, PendingReview, ScenarioAd, ScenarioAdset, SimulatorState } from '../types.js';
import { adsOfAdset } from '../state-index.js';
import { LEAD_FORM_ISSUE_CODE, isBroken, leadFormIssue } from './ad-issues.js';

/**
 * Meta's ad review after an edit. Meta documents that changing an ad set's targeting triggers a
 * review of its ads, that ads show PENDING_REVIEW while it runs, and that an ad entering review
 * while paused stays paused (ads best-practices page; ad reference). Everything else here is the
 * simulator's model, marked `Assumption:` where it is decided.
 *
 * Reviews are stored with their end time and resolved lazily whenever ads are read: no timers, so a
 * test can finish them at will (`finishReviews`) and a closed simulator leaves nothing running.
 */

type Verdict = 'healthy' | 'broken' | 'disapproved';

const reviewMsOf = (state: SimulatorState, ad: ScenarioAd): number => ad.reviewMs ?? state.graph.reviewMs ?? 0;

const withoutLeadFormIssue = (issues: IssueInfo[] | undefined): IssueInfo[] =>
  (issues ?? []).filter((i) => i.error_code !== LEAD_FORM_ISSUE_CODE);

// Assumption: the text Meta gives a disapproval caused by an edit is not documented; this one only
// has the documented shape of ad_review_feedback ({global: {policy: text}}).
const DISAPPROVAL_FEEDBACK = {
  global: { 'Ad Review': 'This ad was rejected in its latest review, after its ad set was edited.' },
};

function verdictOf(state: SimulatorState, ad: ScenarioAd, review: PendingReview): Verdict {
  if (review.cause === 'republish') {
    // A republish heals only ads the scenario marks as healable.
    return ad.onGeoChange === 'break-heal-on-republish' ? 'healthy' : 'broken';
  }
  // Assumption: an ad broken by a geo change is healthy again once a review finds its ad set back on
  // the geo it was approved with: the problem is tied to the change, so undoing the change (a
  // rollback) goes through review and then heals. Not documented by Meta.
  if (review.geo !== undefined && review.geo === state.approvedGeo[review.adsetId]) return 'healthy';
  switch (ad.onGeoChange) {
    case 'break':
    case 'break-heal-on-republish':
      return 'broken';
    case 'disapprove':
      return 'disapproved';
    default:
      return 'healthy';
  }
}

function apply(ad: ScenarioAd, verdict: Verdict, otherIssues: IssueInfo[]): void {
  // Meta: an ad that went through review while paused stays paused (its issues still show).
  const paused = ad.status === 'PAUSED';
  if (verdict === 'disapproved') {
    ad.effective_status = 'DISAPPROVED';
    ad.issues_info = otherIssues;
    ad.ad_review_feedback = structuredClone(DISAPPROVAL_FEEDBACK);
    return;
  }
  ad.issues_info = verdict === 'broken' ? [...otherIssues, leadFormIssue()] : otherIssues;
  if (paused) ad.effective_status = 'PAUSED';
  else ad.effective_status = ad.issues_info.length > 0 ? 'WITH_ISSUES' : 'ACTIVE';
}

function resolve(state: SimulatorState, review: PendingReview): void {
  const ad = state.ads[review.adId];
  delete state.reviews[review.adId];
  if (ad) apply(ad, verdictOf(state, ad, review), review.otherIssues);
}

// Assumption: ads in review show PENDING_REVIEW (never IN_PROCESS, which Meta also uses), their ad
// set's status does not change, and the default review time is 0 (Meta: minutes to hours).
function begin(
  state: SimulatorState,
  ad: ScenarioAd,
  review: Omit<PendingReview, 'otherIssues' | 'endsAt'>,
  now: number,
): void {
  const previous = state.reviews[ad.id];
  state.reviews[ad.id] = {
    ...review,
    endsAt: now + reviewMsOf(state, ad),
    otherIssues: previous?.otherIssues ?? withoutLeadFormIssue(ad.issues_info),
  };
  // Meta's documented in-review status; issues are hidden until the review ends.
  if (ad.status !== 'PAUSED') ad.effective_status = 'PENDING_REVIEW';
  ad.issues_info = [];
}

/** Applies the verdict of every review of these ads that has ended by `now`. */
export function settleReviews(state: SimulatorState, ads: Iterable<ScenarioAd>, now = Date.now()): void {
  for (const ad of ads) {
    const review = state.reviews[ad.id];
    if (review && review.endsAt <= now) resolve(state, review);
  }
}

/** Settles every review that has ended by `now`, whatever its ad set. */
export function settleAllReviews(state: SimulatorState, now = Date.now()): void {
  for (const review of Object.values(state.reviews)) if (review.endsAt <= now) resolve(state, review);
}

/**
 * After a write that moved an ad set's geo from `beforeGeo` to `afterGeo`: every ad whose own status
 * is ACTIVE goes into review. Paused ads are untouched.
 */
export function reviewAfterGeoChange(
  state: SimulatorState,
  adset: ScenarioAdset,
  beforeGeo: string,
  afterGeo: string,
  now = Date.now(),
): void {
  state.approvedGeo[adset.id] ??= beforeGeo;
  const ads = adsOfAdset(state, adset.id);
  settleReviews(state, ads, now);
  for (const ad of ads) {
    if (ad.status !== 'ACTIVE') continue;
    // Assumption: a rejected ad is not reviewed again by a targeting edit; Meta says to create a new
    // ad instead of turning a rejected one back on, so it stays DISAPPROVED.
    if (ad.effective_status === 'DISAPPROVED') continue;
    begin(state, ad, { adId: ad.id, adsetId: adset.id, cause: 'geo-change', geo: afterGeo }, now);
  }
  // With reviewMs 0 the reviews end at once, as before reviews were modelled.
  settleReviews(state, ads, now);
}

/**
 * An accepted `status=ACTIVE` on an ad (already settled). Returns true when it started or extended a
 * review, false when the ad simply is (or stays) active.
 */
export function reviewAfterRepublish(state: SimulatorState, ad: ScenarioAd, now = Date.now()): boolean {
  const pending = state.reviews[ad.id];
  if (pending) {
    // Assumption: an edit during a review restarts its clock but not its question: a geo-change
    // review still judges the ad set's geo (a break that has not shown yet is not healed early).
    begin(state, ad, pending, now);
  } else if (isBroken(ad)) {
    // Meta: an edited ad goes through review again. The republish of a broken ad is such an edit.
    begin(state, ad, { adId: ad.id, adsetId: ad.adsetId, cause: 'republish' }, now);
  } else {
    // Assumption: switching on an ad that is not broken is not an edit that needs a review.
    return false;
  }
  settleReviews(state, [ad], now);
  return true;
}

/** Reviews in progress (ended ones are settled first), optionally of one ad set. */
export function pendingReviews(state: SimulatorState, adsetId?: string, now = Date.now()): PendingReview[] {
  settleAllReviews(state, now);
  return Object.values(state.reviews).filter((r) => adsetId === undefined || r.adsetId === adsetId);
}

/** Ends every review in progress (of one ad set, or all) now and applies its verdict. */
export function finishReviews(state: SimulatorState, adsetId?: string): PendingReview[] {
  const finished = pendingReviews(state, adsetId);
  for (const review of finished) resolve(state, review);
  return finished;
}
