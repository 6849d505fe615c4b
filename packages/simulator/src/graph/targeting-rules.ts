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
// Meta: at most 200 regions. Assumption: the refusal is a plain 100 (its subcode is not documented).
const MAX_REGIONS = 200;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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

// Assumption: an unknown or non-US region key is refused with 100/1487756 (subcode not documented);
// the simulator knows only the 51 US state keys.
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

// Advantage+ audience (targeting_automation.advantage_audience: 1) fixes age_max at 65 and allows
// age_min 18..25 only (Advantage+ audience reference). Absent ages take Meta's defaults (18, 65).
const ADVANTAGE_AGE_MIN = { low: 18, high: 25 };
const ADVANTAGE_AGE_MAX = 65;

function ageOf(v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  // Form clients may send numbers as text.
  return typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN;
}

function checkAdvantageAudience(t: Record<string, unknown>): void {
  const automation = t.targeting_automation;
  if (!isObject(automation) || Number(automation.advantage_audience) !== 1) return;
  const min = ageOf(t.age_min, 18);
  const max = ageOf(t.age_max, ADVANTAGE_AGE_MAX);
  if (min >= ADVANTAGE_AGE_MIN.low && min <= ADVANTAGE_AGE_MIN.high && max === ADVANTAGE_AGE_MAX) return;
  // Assumption: the rule is Meta's, the answer's shape is not documented: code 100 with no subcode,
  // and a user message of the simulator's own.
  throw new GraphError(100, 'Invalid parameter', {
    userTitle: 'Age Not Available With Advantage+ Audience',
    userMsg: `With Advantage+ audience on, age_min must be ${ADVANTAGE_AGE_MIN.low} to ${ADVANTAGE_AGE_MIN.high} and age_max must be ${ADVANTAGE_AGE_MAX} (got ${String(t.age_min ?? 'default')}..${String(t.age_max ?? 'default')}).`,
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
    const ok = Array.isArray(types) && types.length === 2 && types.includes('home') && types.includes('recent');
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
  checkAdvantageAudience(t);
}

/**
 * Canonical text of the geo part, to tell whether an update really moved the audience.
 * Assumption: region order and location_types (only home+recent is allowed anyway) do not count.
 */
export function geoSignature(t: Record<string, unknown>): string {
  const canon = (geo: unknown): unknown => {
    if (!isObject(geo)) return geo ?? null;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(geo).sort()) {
      if (k === 'location_types') continue;
      const v = geo[k];
      out[k] = k === 'regions' && Array.isArray(v) ? v.map((r) => (isObject(r) ? String(r.key) : String(r))).sort() : v;
    }
    return out;
  };
  return JSON.stringify([canon(t.geo_locations), canon(t.excluded_geo_locations)]);
}
