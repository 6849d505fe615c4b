import { TargetingConflictError } from '../errors';
import { RegionTable, type FbRegion } from '../region-keys';

/** An ad set's targeting spec exactly as the Graph API returns it. */
export type Targeting = Record<string, unknown>;

/** One entry of `geo_locations.regions`, as read (key, and usually name and country). */
export type RegionEntry = Record<string, unknown>;

/** The only `location_types` value Meta accepts on write. */
const ALLOWED_LOCATION_TYPES = ['home', 'recent'];

let defaultTable: RegionTable | undefined;
const table = (given?: RegionTable): RegionTable => given ?? (defaultTable ??= RegionTable.load());

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function geoOf(targeting: Targeting): Record<string, unknown> | undefined {
  return asObject(targeting.geo_locations);
}

function regionEntries(
  targeting: Targeting,
  field: 'geo_locations' | 'excluded_geo_locations' = 'geo_locations',
): RegionEntry[] {
  const regions = asObject(targeting[field])?.regions;
  return Array.isArray(regions) ? regions.filter((r): r is RegionEntry => asObject(r) !== undefined) : [];
}

// An empty key names no region, like a missing one: such an entry is dropped, never written back
// (Meta refuses a region with an empty key).
const keyOf = (entry: RegionEntry): string | undefined =>
  (typeof entry.key === 'string' && entry.key.trim() !== '') || typeof entry.key === 'number'
    ? String(entry.key)
    : undefined;

/**
 * Whether a `regions` entry is a US state, i.e. one of the entries demand owns. Meta echoes `country` on
 * every region it returns and keys repeat across countries, so the country decides when it is there; an
 * entry without one (written by this product or by a fixture) is a state when its key is in our table.
 */
export function isStateRegion(entry: RegionEntry, regions?: RegionTable): boolean {
  const key = keyOf(entry);
  if (key === undefined) return false;
  if (typeof entry.country === 'string') return entry.country.toUpperCase() === 'US';
  return table(regions).uspsOf(key) !== undefined;
}

/** Every region key an ad set targets today, as strings (Meta may send keys as numbers or strings). */
export function regionKeysOf(targeting: Targeting): string[] {
  return regionEntries(targeting)
    .map(keyOf)
    .filter((k): k is string => k !== undefined);
}

/** The US state region keys an ad set targets today: the part of `regions` that follows demand. */
export function stateKeysOf(targeting: Targeting, regions?: RegionTable): string[] {
  return regionEntries(targeting)
    .filter((r) => isStateRegion(r, regions))
    .map(keyOf)
    .filter((k): k is string => k !== undefined);
}

/** The US state entries of `regions`, exactly as read (kept so a rollback restores them verbatim). */
export function stateRegionsOf(targeting: Targeting, regions?: RegionTable): RegionEntry[] {
  return regionEntries(targeting).filter((r) => isStateRegion(r, regions));
}

/** Set equality of region keys: order and names do not matter, only keys. */
export function sameRegionKeys(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((k) => right.has(k));
}

/**
 * The states an update adds and removes, as USPS codes (a US region outside our table is named by its
 * Graph name, or `key <k>` when it has none), each list sorted. Regions of other countries are never
 * touched, so they are neither added nor removed.
 */
export function diffRegions(
  current: Targeting,
  desired: readonly FbRegion[],
  regions: RegionTable,
): { added: string[]; removed: string[] } {
  const currentKeys = new Set(stateKeysOf(current, regions));
  const desiredKeys = new Set(desired.map((r) => r.key));
  const label = (key: string) => regions.uspsOf(key) ?? regionName(current, key) ?? `key ${key}`;
  return {
    added: [...desiredKeys]
      .filter((k) => !currentKeys.has(k))
      .map(label)
      .sort(),
    removed: [...currentKeys]
      .filter((k) => !desiredKeys.has(k))
      .map(label)
      .sort(),
  };
}

function regionName(targeting: Targeting, key: string): string | undefined {
  const match = regionEntries(targeting).find((r) => keyOf(r) === key);
  return typeof match?.name === 'string' ? match.name : undefined;
}

/**
 * Returns a deep copy of `targeting` whose US state regions are `states`. Everything else, nested
 * objects and regions of other countries included, is preserved, because a write replaces the whole
 * targeting object. `location_types` is kept only when it is the one value Meta accepts; any other value
 * is dropped so Meta applies its default instead of rejecting the write (the report warns about it).
 *
 * Throws TargetingConflictError when the ad set also targets the whole United States through
 * `countries`: regions would then change nothing, and narrowing it is a decision for a person; and
 * when `countries` is not a list at all.
 */
export function withRegions(
  targeting: Targeting,
  states: readonly (FbRegion | RegionEntry)[],
  regions?: RegionTable,
): Targeting {
  if (states.length === 0) throw new Error('refusing to build a targeting without regions');
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
  const others = otherCountriesRegions(copy, regions);
  geo.regions = [...states.map((r) => ({ ...r })), ...others];
  if ('location_types' in geo && !isAllowedLocationTypes(geo.location_types)) delete geo.location_types;
  copy.geo_locations = geo;
  return copy;
}

/** The `regions` entries that are not US states (other countries'): no change of states touches them. */
function otherCountriesRegions(targeting: Targeting, regions?: RegionTable): RegionEntry[] {
  return regionEntries(targeting).filter((r) => keyOf(r) !== undefined && !isStateRegion(r, regions));
}

function isAllowedLocationTypes(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === ALLOWED_LOCATION_TYPES.length &&
    ALLOWED_LOCATION_TYPES.every((t) => value.includes(t))
  );
}

/** Sub-state geo kinds that keep delivering inside a state removed from `regions`. */
const SUB_STATE_KINDS = [
  'cities',
  'zips',
  'places',
  'custom_locations',
  'geo_markets',
  'electoral_districts',
  'neighborhoods',
  'subcities',
] as const;

/**
 * What a person should know about an ad set whose states change: the write goes ahead, but these make
 * the report's "removed" or "added" less than the whole truth. Plain sentences, for the report.
 */
export function targetingWarnings(current: Targeting, desired: readonly FbRegion[], regions: RegionTable): string[] {
  const warnings: string[] = [];
  const geo = geoOf(current) ?? {};
  const desiredKeys = new Set(desired.map((r) => r.key));
  const removedKeys = new Set(stateKeysOf(current, regions).filter((k) => !desiredKeys.has(k)));
  const label = (key: string) => regions.uspsOf(key) ?? `region ${key}`;

  if (removedKeys.size > 0) {
    for (const kind of SUB_STATE_KINDS) {
      const entries = Array.isArray(geo[kind])
        ? (geo[kind] as unknown[]).map(asObject).filter((e) => e !== undefined)
        : [];
      if (entries.length === 0) continue;
      const inRemoved = new Set(
        entries.map((e) => regionIdOf(e)).filter((id): id is string => id !== undefined && removedKeys.has(id)),
      );
      const unknownState = entries.some((e) => regionIdOf(e) === undefined);
      const what = kind.replace('_', ' ');
      if (inRemoved.size > 0) {
        warnings.push(
          `also targets ${what} in ${[...inRemoved].map(label).sort().join(', ')}, which lost demand: ads keep delivering there; remove them in Ads Manager`,
        );
      } else if (unknownState) {
        warnings.push(
          `also targets ${what} that may lie in a state that lost demand (${[...removedKeys].map(label).sort().join(', ')}): ads keep delivering there`,
        );
      }
    }
  }
  const excludedWithDemand = regionEntries(current, 'excluded_geo_locations')
    .map(keyOf)
    .filter((k): k is string => k !== undefined && desiredKeys.has(k));
  if (excludedWithDemand.length > 0) {
    warnings.push(
      `excludes ${excludedWithDemand.map(label).sort().join(', ')}, which now has demand: the exclusion wins and no ad reaches it; remove the exclusion in Ads Manager`,
    );
  }
  if ('location_types' in geo && !isAllowedLocationTypes(geo.location_types)) {
    warnings.push(
      `had location_types ${JSON.stringify(geo.location_types)}, which Meta no longer accepts: it was dropped, so Meta's default (home and recent) applies`,
    );
  }
  return warnings;
}

/** The state (region key) a city, zip or place entry lies in, when Meta says so. */
function regionIdOf(entry: Record<string, unknown>): string | undefined {
  const id = entry.region_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

/**
 * Why a freshly read targeting must not be written back, or undefined when it may: an empty object, or
 * one that lacks a field (top level or inside `geo_locations`) that an earlier read of the same ad set
 * showed. Writing such a read would wipe those fields, since a write replaces the whole object.
 */
export function incompleteRead(fresh: Targeting, earlier?: Targeting): string | undefined {
  if (Object.keys(fresh).length === 0) return 'Facebook returned an empty targeting for the ad set';
  if (!geoOf(fresh)) return 'Facebook returned a targeting without geo_locations for the ad set';
  if (!earlier) return undefined;
  const missing = Object.keys(earlier).filter((k) => !(k in fresh));
  const earlierGeo = geoOf(earlier) ?? {};
  const freshGeo = geoOf(fresh) ?? {};
  missing.push(
    ...Object.keys(earlierGeo)
      .filter((k) => !(k in freshGeo))
      .map((k) => `geo_locations.${k}`),
  );
  if (missing.length === 0) return undefined;
  return `Facebook returned a targeting that lacks fields the listing showed (${missing.sort().join(', ')}); nothing was written, so they are not wiped`;
}

/**
 * The targeting as it is now with its US state regions put back to `states` (what they were before a
 * change): a rollback restores only the regions, so every other edit made since (in Ads Manager, say)
 * survives. Unlike withRegions it accepts an empty list (the ad set had no state before the change).
 */
export function restoreStates(current: Targeting, states: readonly RegionEntry[], regions?: RegionTable): Targeting {
  const copy = structuredClone(current);
  const geo = geoOf(copy) ?? {};
  const others = otherCountriesRegions(copy, regions);
  const restored = [...states.map((r) => ({ ...r })), ...others];
  if (restored.length > 0) geo.regions = restored;
  else delete geo.regions;
  if ('location_types' in geo && !isAllowedLocationTypes(geo.location_types)) delete geo.location_types;
  copy.geo_locations = geo;
  return copy;
}
