import { GraphError, invalidParameter } from './errors.js';
import { regionByKey } from '../region-table.js';

const LOCATION_FIELDS = [
  'countries',
  'regions',
  'cities',
  'zips',
  'places',
  'custom_locations',
  'geo_markets',
  'electoral_districts',
  'country_groups',
];
const MAX_REGIONS = 200;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Accepts `targeting` as sent: a JSON string (forms) or an object (JSON bodies). */
export function parseTargeting(raw: unknown): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw invalidParameter('The targeting parameter is not valid JSON.');
    }
  }
  if (!isObject(value)) throw invalidParameter('The targeting parameter must be a JSON object.');
  return value;
}

function checkRegions(geo: Record<string, unknown>): void {
  const regions = geo.regions;
  if (regions === undefined) return;
  if (!Array.isArray(regions)) throw invalidParameter('regions must be a list.');
  if (regions.length > MAX_REGIONS) throw invalidParameter(`At most ${MAX_REGIONS} regions can be targeted.`);
  for (const r of regions) {
    const key = isObject(r) ? String(r.key ?? '') : '';
    const known = regionByKey(key);
    const country = isObject(r) && r.country !== undefined ? String(r.country) : 'US';
    // Assumption: the simulator knows only US region keys, so a region of another country (Meta lets
    // regions of several countries share the list) is accepted as it is.
    if (country !== 'US' && key !== '') continue;
    if (!known || known.country !== 'US') {
      throw new GraphError(100, 'Invalid region key', {
        subcode: 1487756,
        userTitle: 'Invalid Location',
        userMsg: `The region key ${key || '(missing)'} is not a valid US region.`,
      });
    }
  }
}

function hasLocation(geo: Record<string, unknown>): boolean {
  return LOCATION_FIELDS.some((f) => {
    const v = geo[f];
    return Array.isArray(v) ? v.length > 0 : isObject(v) && Object.keys(v).length > 0;
  });
}

/** Throws the Graph error a real ad set update would give for this targeting. */
export function validateTargeting(t: Record<string, unknown>): void {
  const geo = t.geo_locations;
  if (!isObject(geo) || !hasLocation(geo)) {
    throw new GraphError(100, 'Invalid parameter', {
      subcode: 1885364,
      userTitle: 'Missing Target Audience Location',
      userMsg: 'Your audience is missing a location. You can add a location or a Custom Audience.',
      errorData: { blame_field_specs: [['targeting']] },
    });
  }
  const types = geo.location_types;
  if (types !== undefined) {
    const ok =
      Array.isArray(types) &&
      types.length === 2 &&
      types.includes('home') &&
      types.includes('recent');
    if (!ok) {
      throw new GraphError(100, 'Invalid parameter', {
        subcode: 1870199,
        userTitle: 'Location Types Not Supported',
        userMsg: 'Only people living in or recently in a location can be targeted; leave location_types out.',
      });
    }
  }
  checkRegions(geo);
  if (isObject(t.excluded_geo_locations)) checkRegions(t.excluded_geo_locations);
}

/** Canonical text of the geo part, to tell whether an update really moved the audience. */
export function geoSignature(t: Record<string, unknown>): string {
  const canon = (geo: unknown): unknown => {
    if (!isObject(geo)) return geo ?? null;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(geo).sort()) {
      if (k === 'location_types') continue;
      const v = geo[k];
      out[k] =
        k === 'regions' && Array.isArray(v)
          ? v.map((r) => (isObject(r) ? String(r.key) : String(r))).sort()
          : v;
    }
    return out;
  };
  return JSON.stringify([canon(t.geo_locations), canon(t.excluded_geo_locations)]);
}
