import { DemandDataError } from '../errors';
import type { FbRegion, RegionTable } from '../region-keys';

/** Per-state demand as CLOSRTECH reports it, keyed by normalised USPS code. */
export type Demand = Map<string, number>;

const LEFT_ALONE = 'targeting left as it is';

/**
 * How many codes a demand answer may hold: every USPS code of a state or territory (50 states, DC,
 * 8 territories and freely associated states, 3 military codes). An answer with more is not a list of
 * states, whatever its codes are.
 */
export const MAX_DEMAND_CODES = 62;

/** ASCII whitespace only: Unicode spaces around a code are not "surrounding spaces", they are junk. */
const ASCII_SPACE = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;
const USPS_CODE = /^[A-Za-z]{2}$/;
/** A demand CLOSRTECH sent as a string (PHP often does): only plain decimal digits are a number. */
const DIGITS = /^[0-9]+$/;

/**
 * The code a key of the answer stands for: exactly two ASCII letters after trimming ASCII whitespace,
 * in any case, upper-cased. Anything else (look-alike letters, odd spaces, three letters) keeps a
 * quoted, escaped spelling that can never match a region: it is reported as unmapped, visibly raw.
 */
export function normaliseStateCode(raw: string): string {
  const trimmed = raw.replace(ASCII_SPACE, '');
  if (USPS_CODE.test(trimmed)) return trimmed.toUpperCase();
  const shown = raw.length > 12 ? `${raw.slice(0, 12)}…` : raw;
  return JSON.stringify(shown).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Parses the body of `demand.php`: a JSON object from USPS code to either a number or an object with a
 * numeric `demand` field (other fields such as `stock` are ignored); a string of decimal digits counts
 * as that number. Anything else is bad data, which aborts the campaign: a wrong answer must never turn
 * into a targeting write.
 */
export function parseDemandBody(body: string): Demand {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DemandDataError(`CLOSRTECH answered with something that is not JSON (${preview(body)}); ${LEFT_ALONE}`);
  }
  if (Array.isArray(json))
    throw new DemandDataError(`CLOSRTECH answered with a JSON array instead of an object of states; ${LEFT_ALONE}`);
  if (json === null || typeof json !== 'object') {
    throw new DemandDataError(
      `CLOSRTECH answered with ${json === null ? 'null' : typeof json} instead of an object of states; ${LEFT_ALONE}`,
    );
  }
  const entries = Object.entries(json as Record<string, unknown>);
  if (entries.length === 0) throw new DemandDataError(`CLOSRTECH answered with no states at all ({}); ${LEFT_ALONE}`);
  if (entries.length > MAX_DEMAND_CODES) {
    throw new DemandDataError(
      `CLOSRTECH answered with ${entries.length} codes, more than there are US states and territories (${MAX_DEMAND_CODES}); ${LEFT_ALONE}`,
    );
  }

  const demand: Demand = new Map();
  for (const [rawCode, value] of entries) {
    const code = normaliseStateCode(rawCode);
    const amount = demandValue(value);
    if (amount === undefined) {
      throw new DemandDataError(
        `CLOSRTECH reported a non-numeric demand for ${code} (${preview(JSON.stringify(value) ?? 'undefined')}); ${LEFT_ALONE}`,
      );
    }
    if (amount < 0)
      throw new DemandDataError(`CLOSRTECH reported a negative demand for ${code} (${amount}); ${LEFT_ALONE}`);
    const previous = demand.get(code);
    if (previous !== undefined && previous !== amount) {
      throw new DemandDataError(
        `CLOSRTECH reported ${code} twice with different demands (${previous} and ${amount}); ${LEFT_ALONE}`,
      );
    }
    demand.set(code, amount);
  }
  return demand;
}

function demandValue(value: unknown): number | undefined {
  const inner =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>).demand
      : value;
  if (typeof inner === 'number') return Number.isFinite(inner) ? inner : undefined;
  if (typeof inner === 'string' && DIGITS.test(inner)) {
    const n = Number(inner);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

export interface RegionPlan {
  /** USPS codes with demand > 0 that have a region key, sorted. */
  activeStates: string[];
  /** Codes with demand > 0 that the region table does not know, sorted. */
  unmappedStates: string[];
  /** The regions to target, in activeStates order. */
  regions: FbRegion[];
}

/**
 * Turns demand into the regions to target. Throws DemandDataError when nothing should be written:
 * every state at zero, or no state with demand that maps to a region.
 */
export function planRegions(demand: Demand, table: RegionTable): RegionPlan {
  const wanted = [...demand]
    .filter(([, amount]) => amount > 0)
    .map(([code]) => code)
    .sort();
  if (wanted.length === 0) throw new DemandDataError(`every state reports zero demand; ${LEFT_ALONE}`);
  const activeStates: string[] = [];
  const unmappedStates: string[] = [];
  const regions: FbRegion[] = [];
  for (const code of wanted) {
    const region = table.region(code);
    if (region) {
      activeStates.push(code);
      regions.push(region);
    } else {
      unmappedStates.push(code);
    }
  }
  if (regions.length === 0) {
    throw new DemandDataError(
      `none of the states with demand (${unmappedStates.join(', ')}) has a Facebook region key; ${LEFT_ALONE}`,
    );
  }
  return { activeStates, unmappedStates, regions };
}

function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t === '') return 'an empty body';
  return `"${t.length > 60 ? `${t.slice(0, 60)}…` : t}"`;
}
