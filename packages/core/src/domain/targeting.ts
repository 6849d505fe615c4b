import { TargetingConflictError } from '../errors';
import type { FbRegion, RegionTable } from '../region-keys';

/** An ad set's targeting spec exactly as the Graph API returns it. */
export type Targeting = Record<string, unknown>;

/** The only `location_types` value Meta accepts on write. */
const ALLOWED_LOCATION_TYPES = ['home', 'recent'];

function geoOf(targeting: Targeting): Record<string, unknown> | undefined {
  const geo = targeting.geo_locations;
  return geo !== null && typeof geo === 'object' && !Array.isArray(geo) ? (geo as Record<string, unknown>) : undefined;
}

/** The region keys an ad set targets today, as strings (Meta may send keys as numbers or strings). */
export function regionKeysOf(targeting: Targeting): string[] {
  const regions = geoOf(targeting)?.regions;
  if (!Array.isArray(regions)) return [];
  return regions
    .map((r) => (r !== null && typeof r === 'object' ? (r as Record<string, unknown>).key : undefined))
    .filter((k): k is string | number => typeof k === 'string' || typeof k === 'number')
    .map(String);
}

/** Set equality of region keys: order and names do not matter, only keys. */
export function sameRegionKeys(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((k) => right.has(k));
}

/**
 * The states an update adds and removes, as USPS codes (a region outside our table is named by its
 * Graph name, or `key <k>` when it has none), each list sorted.
 */
export function diffRegions(current: Targeting, desired: readonly FbRegion[], table: RegionTable): { added: string[]; removed: string[] } {
  const currentKeys = new Set(regionKeysOf(current));
  const desiredKeys = new Set(desired.map((r) => r.key));
  const label = (key: string) => table.uspsOf(key) ?? regionName(current, key) ?? `key ${key}`;
  return {
    added: [...desiredKeys].filter((k) => !currentKeys.has(k)).map(label).sort(),
    removed: [...currentKeys].filter((k) => !desiredKeys.has(k)).map(label).sort(),
  };
}

function regionName(targeting: Targeting, key: string): string | undefined {
  const regions = geoOf(targeting)?.regions;
  if (!Array.isArray(regions)) return undefined;
  const match = regions.find((r) => r && typeof r === 'object' && String((r as Record<string, unknown>).key) === key) as
    | Record<string, unknown>
    | undefined;
  return typeof match?.name === 'string' ? match.name : undefined;
}

/**
 * Returns a deep copy of `targeting` with only `geo_locations.regions` replaced. Everything else,
 * nested objects included, is preserved, because a write replaces the whole targeting object.
 * `location_types` is kept only when it is the one value Meta accepts; any other value is dropped so
 * Meta applies its default instead of rejecting the write.
 *
 * Throws TargetingConflictError when the ad set also targets the whole United States through
 * `countries`: regions would then change nothing, and narrowing it is a decision for a person; and
 * when `countries` is not a list at all.
 */
export function withRegions(targeting: Targeting, regions: readonly FbRegion[]): Targeting {
  if (regions.length === 0) throw new Error('refusing to build a targeting without regions');
  const copy = structuredClone(targeting);
  const geo = geoOf(copy) ?? {};
  const countries = geo.countries;
  // Meta documents `countries` as a list; anything else (a bare "US" string) could hide the whole-US
  // case from the check below, so it is left for a person rather than guessed at.
  if (countries !== undefined && !Array.isArray(countries)) {
    throw new TargetingConflictError(
      `the ad set's geo_locations.countries is not a list (${typeof countries}), so it cannot be checked for the whole United States; fix it in Ads Manager`,
    );
  }
  if (Array.isArray(countries) && countries.some((c) => String(c).toUpperCase() === 'US')) {
    throw new TargetingConflictError(
      'the ad set targets the whole United States (geo_locations.countries has US), so state targeting would change nothing; remove US from its countries in Ads Manager',
    );
  }
  geo.regions = regions.map((r) => ({ key: r.key, name: r.name, country: r.country }));
  if ('location_types' in geo && !isAllowedLocationTypes(geo.location_types)) delete geo.location_types;
  copy.geo_locations = geo;
  return copy;
}

function isAllowedLocationTypes(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === ALLOWED_LOCATION_TYPES.length &&
    ALLOWED_LOCATION_TYPES.every((t) => value.includes(t))
  );
}
