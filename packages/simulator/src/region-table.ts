import { readFileSync } from 'node:fs';

export interface Region {
  usps: string;
  key: string;
  name: string;
  country: string;
}

interface RawRegion {
  key: string;
  name: string;
  country: string;
}

// The repo's data file is the single source of truth for region keys; resolved from this file so the
// simulator works whatever the current directory is.
const TABLE_URL = new URL('../../../data/fb_region_keys.json', import.meta.url);

function load(): Region[] {
  const raw = JSON.parse(readFileSync(TABLE_URL, 'utf8')) as Record<string, RawRegion>;
  return Object.entries(raw)
    .map(([usps, r]) => ({ usps, key: r.key, name: r.name, country: r.country }))
    .sort((a, b) => Number(a.key) - Number(b.key));
}

/** All US regions, ordered by key. */
export const REGIONS: readonly Region[] = load();

const byKey = new Map(REGIONS.map((r) => [r.key, r]));
const byUsps = new Map(REGIONS.map((r) => [r.usps, r]));

export function regionByKey(key: string): Region | undefined {
  return byKey.get(key);
}

export function regionByUsps(usps: string): Region | undefined {
  return byUsps.get(usps.trim().toUpperCase());
}

/** Region key for a USPS code; throws on an unknown code (used when building scenarios). */
export function keyOf(usps: string): string {
  const r = regionByUsps(usps);
  if (!r) throw new Error(`unknown USPS code ${usps}`);
  return r.key;
}
