import { createHmac, timingSafeEqual } from 'node:crypto';
import { appsecretProof } from '../proof.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { GraphSettings } from '../types.js';
import { GraphError } from './errors.js';

// Timed proofs (hmac of `token|time`) are valid this long, as Meta documents for appsecret_time.
const TIMED_PROOF_WINDOW_S = 300;

/**
 * The token from `access_token` (query or body) or an `Authorization: Bearer` header.
 * Assumption: Bearer is accepted (Meta documents only the parameter; some clients send the header).
 */
export function tokenOf(
  query: Record<string, string>,
  body: Record<string, unknown>,
  headers: IncomingHttpHeaders,
): string | undefined {
  if (query.access_token) return query.access_token;
  if (typeof body.access_token === 'string') return body.access_token;
  const auth = headers.authorization;
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return m?.[1]?.trim();
}

export function checkToken(g: GraphSettings, token: string | undefined): void {
  if (token !== g.accessToken) {
    throw new GraphError(190, 'Invalid OAuth access token - Cannot parse access token', { subcode: 467 });
  }
  if (g.tokenExpired) {
    throw new GraphError(
      190,
      'Error validating access token: Session has expired on Tuesday, 21-Apr-26 09:00:00 PDT.',
      { subcode: 463 },
    );
  }
}

const hmac = (secret: string, msg: string): string => createHmac('sha256', secret).update(msg).digest('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Classic proof hex(HMAC(secret, token)), or the timed one with `appsecret_time`. */
export function checkProof(g: GraphSettings, token: string, proof: unknown, time: unknown): void {
  if (!g.appSecret) return;
  if (typeof proof !== 'string' || proof === '') {
    throw new GraphError(100, 'API calls from the server require an appsecret_proof argument');
  }
  let ok: boolean;
  if (time !== undefined && time !== '') {
    const t = Number(time);
    ok =
      Number.isFinite(t) &&
      Math.abs(Date.now() / 1000 - t) <= TIMED_PROOF_WINDOW_S &&
      same(proof, hmac(g.appSecret, `${token}|${String(time)}`));
  } else {
    ok = same(proof, appsecretProof(g.appSecret, token));
  }
  if (!ok) throw new GraphError(100, 'Invalid appsecret_proof provided in the API argument');
}
