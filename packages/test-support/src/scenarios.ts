import type { Scenario, ScenarioAd, ScenarioAdset } from '@closrads/simulator';
import { RegionTable } from '@closrads/core';

export const REGIONS = RegionTable.load();
export const keyOf = (usps: string): string => REGIONS.region(usps)!.key;

/** Rich non-geo targeting: everything here must survive every rewrite untouched. */
export function richTargeting(states: string[]): Record<string, unknown> {
  return {
    age_min: 25,
    age_max: 54,
    genders: [1],
    geo_locations: {
      regions: states.map((s) => ({ key: keyOf(s) })),
      location_types: ['home', 'recent'],
      excluded_geo_locations_hint: { nested: [1, { deep: true }] },
    },
    excluded_geo_locations: { zips: [{ key: 'US:94304' }] },
    flexible_spec: [{ interests: [{ id: '6003139266461', name: 'Veterans' }] }],
    targeting_automation: { advantage_audience: 0 },
    publisher_platforms: ['facebook', 'instagram'],
  };
}

export function adset(
  id: string,
  campaignId: string,
  states: string[],
  extra: Partial<ScenarioAdset> = {},
): ScenarioAdset {
  return {
    id,
    campaignId,
    name: `adset ${id}`,
    status: 'ACTIVE',
    effective_status: 'ACTIVE',
    targeting: richTargeting(states),
    ...extra,
  };
}

export function ad(id: string, adsetId: string, extra: Partial<ScenarioAd> = {}): ScenarioAd {
  return {
    id,
    adsetId,
    name: `ad ${id}`,
    status: 'ACTIVE',
    effective_status: 'ACTIVE',
    issues_info: [],
    onGeoChange: 'none',
    ...extra,
  };
}

/**
 * Two CLOSRTECH campaigns: VET (object-shaped demand: CA, OH, TX active) on act_1 with one Facebook
 * campaign, MTG (plain numbers: FL, NY active) on act_2 with two Facebook campaigns. No `reviewMs`:
 * every test on it relies on simulator assumption review-time-zero (packages/simulator/README.md),
 * seeing a review's verdict right after the write.
 */
export function baseScenario(): Scenario {
  return {
    closrtech: {
      email: 'ops@example.com',
      password: 'closr-secret-pw',
      campaigns: {
        VET: {
          OH: { demand: 15, stock: 2 },
          ' tx ': { demand: 4, stock: 0 },
          ca: { demand: 1 },
          FL: { demand: 0, stock: 9 },
        },
        MTG: { FL: 1988, NY: 3, TX: 0 },
      },
    },
    graph: {
      accessToken: 'EAAB-test-token-0123456789',
      pageCap: 25,
      adAccounts: { act_1: {}, act_2: {} },
      campaigns: {
        '9001': { adAccountId: 'act_1', name: 'VET' },
        '9002': { adAccountId: 'act_2', name: 'MTG A' },
        '9003': { adAccountId: 'act_2', name: 'MTG B' },
      },
      adsets: [
        adset('201', '9001', ['NY', 'OH']),
        adset('202', '9001', ['CA', 'OH', 'TX']),
        adset('203', '9001', ['WA'], { status: 'PAUSED', effective_status: 'PAUSED' }),
        adset('301', '9002', ['GA']),
        adset('302', '9003', ['FL']),
      ],
      ads: [ad('901', '201'), ad('902', '202'), ad('903', '301'), ad('904', '302')],
    },
  };
}

export const CREDENTIALS = { email: 'ops@example.com', password: 'closr-secret-pw' };
export const TOKEN = 'EAAB-test-token-0123456789';
