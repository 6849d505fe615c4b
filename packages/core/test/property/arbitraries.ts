import fc from 'fast-check';
import { RegionTable, type FbRegion } from '../../src/region-keys';

const table = RegionTable.load();

/** The 51 USPS codes of the region table. */
export const USPS: string[] = table
  .entries()
  .map(([code]) => code)
  .sort();
export const REGIONS: FbRegion[] = USPS.map((c) => table.region(c)!);

const blank = fc.constantFrom('', ' ', '  ', '\t', '\n', ' \t ');

/** A USPS code as an upstream might spell it: any case, spaces around. */
export const casedCode = (code: string) =>
  fc
    .tuple(blank, fc.array(fc.boolean(), { minLength: code.length, maxLength: code.length }), blank)
    .map(
      ([pre, upper, post]) =>
        `${pre}${[...code].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join('')}${post}`,
    );

/** A non-negative finite demand, -0 folded into 0 (JSON has no -0). */
export const amount = fc.oneof(
  fc.nat(10_000),
  fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }).map((n) => n + 0),
);

/** One state's demand as CLOSRTECH may write it: a number, or an object with `demand` and other fields. */
export const demandEntry = fc.oneof(
  amount.map((n) => ({ raw: n, amount: n })),
  fc
    .record({
      demand: amount,
      stock: fc.oneof(fc.nat(), fc.string(), fc.constant(null)),
      note: fc.option(fc.string(), { nil: undefined }),
    })
    .map((o) => ({ raw: o, amount: o.demand })),
);

/** Values that are not a demand: strings other than plain digits, booleans, null, lists, objects without a numeric `demand`. */
export const nonNumericDemand: fc.Arbitrary<unknown> = fc.oneof(
  fc.double({ noNaN: true }).map((n) => `${n}.5`),
  fc.nat().map((n) => `0x${n.toString(16)}`),
  fc.nat().map((n) => ` ${n}`),
  fc.string().filter((v) => !/^[0-9]+$/.test(v)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.record({ stock: fc.nat() }),
  fc.record({
    demand: fc.oneof(
      fc.nat().map((n) => `${n}e0`),
      fc.constant(null),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 2 }),
    ),
  }),
  fc.record({ demand: fc.record({ demand: fc.nat() }) }),
);

/** A non-empty set of regions from the table, in any order. */
export const desiredRegions = fc.uniqueArray(fc.constantFrom(...REGIONS), {
  minLength: 1,
  maxLength: 51,
  selector: (r) => r.key,
});

/** A region entry as Meta may return it: key as string or number, with or without name/country. */
const currentRegion = fc.oneof(
  fc.constantFrom(...REGIONS).chain((r) =>
    fc.record(
      {
        key: fc.constantFrom<string | number>(r.key, Number(r.key)),
        name: fc.constant(r.name),
        country: fc.constant('US'),
      },
      { requiredKeys: ['key'] },
    ),
  ),
  // A region outside our table (another country's, or one we do not know).
  // (Named as Meta names regions: never a two-letter code that could be mistaken for a USPS code.)
  fc.record(
    {
      key: fc.integer({ min: 100, max: 3000 }).map(String),
      name: fc.oneof(
        fc.constantFrom('Ontario', 'Quebec', 'British Columbia', 'Jalisco', 'Nuevo León'),
        fc.string({ minLength: 3, maxLength: 12 }),
      ),
      country: fc.constantFrom('CA', 'MX'),
    },
    { requiredKeys: ['key', 'country'] },
  ),
);

const ALLOWED_TYPES = fc.constantFrom(['home', 'recent'], ['recent', 'home']);
const OTHER_TYPES: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    ['home'],
    ['recent'],
    ['travel_in'],
    ['home', 'recent', 'travel_in'],
    ['home', 'home'],
    [],
    'home',
    null,
    ['HOME', 'recent'],
  ),
  fc.jsonValue(),
);

/** Everything else an ad set's targeting holds (never geo_locations). */
const otherTargeting = fc.dictionary(
  fc
    .oneof(
      fc.constantFrom(
        'age_min',
        'age_max',
        'genders',
        'flexible_spec',
        'excluded_custom_audiences',
        'targeting_automation',
        'publisher_platforms',
        'locales',
      ),
      fc.string({ minLength: 1, maxLength: 10 }),
    )
    .filter((k) => k !== 'geo_locations' && k !== '__proto__'),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 6 },
);

/** geo_locations other than regions / location_types: cities, zips, excluded places... never US-wide. */
const otherGeo = fc.record(
  {
    cities: fc.array(fc.record({ key: fc.nat().map(String), radius: fc.nat(50), distance_unit: fc.constant('mile') }), {
      maxLength: 2,
    }),
    zips: fc.array(fc.record({ key: fc.string({ minLength: 5, maxLength: 5 }).map((z) => `US:${z}`) }), {
      maxLength: 2,
    }),
    countries: fc.constantFrom(['CA'], ['MX'], [] as string[]),
    custom_locations: fc.array(
      fc.record({
        latitude: fc.double({ noNaN: true, noDefaultInfinity: true }),
        longitude: fc.double({ noNaN: true, noDefaultInfinity: true }),
      }),
      { maxLength: 1 },
    ),
    extra_field: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);

/** geo_locations as found on an ad set: an object with any mix of parts, or something malformed. */
export const geoLocations: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({
        rest: otherGeo,
        regions: fc.option(fc.oneof(fc.array(currentRegion, { maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), {
          nil: undefined,
        }),
        location_types: fc.option(fc.oneof(ALLOWED_TYPES as fc.Arbitrary<unknown>, OTHER_TYPES), { nil: undefined }),
      })
      .map(({ rest, regions, location_types }) => ({
        ...rest,
        ...(regions !== undefined ? { regions } : {}),
        ...(location_types !== undefined ? { location_types } : {}),
      })),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'US', [], [{ key: '3847' }], 42) },
);

/** A whole targeting spec that does not target the whole US through countries. */
export const targeting = fc.record({ other: otherTargeting, geo: geoLocations }).map(({ other, geo }) => ({
  ...other,
  ...(geo === undefined ? {} : { geo_locations: geo }),
})) as fc.Arbitrary<Record<string, unknown>>;
