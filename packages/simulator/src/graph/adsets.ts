import type { ScenarioAdset } from '../types.js';
import { adsetsOfCampaign, campaignsOfAccount } from '../state-index.js';
import { param, type GraphContext, type GraphResult } from './context.js';
import { GraphError, invalidParameter } from './errors.js';
import { parseFieldSpecs, selectFields } from './fields.js';
import { paginate } from './paging.js';
import { statusFilter } from './status-filter.js';
import { geoSignature, parseTargeting, validateTargeting } from './targeting-rules.js';
import { adsetField } from './views.js';
import { reviewAfterGeoChange } from './review.js';
import { expandAdsetAds } from './ads.js';

function renderer(ctx: GraphContext): (a: ScenarioAdset) => Record<string, unknown> {
  const fields = parseFieldSpecs(param(ctx, 'fields'));
  return (a) =>
    selectFields(a.id, fields, (f) =>
      f.name === 'ads' ? expandAdsetAds(ctx, a, f) : adsetField(ctx.state, a, f.name),
    );
}

function listOf(ctx: GraphContext, adsets: ScenarioAdset[]): GraphResult {
  const keep = statusFilter(ctx);
  const items = adsets.filter((a) => keep(a.effective_status));
  return { body: paginate(ctx, items, (a) => a.id, renderer(ctx)) };
}

/** GET /{campaign-id}/adsets */
export function listCampaignAdsets(ctx: GraphContext): GraphResult {
  return listOf(ctx, adsetsOfCampaign(ctx.state, ctx.objectId));
}

/** GET /act_{id}/adsets */
export function listAccountAdsets(ctx: GraphContext): GraphResult {
  const all = campaignsOfAccount(ctx.state, ctx.objectId).flatMap((c) => adsetsOfCampaign(ctx.state, c));
  return listOf(ctx, all);
}

/** GET /{adset-id} */
export function getAdset(ctx: GraphContext, a: ScenarioAdset): GraphResult {
  return { body: renderer(ctx)(a) };
}

const STATUSES = new Set(['ACTIVE', 'PAUSED']);

/** POST /{adset-id}: validates everything first, then applies (targeting replaced wholesale). */
export function updateAdset(ctx: GraphContext, a: ScenarioAdset): GraphResult {
  if (a.effective_status === 'DELETED' || a.effective_status === 'ARCHIVED') {
    throw new GraphError(100, `Cannot edit an ad set whose status is ${a.effective_status}.`, {
      subcode: 1487056,
      userTitle: 'Ad Set Cannot Be Edited',
      userMsg: 'Deleted or archived ad sets cannot be edited.',
    });
  }
  const rawTargeting = param(ctx, 'targeting');
  const rawStatus = param(ctx, 'status');
  const rawName = param(ctx, 'name');
  let targeting: Record<string, unknown> | undefined;
  if (rawTargeting !== undefined) {
    targeting = parseTargeting(rawTargeting);
    validateTargeting(targeting);
  }
  if (rawStatus !== undefined && !STATUSES.has(String(rawStatus))) {
    throw invalidParameter('status must be ACTIVE or PAUSED.');
  }

  const applied: Record<string, unknown> = {};
  if (targeting) {
    const before = geoSignature(a.targeting);
    const after = geoSignature(targeting);
    a.targeting = targeting;
    applied.targeting = targeting;
    // Meta re-reviews the ads after any targeting change. Assumption: only a geo change starts a
    // review here, since it is the only change the product makes and the risk it protects against.
    if (after !== before) reviewAfterGeoChange(ctx.state, a, before, after);
  }
  if (rawStatus !== undefined) {
    a.status = String(rawStatus);
    a.effective_status = a.status;
    applied.status = a.status;
  }
  if (typeof rawName === 'string') {
    a.name = rawName;
    applied.name = rawName;
  }
  a.updated_time = new Date().toISOString().replace(/\.\d{3}Z$/, '+0000');
  ctx.state.writes.push({ objectId: a.id, kind: 'adset', fields: applied, at: Date.now() });
  return { body: { success: true } };
}
