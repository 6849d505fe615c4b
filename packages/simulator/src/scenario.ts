import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Scenario, SimulatorState } from './types.js';

const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));

/**
 * Resolves a scenario given as an object, a bundled name ('demo') or a path to a JSON file.
 * Always returns a deep copy so the caller's object is never mutated by the running simulator.
 */
export function loadScenario(input: Scenario | string): Scenario {
  if (typeof input !== 'string') return structuredClone(input);
  const bundled = path.join(SCENARIO_DIR, `${input}.json`);
  const file = existsSync(bundled) ? bundled : path.resolve(input);
  if (!existsSync(file)) throw new Error(`scenario not found: ${input}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Scenario;
}

/** Builds fresh live state from a scenario (deep-copied, so a reset starts clean). */
export function buildState(scenario: Scenario, latencyOverride?: number): SimulatorState {
  const s = structuredClone(scenario);
  const g = s.graph;
  const adsets: SimulatorState['adsets'] = {};
  for (const a of g.adsets) adsets[a.id] = { issues_info: [], ...a };
  const ads: SimulatorState['ads'] = {};
  for (const a of g.ads) ads[a.id] = { issues_info: [], onGeoChange: 'none', ...a };
  return {
    latencyMs: latencyOverride ?? s.latencyMs ?? 0,
    closrtech: s.closrtech,
    graph: {
      accessToken: g.accessToken,
      tokenExpired: g.tokenExpired ?? false,
      appSecret: g.appSecret ?? null,
      deprecatedVersions: g.deprecatedVersions ?? [],
      pageCap: g.pageCap ?? 25,
      tokenScopes: g.tokenScopes ?? ['ads_management', 'ads_read', 'business_management'],
      reviewMs: g.reviewMs ?? 0,
    },
    adAccounts: g.adAccounts,
    campaigns: g.campaigns,
    adsets,
    ads,
    writes: [],
    reviews: {},
    approvedGeo: {},
  };
}
