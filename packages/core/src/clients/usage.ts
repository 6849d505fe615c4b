/**
 * Meta's usage headers, read on every Graph answer. Values are percentages of the quota in use,
 * and the time to wait when a quota is exhausted.
 */
export interface UsageReading {
  /** The ad account the usage belongs to (`act_…`), when the answer concerns one. */
  adAccountId?: string;
  /** Highest utilisation among the headers, 0–100+. */
  percent: number;
  /** How long Meta says calls will keep being refused (0 when not blocked). */
  waitMs: number;
  /** Time until the ad account's usage window frees up (X-Ad-Account-Usage reset_time_duration). */
  resetMs: number;
}

type Headers = { get(name: string): string | null };

/** Combines X-Business-Use-Case-Usage, X-Ad-Account-Usage and X-App-Usage into one reading. */
export function readUsage(headers: Headers, adAccountId?: string): UsageReading | undefined {
  const buc = parseJson(headers.get('x-business-use-case-usage'));
  const account = parseJson(headers.get('x-ad-account-usage'));
  const app = parseJson(headers.get('x-app-usage'));
  if (!buc && !account && !app) return undefined;

  let percent = 0;
  let waitMs = 0;
  let resetMs = 0;
  if (buc && typeof buc === 'object') {
    for (const [key, entries] of Object.entries(buc as Record<string, unknown>)) {
      if (adAccountId && !sameAccount(key, adAccountId)) continue;
      for (const entry of Array.isArray(entries) ? entries : [entries]) {
        if (!entry || typeof entry !== 'object') continue;
        const e = entry as Record<string, unknown>;
        percent = Math.max(percent, num(e.call_count), num(e.total_cputime), num(e.total_time));
        waitMs = Math.max(waitMs, num(e.estimated_time_to_regain_access) * 60_000);
      }
    }
  }
  if (account && typeof account === 'object') {
    const a = account as Record<string, unknown>;
    percent = Math.max(percent, num(a.acc_id_util_pct));
    resetMs = num(a.reset_time_duration) * 1000;
    // reset_time_duration is the time until the account's score resets; it is a wait only when at the limit.
    if (num(a.acc_id_util_pct) >= 100) waitMs = Math.max(waitMs, num(a.reset_time_duration) * 1000);
  }
  if (app && typeof app === 'object') {
    const a = app as Record<string, unknown>;
    percent = Math.max(percent, num(a.call_count), num(a.total_time), num(a.total_cputime));
  }
  return { adAccountId, percent, waitMs, resetMs };
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
        if (entry && typeof entry === 'object') wait = Math.max(wait, num((entry as Record<string, unknown>).estimated_time_to_regain_access) * 60_000);
      }
    }
  }
  const account = parseJson(headers.get('x-ad-account-usage'));
  if (account && typeof account === 'object') wait = Math.max(wait, num((account as Record<string, unknown>).reset_time_duration) * 1000);
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
