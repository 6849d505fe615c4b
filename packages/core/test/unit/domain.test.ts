import { describe, expect, it } from 'vitest';
import {
  DemandDataError,
  RegionTable,
  brokenAds,
  diffRegions,
  incompleteRead,
  parseDemandBody,
  planRegions,
  redactUrl,
  regionKeysOf,
  restoreStates,
  targetingWarnings,
  withRegions,
  classifyGraphError,
  TargetingConflictError,
} from '../../src';

const table = RegionTable.load();

describe('region table', () => {
  it('maps 51 USPS codes, case- and space-insensitively, DC by key 3851', () => {
    expect(table.size).toBe(51);
    expect(table.region('OH')).toEqual({ key: '3878', name: 'Ohio', country: 'US' });
    expect(table.region(' oh ')).toEqual(table.region('OH'));
    expect(table.region('DC')?.key).toBe('3851');
    expect(table.region('XX')).toBeUndefined();
    expect(table.uspsOf('3886')).toBe('TX');
  });
});

describe('demand', () => {
  it('reads object-shaped and plain demands, ignoring other fields', () => {
    const d = parseDemandBody(JSON.stringify({ OH: { demand: 15, stock: 2 }, tx: 4, ' FL ': { demand: 0, stock: 9 } }));
    expect([...d]).toEqual([
      ['OH', 15],
      ['TX', 4],
      ['FL', 0],
    ]);
  });

  it('plans sorted active states, lists unknown codes, aborts on zero or none mapped', () => {
    const plan = planRegions(
      new Map([
        ['TX', 2],
        ['CA', 1],
        ['XX', 3],
        ['FL', 0],
      ]),
      table,
    );
    expect(plan.activeStates).toEqual(['CA', 'TX']);
    expect(plan.unmappedStates).toEqual(['XX']);
    expect(plan.regions.map((r) => r.key)).toEqual(['3847', '3886']);
    expect(() => planRegions(new Map([['TX', 0]]), table)).toThrow(DemandDataError);
    expect(() => planRegions(new Map([['XX', 1]]), table)).toThrow(/none of the states/);
  });
});

describe('targeting rewrite', () => {
  const targeting = {
    age_min: 30,
    geo_locations: {
      regions: [{ key: '3875', name: 'New York', country: 'US' }],
      location_types: ['home', 'recent'],
      cities: [{ key: '1' }],
    },
    flexible_spec: [{ interests: [{ id: '1' }] }],
  };

  it('replaces only the regions, on a copy', () => {
    const next = withRegions(targeting, [table.region('OH')!]);
    expect(regionKeysOf(next)).toEqual(['3878']);
    expect({ ...next, geo_locations: { ...(next.geo_locations as object), regions: undefined } }).toEqual({
      ...targeting,
      geo_locations: { ...targeting.geo_locations, regions: undefined },
    });
    expect(regionKeysOf(targeting)).toEqual(['3875']);
  });

  it('refuses an ad set whose countries is not a list (a bare "US" would hide the whole-US case)', () => {
    for (const countries of ['US', { 0: 'US' }, 1]) {
      expect(() => withRegions({ geo_locations: { countries } }, [table.region('OH')!])).toThrow(
        /countries is not a list/,
      );
    }
  });

  it('refuses an ad set that targets the whole US through countries', () => {
    expect(() => withRegions({ geo_locations: { countries: ['US'] } }, [table.region('OH')!])).toThrow(
      TargetingConflictError,
    );
  });

  it('diffs in USPS codes, sorted', () => {
    expect(diffRegions(targeting, [table.region('OH')!, table.region('CA')!], table)).toEqual({
      added: ['CA', 'OH'],
      removed: ['NY'],
    });
  });
});

describe('ad health', () => {
  it('counts active ads that are disapproved, with issues or issues_info; never ads paused by their owner', () => {
    const broken = brokenAds([
      { id: '1', name: 'ok', status: 'ACTIVE', effective_status: 'ACTIVE' },
      { id: '2', name: 'rejected', status: 'ACTIVE', effective_status: 'DISAPPROVED' },
      {
        id: '3',
        name: 'issue',
        status: 'ACTIVE',
        effective_status: 'ACTIVE',
        issues_info: [{ error_code: 3390001, error_summary: 'Lead form broken' }],
      },
      { id: '4', name: 'paused', status: 'PAUSED', effective_status: 'DISAPPROVED' },
    ]);
    expect(broken.map((a) => a.id)).toEqual(['2', '3']);
    expect(broken[1]!.issue).toBe('Lead form broken (#3390001)');
  });
});

describe('Graph error classes', () => {
  it.each([
    [{ code: 1 }, 'transient'],
    [{ code: 2 }, 'transient'],
    [{ code: 100, isTransient: true }, 'transient'],
    [{ httpStatus: 502 }, 'transient'],
    [{ code: 4 }, 'throttle'],
    [{ code: 17, subcode: 2446079 }, 'throttle'],
    [{ code: 613 }, 'throttle'],
    [{ code: 80004 }, 'throttle'],
    [{ code: 190, subcode: 463 }, 'auth'],
    [{ code: 102 }, 'auth'],
    [{ code: 10 }, 'permission'],
    [{ code: 294 }, 'permission'],
    [{ code: 100, subcode: 1885364 }, 'invalid'],
    [{ code: 2635 }, 'invalid'],
  ] as const)('%o is %s', (error, expected) => {
    expect(classifyGraphError(error)).toBe(expected);
  });
});

describe('redaction', () => {
  it('hides credentials in URLs', () => {
    const url = redactUrl(
      'https://graph.facebook.com/v25.0/1/adsets?access_token=EAAB123&fields=id&appsecret_proof=abc',
    );
    expect(url).not.toMatch(/EAAB123|abc/);
    expect(url).toContain('fields=id');
    expect(redactUrl('https://x/demand.php?campaign=V&email=a@b.c&pass=pw')).toBe(
      'https://x/demand.php?campaign=V&email=***&pass=***',
    );
  });
});

describe('a change of states touches only US states, and says what it cannot change', () => {
  const table = RegionTable.load();
  const OH = table.region('OH')!;
  const CA = table.region('CA')!;

  it('keeps regions of other countries', () => {
    const t = {
      geo_locations: {
        regions: [
          { key: '3875', name: 'New York', country: 'US' },
          { key: '527', name: 'Alberta', country: 'CA' },
        ],
      },
    };
    const next = withRegions(t, [OH], table);
    expect((next.geo_locations as { regions: unknown[] }).regions).toEqual([
      { ...OH },
      { key: '527', name: 'Alberta', country: 'CA' },
    ]);
    expect(diffRegions(t, [OH], table)).toEqual({ added: ['OH'], removed: ['NY'] });
  });

  it('warns about cities, zips and places inside a removed state, an exclusion that now has demand, and location_types', () => {
    const t = {
      geo_locations: {
        regions: [{ key: '3875' }, { key: '3847' }],
        cities: [{ key: '2490299', name: 'New York', region_id: '3875' }],
        zips: [{ key: 'US:94304', region_id: '3847' }],
        custom_locations: [{ latitude: 40.7, longitude: -74, radius: 10 }],
        location_types: ['home'],
      },
      excluded_geo_locations: { regions: [{ key: OH.key }] },
    };
    const warnings = targetingWarnings(t, [OH], table);
    expect(warnings.find((w) => w.startsWith('also targets cities'))).toMatch(/NY/);
    expect(warnings.find((w) => w.startsWith('also targets zips'))).toMatch(/CA/);
    expect(warnings.find((w) => w.startsWith('also targets custom locations'))).toMatch(/may lie/);
    expect(warnings.find((w) => w.startsWith('excludes'))).toMatch(/OH/);
    expect(warnings.find((w) => w.includes('location_types'))).toMatch(/dropped/);
    expect(targetingWarnings({ geo_locations: { regions: [{ key: OH.key }] } }, [OH, CA], table)).toEqual([]);
  });

  it('refuses a fresh read that is empty or lacks fields the listing showed', () => {
    const listed = { age_min: 25, geo_locations: { regions: [{ key: '3875' }], cities: [] }, flexible_spec: [] };
    expect(incompleteRead({}, listed)).toMatch(/empty/);
    expect(incompleteRead({ age_min: 25 }, listed)).toMatch(/geo_locations/);
    expect(incompleteRead({ age_min: 25, geo_locations: { regions: [] } }, listed)).toMatch(
      /flexible_spec.*geo_locations\.cities|geo_locations\.cities/,
    );
    expect(incompleteRead(listed, listed)).toBeUndefined();
    expect(incompleteRead({ ...listed, age_max: 40 }, listed)).toBeUndefined();
  });

  it('a rollback restores the states onto the targeting as it is now', () => {
    const now = { age_max: 44, geo_locations: { regions: [{ ...OH }, { key: '527', country: 'CA' }] } };
    expect(restoreStates(now, [{ key: '3875', name: 'New York', country: 'US' }], table)).toEqual({
      age_max: 44,
      geo_locations: {
        regions: [
          { key: '3875', name: 'New York', country: 'US' },
          { key: '527', country: 'CA' },
        ],
      },
    });
  });
});
