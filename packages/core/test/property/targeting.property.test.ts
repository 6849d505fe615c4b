import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The simulator's model of Meta's write-side validation (missing location, location_types, region keys):
// its refusals of region keys are simulator assumption region-refusals (packages/simulator/README.md).
import { validateTargeting } from '@closrads/simulator/targeting-rules';
import {
  diffRegions,
  isStateRegion,
  regionKeysOf,
  restoreStates,
  sameRegionKeys,
  stateKeysOf,
  stateRegionsOf,
  withRegions,
  type Targeting,
} from '../../src/domain/targeting';
import { TargetingConflictError } from '../../src/errors';
import { RegionTable } from '../../src/region-keys';
import { desiredRegions, geoLocations, REGIONS, targeting } from './arbitraries';

const table = RegionTable.load();
const RUNS = { numRuns: 400 };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const allowedTypes = (v: unknown) => Array.isArray(v) && v.length === 2 && v.includes('home') && v.includes('recent');
/** The `regions` entries of another country (or unknown to us) that every rewrite must keep. */
const otherRegions = (t: Targeting): unknown[] => {
  const regions = isObject(t.geo_locations) ? t.geo_locations.regions : undefined;
  return Array.isArray(regions)
    ? regions.filter(
        (r) => isObject(r) && !isStateRegion(r) && (typeof r.key === 'string' || typeof r.key === 'number'),
      )
    : [];
};
const without = (o: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe('withRegions (property)', () => {
  it('changes only the US states of geo_locations.regions, and drops a location_types Meta would refuse', () => {
    fc.assert(
      fc.property(targeting, desiredRegions, (t, desired) => {
        const before = structuredClone(t);
        const out = withRegions(t, desired);
        // The input is never touched.
        expect(t).toEqual(before);
        // Everything outside geo_locations is preserved exactly.
        expect(without(out, 'geo_locations')).toEqual(without(t, 'geo_locations'));
        const geo = out.geo_locations as Record<string, unknown>;
        expect(isObject(geo)).toBe(true);
        // The states are replaced; regions of other countries stay, after them.
        expect(geo.regions).toEqual([
          ...desired.map((r) => ({ key: r.key, name: r.name, country: r.country })),
          ...otherRegions(t),
        ]);
        const oldGeo = isObject(t.geo_locations) ? t.geo_locations : {};
        // Inside geo_locations, everything but regions and location_types is preserved exactly.
        expect(without(geo, 'regions', 'location_types')).toEqual(without(oldGeo, 'regions', 'location_types'));
        if ('location_types' in oldGeo && allowedTypes(oldGeo.location_types))
          expect(geo.location_types).toEqual(oldGeo.location_types);
        else expect('location_types' in geo).toBe(false);
      }),
      RUNS,
    );
  });

  it('drops a region entry with an empty key, as one without a key (a counterexample fast-check found)', () => {
    const alaska = table.region('AK')!;
    const out = withRegions({ geo_locations: { regions: [{ key: '' }, { key: '  ' }] } }, [alaska]);
    expect(regionKeysOf(out)).toEqual([alaska.key]);
    expect(() => validateTargeting(out)).not.toThrow();
  });

  it('never produces a targeting Meta rejects for its location (never an empty location)', () => {
    fc.assert(
      fc.property(targeting, desiredRegions, (t, desired) => {
        const out = withRegions(t, desired);
        expect(regionKeysOf(out).length).toBeGreaterThan(0);
        expect(() => validateTargeting(out)).not.toThrow();
      }),
      RUNS,
    );
  });

  it('refuses to build a targeting without regions', () => {
    fc.assert(
      fc.property(targeting, (t) => {
        expect(() => withRegions(t, [])).toThrow();
      }),
      { numRuns: 50 },
    );
  });

  it('is idempotent: rewriting a rewritten targeting changes nothing', () => {
    fc.assert(
      fc.property(targeting, desiredRegions, (t, desired) => {
        const once = withRegions(t, desired);
        expect(withRegions(once, desired)).toEqual(once);
      }),
      RUNS,
    );
  });

  it('restoring is exact: rewriting back to the old regions gives the old geo back (when it was a clean one)', () => {
    fc.assert(
      fc.property(desiredRegions, desiredRegions, targeting, (oldRegions, desired, t) => {
        const original = withRegions(t, oldRegions);
        expect(withRegions(withRegions(original, desired), oldRegions)).toEqual(original);
      }),
      RUNS,
    );
  });

  it('restoring the states read before a change puts them back and keeps everything else as it is now', () => {
    fc.assert(
      fc.property(targeting, desiredRegions, (t, desired) => {
        const changed = withRegions(t, desired);
        // An edit made in Ads Manager after the change must survive the rollback.
        const edited = { ...changed, age_max: 44 };
        const restored = restoreStates(edited, stateRegionsOf(t));
        expect(restored.age_max).toBe(44);
        expect(stateKeysOf(restored)).toEqual(stateKeysOf(t));
        expect(otherRegions(restored)).toEqual(otherRegions(t));
      }),
      RUNS,
    );
  });

  it('refuses an ad set that targets the whole United States through countries', () => {
    fc.assert(
      fc.property(
        targeting,
        desiredRegions,
        fc.constantFrom('US', 'us', 'Us'),
        fc.constantFrom<string[]>([], ['CA'], ['MX', 'CA']),
        (t, desired, us, others) => {
          const geo = isObject(t.geo_locations) ? t.geo_locations : {};
          const conflicting = { ...t, geo_locations: { ...geo, countries: [...others, us] } };
          expect(() => withRegions(conflicting, desired)).toThrow(TargetingConflictError);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('regionKeysOf / sameRegionKeys / diffRegions (property)', () => {
  it('reads the keys of the regions, whether Meta sends them as numbers or strings', () => {
    fc.assert(
      fc.property(desiredRegions, fc.array(fc.boolean(), { minLength: 51, maxLength: 51 }), (regions, asNumber) => {
        const t: Targeting = {
          geo_locations: { regions: regions.map((r, i) => ({ key: asNumber[i] ? Number(r.key) : r.key })) },
        };
        expect(regionKeysOf(t)).toEqual(regions.map((r) => r.key));
      }),
      RUNS,
    );
  });

  it('never throws on a malformed geo_locations, and returns only strings', () => {
    fc.assert(
      fc.property(fc.oneof(geoLocations, fc.jsonValue()), (geo) => {
        const keys = regionKeysOf({ geo_locations: geo });
        for (const k of keys) expect(typeof k).toBe('string');
      }),
      RUNS,
    );
  });

  it('compares key sets without regard to order or duplicates', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...REGIONS.map((r) => r.key)), { maxLength: 10 }), (keys) => {
        const shuffled = [...keys].reverse();
        expect(sameRegionKeys(keys, shuffled)).toBe(true);
        expect(sameRegionKeys(keys, [...keys, ...keys])).toBe(true);
        expect(sameRegionKeys(keys, [...keys, '999999'])).toBe(false);
      }),
      RUNS,
    );
  });

  it('names what an update adds and removes, sorted and disjoint, and nothing after the update', () => {
    fc.assert(
      fc.property(targeting, desiredRegions, (t, desired) => {
        const { added, removed } = diffRegions(t, desired, table);
        const current = new Set(stateKeysOf(t));
        const wanted = new Set(desired.map((r) => r.key));
        expect(added).toEqual([...added].sort());
        expect(removed).toEqual([...removed].sort());
        expect(added.length).toBe([...wanted].filter((k) => !current.has(k)).length);
        expect(removed.length).toBe([...current].filter((k) => !wanted.has(k)).length);
        for (const code of added) expect(table.region(code)).toBeDefined();
        expect(added.filter((a) => removed.includes(a))).toEqual([]);
        // Nothing is left to change once the rewrite is applied.
        expect(diffRegions(withRegions(t, desired), desired, table)).toEqual({ added: [], removed: [] });
        // No diff exactly when the key sets are equal.
        expect(added.length + removed.length === 0).toBe(sameRegionKeys([...current], [...wanted]));
      }),
      RUNS,
    );
  });
});
