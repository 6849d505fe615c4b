import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** Who the request is, for CSRF tokens: the basic-auth user, or `-` when the dashboard runs without auth. */
export function identityOf(res: Response): string {
  return typeof res.locals.user === 'string' ? res.locals.user : '-';
}

/** Hashing both sides first gives equal-length buffers, so neither length nor content leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * HTTP Basic auth. Both comparisons always run (no short-circuit), so a wrong user name takes as
 * long as a wrong password.
 */
export function basicAuth(auth: { user: string; password: string }): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const sep = decoded.indexOf(':');
    const user = sep >= 0 ? decoded.slice(0, sep) : '';
    const password = sep >= 0 ? decoded.slice(sep + 1) : '';
    const userOk = sameSecret(user, auth.user);
    const passwordOk = sameSecret(password, auth.password);
    if (match && sep >= 0 && userOk && passwordOk) {
      res.locals.user = user;
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Basic realm="closrads dashboard", charset="UTF-8"');
    res.status(401).type('text/plain').send('Authentication required\n');
  };
}

/**
 * Without a password the dashboard listens on loopback only; this also refuses requests whose Host
 * is not a loopback name, so a page on another site cannot reach it by DNS rebinding.
 */
export function loopbackHostOnly(): RequestHandler {
  return (req, res, next) => {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host)) {
      next();
      return;
    }
    res.status(421).type('text/plain').send('This dashboard has no password and only answers on a loopback address\n');
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for every state-changing request (Bull Board's PUT/POST API and the Run-now form):
 * a browser sends `Origin` with every POST/PUT/DELETE (and `Sec-Fetch-Site`), so a request from another
 * site is recognisable. Accepted: an Origin (or, lacking it, a Referer) on this host or on
 * DASHBOARD_PUBLIC_URL; or no browser markers at all but an `X-Requested-With` header (scripts with
 * basic auth; a custom header cannot be sent cross-site without a CORS preflight, which we never grant).
 */
export function sameOriginWrites(publicUrl?: string): RequestHandler {
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const site = req.headers['sec-fetch-site'];
    const origin = req.headers.origin ?? refererOrigin(req.headers.referer);
    const host = req.headers.host;
    const ok =
      site !== 'cross-site' &&
      site !== 'same-site' &&
      (origin !== undefined && origin !== 'null'
        ? (publicOrigin !== undefined && origin === publicOrigin) || hostOf(origin) === host
        : req.headers['x-requested-with'] !== undefined);
    if (ok) {
      next();
      return;
    }
    res.status(403).type('text/plain').send('Cross-site request refused\n');
  };
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/**
 * Run-now CSRF token: HMAC of the user's identity with a per-process secret. It cannot be guessed from
 * another site and needs no server-side session; a restart invalidates open forms, which is harmless.
 */
export class CsrfTokens {
  constructor(private readonly secret: Buffer) {}

  issue(identity: string): string {
    return createHmac('sha256', this.secret).update(`run-now\0${identity}`).digest('base64url');
  }

  verify(identity: string, token: unknown): boolean {
    if (typeof token !== 'string' || token.length === 0) return false;
    const expected = Buffer.from(this.issue(identity));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
