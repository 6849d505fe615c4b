import type { ScenarioAd, ScenarioAdset } from '../types.js';
import { adsOfAdset } from '../state-index.js';
import { param, type GraphContext, type GraphResult } from './context.js';
import { GraphError, invalidParameter } from './errors.js';
import { parseFields, selectFields } from './fields.js';
import { paginate } from './paging.js';
import { statusFilter } from './status-filter.js';
import { adField } from './views.js';
import { isBroken } from './ad-issues.js';

function renderer(ctx: GraphContext): (a: ScenarioAd) => Record<string, unknown> {
  const fields = parseFields(param(ctx, 'fields'));
  return (a) => selectFields(a.id, fields, (f) => adField(ctx.state, a, f));
}

/** GET /{adset-id}/ads */
export function listAdsetAds(ctx: GraphContext, adset: ScenarioAdset): GraphResult {
  const keep = statusFilter(ctx);
  const items = adsOfAdset(ctx.state, adset.id).filter((a) => keep(a.effective_status));
  return { body: paginate(ctx, items, (a) => a.id, renderer(ctx)) };
}

/** GET /{ad-id} */
export function getAd(ctx: GraphContext, ad: ScenarioAd): GraphResult {
  return { body: renderer(ctx)(ad) };
}

/**
 * POST /{ad-id} status=ACTIVE|PAUSED. A rejected ad cannot be switched back on; a lead-form break
 * heals on re-publish only for ads marked 'break-heal-on-republish'.
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
      ad.effective_status = 'PAUSED';
    } else if (isBroken(ad) && ad.onGeoChange !== 'break-heal-on-republish') {
      ad.effective_status = 'WITH_ISSUES';
    } else {
      ad.effective_status = 'ACTIVE';
      if (isBroken(ad)) ad.issues_info = [];
    }
  }
  if (typeof name === 'string') {
    ad.name = name;
    applied.name = name;
  }
  ctx.state.writes.push({ objectId: ad.id, kind: 'ad', fields: applied, at: Date.now() });
  return { body: { success: true } };
}
