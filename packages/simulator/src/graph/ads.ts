import type { ScenarioAd, ScenarioAdset } from '../types.js';
import { adsOfAdset, adsOfCampaign } from '../state-index.js';
import { param, type GraphContext, type GraphResult } from './context.js';
import { GraphError, invalidParameter } from './errors.js';
import { formatFields, parseFieldSpecs, selectFields, type FieldSpec } from './fields.js';
import { nestedPage, paginate } from './paging.js';
import { statusFilter } from './status-filter.js';
import { adField } from './views.js';
import { reviewAfterRepublish, settleReviews } from './review.js';

// An edge expanded inside a node answers 25 items unless `.limit(n)` says otherwise, like an edge call.
const NESTED_DEFAULT_LIMIT = 25;
// An ad set holds at most 50 non-archived ads (ad set reference), so 50 is the most one expansion
// returns. Assumption: larger limits are capped rather than refused, and the scenario's pageCap
// (which models edge calls) does not apply inside an expansion.
const NESTED_MAX_LIMIT = 50;

function renderWith(ctx: GraphContext, fields: FieldSpec[] | undefined): (a: ScenarioAd) => Record<string, unknown> {
  return (a) => selectFields(a.id, fields, (f) => adField(ctx.state, a, f.name));
}

function renderer(ctx: GraphContext): (a: ScenarioAd) => Record<string, unknown> {
  return renderWith(ctx, parseFieldSpecs(param(ctx, 'fields')));
}

/** Reviews that have ended by now show their verdict before the ads are read. */
function settled(ctx: GraphContext, ads: ScenarioAd[]): ScenarioAd[] {
  settleReviews(ctx.state, ads);
  return ads;
}

/** Ads an edge lists when it is not told a status: all but DELETED and ARCHIVED, like the edge call. */
const liveAds = (ads: ScenarioAd[]): ScenarioAd[] =>
  ads.filter((a) => a.effective_status !== 'DELETED' && a.effective_status !== 'ARCHIVED');

/** `ads.limit(n){...}` inside an ad set's fields: the first page of its ads, same field rules as the edge. */
export function expandAdsetAds(ctx: GraphContext, adset: ScenarioAdset, spec: FieldSpec): Record<string, unknown> {
  const items = liveAds(settled(ctx, adsOfAdset(ctx.state, adset.id)));
  const limit = Math.min(spec.limit ?? NESTED_DEFAULT_LIMIT, NESTED_MAX_LIMIT);
  const sub = spec.fields && spec.fields.length > 0 ? formatFields(spec.fields) : undefined;
  return nestedPage(ctx, `${adset.id}/ads`, items, limit, sub, (a) => a.id, renderWith(ctx, spec.fields));
}

/** GET /{adset-id}/ads */
export function listAdsetAds(ctx: GraphContext, adset: ScenarioAdset): GraphResult {
  const keep = statusFilter(ctx);
  const items = settled(ctx, adsOfAdset(ctx.state, adset.id)).filter((a) => keep(a.effective_status));
  return { body: paginate(ctx, items, (a) => a.id, renderer(ctx)) };
}

/** GET /{campaign-id}/ads ("Ads under this campaign"): one listing for every ad set's ads. */
export function listCampaignAds(ctx: GraphContext): GraphResult {
  const keep = statusFilter(ctx);
  const items = settled(ctx, adsOfCampaign(ctx.state, ctx.objectId)).filter((a) => keep(a.effective_status));
  return { body: paginate(ctx, items, (a) => a.id, renderer(ctx)) };
}

/** GET /{ad-id} */
export function getAd(ctx: GraphContext, ad: ScenarioAd): GraphResult {
  settleReviews(ctx.state, [ad]);
  return { body: renderer(ctx)(ad) };
}

/**
 * POST /{ad-id} status=ACTIVE|PAUSED. A rejected ad cannot be switched back on; switching on a
 * broken ad is an edit that goes through review, which heals it only if it is marked
 * 'break-heal-on-republish'.
 */
export function updateAd(ctx: GraphContext, ad: ScenarioAd): GraphResult {
  const raw = param(ctx, 'status');
  const name = param(ctx, 'name');
  if (raw === undefined && name === undefined) return { body: { success: true } };
  if (ad.status === 'DELETED' || ad.status === 'ARCHIVED') {
    throw new GraphError(100, `Cannot edit an ad whose status is ${ad.status}.`, { subcode: 1885088 });
  }
  const status = raw === undefined ? undefined : String(raw);
  if (status !== undefined && status !== 'ACTIVE' && status !== 'PAUSED') {
    throw invalidParameter('status must be ACTIVE or PAUSED.');
  }
  settleReviews(ctx.state, [ad]);
  if (status === 'ACTIVE' && ad.effective_status === 'DISAPPROVED') {
    const text =
      'Your ad has been rejected in its latest review and is currently disabled. Create a new ad instead of turning this one back on.';
    throw new GraphError(100, text, { subcode: 2490427, userTitle: 'Ad Rejected', userMsg: text });
  }
  const applied: Record<string, unknown> = {};
  if (status !== undefined) {
    ad.status = status;
    applied.status = status;
    if (ad.effective_status === 'DISAPPROVED') {
      // stays rejected whatever its configured status
    } else if (status === 'PAUSED') {
      // A review in progress goes on; its verdict keeps the ad paused.
      ad.effective_status = 'PAUSED';
    } else if (!reviewAfterRepublish(ctx.state, ad)) {
      ad.effective_status = 'ACTIVE';
    }
  }
  if (typeof name === 'string') {
    ad.name = name;
    applied.name = name;
  }
  ctx.state.writes.push({ objectId: ad.id, kind: 'ad', fields: applied, at: Date.now() });
  return { body: { success: true } };
}
