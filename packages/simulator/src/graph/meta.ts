import { REGIONS } from '../region-table.js';
import { param, type GraphContext, type GraphResult } from './context.js';
import { invalidParameter } from './errors.js';

export const SIM_USER_ID = '100000000000001';
const APP_ID = '1000000000000001';
// 2026-04-21 09:00 PDT, the moment the expired-token message names.
const EXPIRED_AT = Math.floor(Date.UTC(2026, 3, 21, 16, 0, 0) / 1000);
const ISSUED_AT = Math.floor(Date.UTC(2026, 0, 5, 12, 0, 0) / 1000);

/** GET /debug_token?input_token=T — describes T (falls back to the caller's own token). */
export function debugToken(ctx: GraphContext): GraphResult {
  const g = ctx.state.graph;
  const input = String(param(ctx, 'input_token') ?? ctx.token ?? '');
  const base = { app_id: APP_ID, type: 'SYSTEM_USER', application: 'closrads-sim' };
  if (input !== g.accessToken) {
    return {
      body: {
        data: {
          ...base,
          is_valid: false,
          scopes: [],
          error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token', subcode: 467 },
        },
      },
    };
  }
  if (g.tokenExpired) {
    return {
      body: {
        data: {
          ...base,
          expires_at: EXPIRED_AT,
          is_valid: false,
          issued_at: ISSUED_AT,
          scopes: g.tokenScopes,
          user_id: SIM_USER_ID,
          error: {
            code: 190,
            message: 'Error validating access token: Session has expired on Tuesday, 21-Apr-26 09:00:00 PDT.',
            subcode: 463,
          },
        },
      },
    };
  }
  return {
    body: {
      data: {
        ...base,
        expires_at: 0,
        is_valid: true,
        issued_at: ISSUED_AT,
        scopes: g.tokenScopes,
        user_id: SIM_USER_ID,
      },
    },
  };
}

/** GET /me */
export function me(): GraphResult {
  return { body: { id: SIM_USER_ID, name: 'closrads-sim system user' } };
}

function listParam(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const text = String(raw);
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v)) return v.map(String);
  } catch {
    /* plain comma list */
  }
  return text.split(',').map((s) => s.trim());
}

/** GET /search?type=adgeolocation — US regions only, q matched as a case-insensitive substring. */
export function search(ctx: GraphContext): GraphResult {
  if (param(ctx, 'type') !== 'adgeolocation') {
    throw invalidParameter('The simulator only supports type=adgeolocation.');
  }
  const types = listParam(param(ctx, 'location_types'));
  const country = param(ctx, 'country_code');
  if ((types && !types.includes('region')) || (country !== undefined && String(country).toUpperCase() !== 'US')) {
    return { body: { data: [] } };
  }
  const q = String(param(ctx, 'q') ?? '')
    .trim()
    .toLowerCase();
  const limit = Number.parseInt(String(param(ctx, 'limit') ?? ''), 10);
  const data = REGIONS.filter((r) => r.name.toLowerCase().includes(q)).map((r) => ({
    key: r.key,
    name: r.name,
    type: 'region',
    country_code: 'US',
    country_name: 'United States',
    supports_region: true,
    supports_city: true,
  }));
  return { body: { data: Number.isFinite(limit) && limit > 0 ? data.slice(0, limit) : data } };
}
