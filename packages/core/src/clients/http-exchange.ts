import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BodyReadError } from './bounded-body';

/**
 * One HTTP exchange over node:http, for the Graph client's many small JSON answers. fetch (undici)
 * wraps every answer in web streams, an AbortSignal chain and a wasm parser: about a fifth of the
 * worker's CPU per ad set went there. This keeps what the product needs of it and nothing else:
 * no redirect is followed, the caller's signal bounds the whole exchange (headers and body), and the
 * body is counted while it arrives and refused past its cap (see bounded-body.ts for the rules).
 */
export interface HttpAnswer {
  status: number;
  /** The answer's URL (for resolving a relative Location). */
  url: string;
  headers: { get(name: string): string | null };
  /** The body as UTF-8 text, or a BodyReadError ('too-large', 'timeout', 'cut-off'). */
  text(maxBytes: number): Promise<string>;
  /** Drops the body unread (the connection is not reused). */
  discard(): void;
}

export interface HttpExchangeRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** Sent as application/x-www-form-urlencoded. */
  form?: URLSearchParams;
  signal: AbortSignal;
}

/** Kept-alive connections, as fetch keeps them: one TCP (and TLS) handshake per connection, not per call. */
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/** Sends the request; resolves with the answer once its headers are in. Rejects on transport trouble or abort. */
export function httpExchange(req: HttpExchangeRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (req.signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const https = req.url.protocol === 'https:';
    const body = req.form?.toString();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const options = {
      method: req.method,
      headers,
      agent: https ? AGENTS['https:'] : AGENTS['http:'],
      signal: req.signal,
    };
    const onResponse = (res: IncomingMessage) => resolve(answerOf(res, req.url, req.signal));
    const outgoing = https ? httpsRequest(req.url, options, onResponse) : httpRequest(req.url, options, onResponse);
    // After the headers, trouble shows on the answer's body instead (text() reports it).
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function answerOf(res: IncomingMessage, url: URL, signal: AbortSignal): HttpAnswer {
  return {
    status: res.statusCode ?? 0,
    url: url.toString(),
    headers: {
      get: (name) => {
        const v = res.headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    },
    text: (maxBytes) => readBody(res, maxBytes, signal),
    discard: () => res.destroy(),
  };
}

function readBody(res: IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.destroy();
      reject(new BodyReadError('too-large', maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const done = (err?: BodyReadError): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        res.destroy();
        reject(err);
      } else resolve(Buffer.concat(chunks, total).toString('utf8'));
    };
    const onAbort = (): void => done(new BodyReadError('timeout', maxBytes));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) done(new BodyReadError('too-large', maxBytes));
      else chunks.push(chunk);
    });
    res.on('end', () => done());
    res.on('error', () => done(new BodyReadError(signal.aborted ? 'timeout' : 'cut-off', maxBytes)));
    // Closed before its end (a dropped connection): 'end' never comes.
    res.on('close', () => {
      if (!res.complete) done(new BodyReadError(signal.aborted ? 'timeout' : 'cut-off', maxBytes));
    });
  });
}
