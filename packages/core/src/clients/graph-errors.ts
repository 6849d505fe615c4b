import type { GraphApiError, GraphErrorClass } from '../errors';

const THROTTLE_CODES = new Set([4, 17, 32, 341, 613]);
const AUTH_CODES = new Set([190, 102]);
const PERMISSION_CODES = new Set([10, 3]);

/**
 * How to react to a Graph API error, decided by Meta's error code (never by HTTP status alone):
 * transient errors are retried with backoff, throttling waits for the time Meta gives, and auth,
 * permission and invalid-request errors fail at once.
 */
export function classifyGraphError(e: { code?: number; subcode?: number; isTransient?: boolean; httpStatus?: number; message?: string }): GraphErrorClass {
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
