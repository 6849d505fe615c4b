import type { GraphApiError, GraphErrorClass } from '../errors';

const THROTTLE_CODES = new Set([4, 17, 32, 341, 613]);
const AUTH_CODES = new Set([190, 102]);
const PERMISSION_CODES = new Set([10, 3]);

/**
 * How to react to a Graph API error, decided by Meta's error code (never by HTTP status alone):
 * transient errors are retried with backoff, throttling waits for the time Meta gives, and auth,
 * permission and invalid-request errors fail at once.
 */
export function classifyGraphError(e: {
  code?: number;
  subcode?: number;
  isTransient?: boolean;
  httpStatus?: number;
  message?: string;
}): GraphErrorClass {
  const code = e.code;
  if (code !== undefined) {
    // Code 1 is also Meta's answer to a request asking for too much data: the same request fails again.
    if (code === 1 && e.message !== undefined && REDUCE_DATA.test(e.message)) return 'invalid';
    if (THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80014)) return 'throttle';
    if (AUTH_CODES.has(code)) return 'auth';
    if (PERMISSION_CODES.has(code) || (code >= 200 && code <= 299)) return 'permission';
    if (code === 1 || code === 2 || e.isTransient === true) return 'transient';
    return 'invalid';
  }
  if (e.httpStatus === undefined || e.httpStatus >= 500) return 'transient';
  if (e.httpStatus === 429) return 'throttle';
  return 'invalid';
}

/** Meta's code 1 text for a request that asks for too much data at once (Graph API reference, §15). */
const REDUCE_DATA = /reduce the amount of data/i;

/** A code 1 "Please reduce the amount of data you're asking for": ask again for less, not the same. */
export function isReduceDataError(err: GraphApiError): boolean {
  return err.code === 1 && REDUCE_DATA.test(err.details.metaMessage);
}

/**
 * The longest throttling wait the product accepts: an hour. Meta's limits reset within minutes
 * (60 s to 300 s blocks, BUC windows of an hour); an answer asking for more (days, centuries) would park
 * an ad set, and with it the run's report, for that long. Beyond it the call fails, with the wait Meta
 * asked for in its message.
 */
export const MAX_THROTTLE_WAIT_MS = 60 * 60 * 1000;

/** A wait in the largest unit that keeps it readable: "45 s", "12 min", "3 h", "41 d", "36500 d". */
export function formatWait(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** What a throttling error stops: the whole app (every ad account it calls) or one ad account. */
export type ThrottleScope = 'app' | 'account';

/**
 * How a throttling error should be handled beyond "wait": whom it stops, whether a person should look
 * (`alert`), and the wait to use when the answer's headers name none.
 */
export interface ThrottleKind {
  scope: ThrottleScope;
  severity: 'routine' | 'alert';
  defaultWaitMs: number;
}

const MINUTE = 60_000;
/** Meta's ad-account score block at Full access; the Limited tier blocks 300 s (meta-graph-api.md §7). */
const SCORE_BLOCK_MS = MINUTE;
/** Abuse prevention and "inconsistent request volume" (613 with no subcode, 613/1996). */
export const ABUSE_PAUSE_MS = 60 * MINUTE;

/**
 * The throttling errors of meta-graph-api.md §6 and §15, by code and subcode:
 * - 4 (and 341) is the application's limit: it concerns every ad account the app calls;
 * - 613 without a subcode (or 613/1996) is abuse prevention: a long pause and a person's attention;
 * - 613/1487632 (budget changed too often) lasts up to an hour; 613/5044001 (mutations per second)
 *   seconds; the score (17/2446079, 613/1487742) and BUC (80000–80014) limits one ad account.
 * Returns undefined for an error that is not throttling.
 */
export function throttleKind(e: { code?: number; subcode?: number; httpStatus?: number }): ThrottleKind | undefined {
  if (classifyGraphError(e) !== 'throttle') return undefined;
  const account = (defaultWaitMs: number, severity: ThrottleKind['severity'] = 'routine'): ThrottleKind => ({
    scope: 'account',
    severity,
    defaultWaitMs,
  });
  switch (e.code) {
    case 4:
    case 341:
      return { scope: 'app', severity: 'routine', defaultWaitMs: SCORE_BLOCK_MS };
    case 17:
      // Assumption: 17 without the ad-account subcode is the user's limit, and the product calls Meta
      // with one system user token, so it stops every ad account like the app's limit.
      return e.subcode === 2446079
        ? account(SCORE_BLOCK_MS)
        : { scope: 'app', severity: 'routine', defaultWaitMs: SCORE_BLOCK_MS };
    case 613:
      if (e.subcode === 5044001) return account(1000);
      if (e.subcode === 1487632) return account(60 * MINUTE);
      // Assumption: abuse prevention is applied to the ad account called (Meta does not say whether it is
      // wider); a person is asked to look either way.
      if (e.subcode === undefined || e.subcode === 1996) return account(ABUSE_PAUSE_MS, 'alert');
      return account(SCORE_BLOCK_MS);
    default:
      return account(SCORE_BLOCK_MS);
  }
}
