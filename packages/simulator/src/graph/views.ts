import { regionByKey } from '../region-table.js';
import type { ScenarioAd, ScenarioAdset, ScenarioCampaign, SimulatorState } from '../types.js';

const numericAccount = (adAccountId: string | undefined): string | undefined => adAccountId?.replace(/^act_/, '');

function decorateGeo(geo: unknown, withDefaults: boolean): unknown {
  if (!geo || typeof geo !== 'object' || Array.isArray(geo)) return geo;
  const out: Record<string, unknown> = { ...(geo as Record<string, unknown>) };
  if (Array.isArray(out.regions)) {
    out.regions = out.regions.map((r: unknown) => {
      if (!r || typeof r !== 'object') return r;
      const region = r as Record<string, unknown>;
      const known = regionByKey(String(region.key));
      return known ? { ...region, key: known.key, name: known.name, country: known.country } : region;
    });
  }
  if (withDefaults && out.location_types === undefined) out.location_types = ['home', 'recent'];
  return out;
}

/** Targeting as Graph reads it back: region names and countries filled in, default location_types. */
export function readTargeting(targeting: Record<string, unknown>): Record<string, unknown> {
  const t = structuredClone(targeting);
  if (t.geo_locations !== undefined) t.geo_locations = decorateGeo(t.geo_locations, true);
  if (t.excluded_geo_locations !== undefined) t.excluded_geo_locations = decorateGeo(t.excluded_geo_locations, false);
  return t;
}

export function adsetField(state: SimulatorState, a: ScenarioAdset, field: string): unknown {
  switch (field) {
    case 'name':
    case 'status':
    case 'effective_status':
    case 'updated_time':
    case 'created_time':
    case 'daily_budget':
    case 'lifetime_budget':
    case 'optimization_goal':
    case 'billing_event':
    case 'destination_type':
      return a[field];
    case 'configured_status':
      return a.status;
    case 'campaign_id':
      return a.campaignId;
    case 'account_id':
      return numericAccount(state.campaigns[a.campaignId]?.adAccountId);
    case 'targeting':
      return readTargeting(a.targeting);
    case 'issues_info':
      return a.issues_info ?? [];
    default:
      return undefined;
  }
}

export function adField(state: SimulatorState, ad: ScenarioAd, field: string): unknown {
  switch (field) {
    case 'name':
    case 'status':
    case 'effective_status':
    case 'ad_review_feedback':
      return ad[field];
    case 'configured_status':
      return ad.status;
    case 'issues_info':
      return ad.issues_info ?? [];
    case 'adset_id':
      return ad.adsetId;
    case 'campaign_id':
      return state.adsets[ad.adsetId]?.campaignId;
    case 'account_id': {
      const campaignId = state.adsets[ad.adsetId]?.campaignId;
      return numericAccount(campaignId ? state.campaigns[campaignId]?.adAccountId : undefined);
    }
    default:
      return undefined;
  }
}

export function campaignField(c: ScenarioCampaign, field: string): unknown {
  switch (field) {
    case 'name':
      return c.name;
    case 'status':
    case 'configured_status':
      return c.status ?? 'ACTIVE';
    case 'effective_status':
      return c.effective_status ?? c.status ?? 'ACTIVE';
    case 'account_id':
      return numericAccount(c.adAccountId);
    default:
      return undefined;
  }
}
