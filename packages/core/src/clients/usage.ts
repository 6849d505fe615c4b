/**
 * Meta's usage headers, read on every Graph answer. Values are percentages of the quota in use,
 * and the time to wait when a quota is exhausted.
 */
export interface UsageReading {
  /** The ad account the usage belongs to (`act_…`), when the answer concerns one. */
  adAccountId?: string;
  /** Highest utilisation of the ad account's quotas, 0–100+. */
  percent: number;
  /** How long Meta says calls will keep being refused (0 when not blocked). */
  waitMs: number;
  /**
   * Time until the ad account's usage window frees up (X-Ad-Account-Usage reset_time_duration);
   * 0 when Meta did not say, as when only X-Business-Use-Case-Usage is sent.
   */
  resetMs: number;
  /** What the call answered cost on Meta's score (a read 1 point, a write 3), when known. */
  points?: number;
  /** The score's maximum for the access tier the headers name (`ads_api_access_tier`), when they name one. */
  tierMaxPoints?: number;
}

/**
 * Score maxima per access tier (meta-graph-api.md §7): Limited (headers still say
 * `development_access` or `standard_access`) 60 points, Full (`advanced_access`) 9000.
 */
const TIER_MAX_POINTS: Record<string, number> = { development_access: 60, standard_access: 60, advanced_access: 9000 };

/** Meta's ad-account score: a read costs 1 point, a write 3 (meta-graph-api.md §7). */
export const READ_POINTS = 1;
export const WRITE_POINTS = 3;

type Headers = { get(name: string): string | null };

/**
 * One reading per answer, from what governs Marketing API calls (meta-graph-api.md §7, §15):
 * - X-Business-Use-Case-Usage: only the `ads_management` entry of the ad account called, the highest
 *   of `call_count`, `total_cputime` and `total_time`; `estimated_time_to_regain_access` is minutes.
 *   Meta's current docs mostly send this header alone.
 * - X-Ad-Account-Usage when present (`acc_id_util_pct`, `reset_time_duration` in seconds).
 * X-App-Usage is ignored: the Marketing API is excluded from the Graph API's app limits.
 */
export function readUsage(headers: Headers, adAccountId?: string): UsageReading | undefined {
  const buc = bucEntries(parseJson(headers.get('x-business-use-case-usage')), adAccountId);
  const account = parseJson(headers.get('x-ad-account-usage'));
  const hasAccount = !!account && typeof account === 'object';
  if (buc.length === 0 && !hasAccount) return undefined;

  let percent = 0;
  let waitMs = 0;
  let resetMs = 0;
  let tierMaxPoints: number | undefined;
  for (const e of buc) {
    percent = Math.max(percent, num(e.call_count), num(e.total_cputime), num(e.total_time));
    waitMs = Math.max(waitMs, num(e.estimated_time_to_regain_access) * 60_000);
    tierMaxPoints ??= tierMax(e.ads_api_access_tier);
  }
  if (hasAccount) {
    const a = account as Record<string, unknown>;
    percent = Math.max(percent, num(a.acc_id_util_pct));
    resetMs = num(a.reset_time_duration) * 1000;
    // reset_time_duration is the time until the account's score resets; it is a wait only when at the limit.
    if (num(a.acc_id_util_pct) >= 100) waitMs = Math.max(waitMs, num(a.reset_time_duration) * 1000);
    tierMaxPoints ??= tierMax(a.ads_api_access_tier);
  }
  return { adAccountId, percent, waitMs, resetMs, ...(tierMaxPoints ? { tierMaxPoints } : {}) };
}

function tierMax(tier: unknown): number | undefined {
  return typeof tier === 'string' ? TIER_MAX_POINTS[tier] : undefined;
}

/**
 * The `ads_management` entries of the BUC header for the ad account called (the key may be the bare
 * id or `act_…`, so both are accepted). Without an ad account, the answer says nothing to pace on.
 */
function bucEntries(buc: unknown, adAccountId: string | undefined): Array<Record<string, unknown>> {
  if (!adAccountId || !buc || typeof buc !== 'object') return [];
  const out: Array<Record<string, unknown>> = [];
  for (const [key, entries] of Object.entries(buc as Record<string, unknown>)) {
    if (!sameAccount(key, adAccountId)) continue;
    for (const entry of Array.isArray(entries) ? entries : [entries]) {
      if (entry && typeof entry === 'object' && (entry as Record<string, unknown>).type === 'ads_management')
        out.push(entry as Record<string, unknown>);
    }
  }
  return out;
}

/**
 * The wait a throttling error asks for: BUC minutes first, then the ad-account reset in seconds.
 * Returns undefined when the headers name none.
 */
export function throttleWaitMs(headers: Headers): number | undefined {
  let wait = 0;
  const buc = parseJson(headers.get('x-business-use-case-usage'));
  if (buc && typeof buc === 'object') {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      for (const entry of Array.isArray(entries) ? entries : [entries]) {
        if (entry && typeof entry === 'object')
          wait = Math.max(wait, num((entry as Record<string, unknown>).estimated_time_to_regain_access) * 60_000);
      }
    }
  }
  const account = parseJson(headers.get('x-ad-account-usage'));
  if (account && typeof account === 'object')
    wait = Math.max(wait, num((account as Record<string, unknown>).reset_time_duration) * 1000);
  return wait > 0 ? wait : undefined;
}

function sameAccount(key: string, adAccountId: string): boolean {
  return key.replace(/^act_/, '') === adAccountId.replace(/^act_/, '');
}

function parseJson(value: string | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}
