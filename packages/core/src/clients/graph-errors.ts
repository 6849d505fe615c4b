import type { GraphErrorClass } from '../errors';

const THROTTLE_CODES = new Set([4, 17, 32, 341, 613]);
const AUTH_CODES = new Set([190, 102]);
const PERMISSION_CODES = new Set([10, 3]);

/**
 * How to react to a Graph API error, decided by Meta's error code (never by HTTP status alone):
 * transient errors are retried with backoff, throttling waits for the time Meta gives, and auth,
 * permission and invalid-request errors fail at once.
 */
export function classifyGraphError(e: { code?: number; subcode?: number; isTransient?: boolean; httpStatus?: number }): GraphErrorClass {
  const code = e.code;
  if (code !== undefined) {
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
