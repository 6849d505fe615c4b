import { errorMessage, type GraphClient } from '@closrads/core';
import type { CheckResult } from './api-versions';

/** What a sync needs from the token: it writes targeting and ad statuses. */
const REQUIRED_SCOPE = 'ads_management';

/** Tokens that expire within this long are reported as failing: the next runs would fail. */
const EXPIRY_MARGIN_MS = 7 * 24 * 3600 * 1000;

/**
 * The token's validity, type, expiry and scopes, from `debug_token`. When Meta does not answer
 * debug_token for this token (it needs an app token or an app developer's token), `/me` still proves
 * the token works, but its scopes are unknown: a warning, never a silent pass.
 */
export async function checkToken(
  graph: Pick<GraphClient, 'debugToken' | 'me'>,
  now = Date.now(),
): Promise<CheckResult> {
  let data: Record<string, unknown>;
  try {
    data = await graph.debugToken();
  } catch (err) {
    const me = await graph.me();
    return {
      status: 'warn',
      detail: `accepted (as ${me.name ?? me.id}), but type and scopes are unknown: debug_token failed (${errorMessage(err)}); check that the token has ${REQUIRED_SCOPE}`,
    };
  }
  if (data.is_valid !== true) {
    return {
      status: 'fail',
      detail: 'the token is invalid or expired: issue a new System User token and set FB_ACCESS_TOKEN',
    };
  }
  const type = typeof data.type === 'string' ? data.type : 'unknown type';
  const scopes = scopesOf(data);
  if (!scopes.includes(REQUIRED_SCOPE)) {
    return {
      status: 'fail',
      detail: `the ${type} token lacks the ${REQUIRED_SCOPE} permission (scopes: ${scopes.join(', ') || 'none'})`,
    };
  }
  const expiresAt = Number(data.expires_at ?? 0);
  const expiry = expiresAt === 0 ? 'never expires' : `expires ${new Date(expiresAt * 1000).toISOString()}`;
  if (expiresAt !== 0 && expiresAt * 1000 < now + EXPIRY_MARGIN_MS) {
    return { status: 'fail', detail: `the ${type} token ${expiry}: issue a new System User token soon` };
  }
  const advice =
    type === 'SYSTEM_USER'
      ? ''
      : ' (a System User token is recommended for a server: it does not expire with a person)';
  return {
    status: 'pass',
    detail: `valid ${type} token, ${expiry}, has ${REQUIRED_SCOPE}; scopes: ${scopes.join(', ')}${advice}`,
  };
}

/** `scopes`, completed with `granular_scopes[].scope` (some tokens list only the latter). */
function scopesOf(data: Record<string, unknown>): string[] {
  const flat = Array.isArray(data.scopes) ? data.scopes.filter((s): s is string => typeof s === 'string') : [];
  const granular = Array.isArray(data.granular_scopes)
    ? data.granular_scopes
        .map((g) => (g as { scope?: unknown }).scope)
        .filter((s): s is string => typeof s === 'string')
    : [];
  return [...new Set([...flat, ...granular])];
}
