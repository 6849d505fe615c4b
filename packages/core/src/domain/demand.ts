import { DemandDataError } from '../errors';
import type { FbRegion, RegionTable } from '../region-keys';

/** Per-state demand as CLOSRTECH reports it, keyed by normalised USPS code. */
export type Demand = Map<string, number>;

const LEFT_ALONE = 'targeting left as it is';

/**
 * Parses the body of `demand.php`: a JSON object from USPS code to either a number or an object with a
 * numeric `demand` field (other fields such as `stock` are ignored). Anything else is bad data, which
 * aborts the campaign: a wrong answer must never turn into a targeting write.
 */
export function parseDemandBody(body: string): Demand {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new DemandDataError(`CLOSRTECH answered with something that is not JSON (${preview(body)}); ${LEFT_ALONE}`);
  }
  if (Array.isArray(json)) throw new DemandDataError(`CLOSRTECH answered with a JSON array instead of an object of states; ${LEFT_ALONE}`);
  if (json === null || typeof json !== 'object') {
    throw new DemandDataError(`CLOSRTECH answered with ${json === null ? 'null' : typeof json} instead of an object of states; ${LEFT_ALONE}`);
  }
  const entries = Object.entries(json as Record<string, unknown>);
  if (entries.length === 0) throw new DemandDataError(`CLOSRTECH answered with no states at all ({}); ${LEFT_ALONE}`);

  const demand: Demand = new Map();
  for (const [rawCode, value] of entries) {
    const code = rawCode.trim().toUpperCase();
    const amount = demandValue(value);
    if (amount === undefined) {
      throw new DemandDataError(`CLOSRTECH reported a non-numeric demand for "${rawCode}" (${preview(JSON.stringify(value) ?? 'undefined')}); ${LEFT_ALONE}`);
    }
    if (amount < 0) throw new DemandDataError(`CLOSRTECH reported a negative demand for ${code} (${amount}); ${LEFT_ALONE}`);
    const previous = demand.get(code);
    if (previous !== undefined && previous !== amount) {
      throw new DemandDataError(`CLOSRTECH reported ${code} twice with different demands (${previous} and ${amount}); ${LEFT_ALONE}`);
    }
    demand.set(code, amount);
  }
  return demand;
}

function demandValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const inner = (value as Record<string, unknown>).demand;
    if (typeof inner === 'number' && Number.isFinite(inner)) return inner;
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
  const wanted = [...demand].filter(([, amount]) => amount > 0).map(([code]) => code).sort();
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
    throw new DemandDataError(`none of the states with demand (${unmappedStates.join(', ')}) has a Facebook region key; ${LEFT_ALONE}`);
  }
  return { activeStates, unmappedStates, regions };
}

function preview(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t === '') return 'an empty body';
  return `"${t.length > 60 ? `${t.slice(0, 60)}…` : t}"`;
}
