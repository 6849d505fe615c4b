import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY = 20 * 1024 * 1024;

export async function readRaw(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Multipart fields only (no files); enough for `curl -F targeting=...` style clients. */
function parseMultipart(raw: string, contentType: string): Record<string, unknown> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  const out: Record<string, unknown> = {};
  if (!boundary) return out;
  for (const part of raw.split(`--${boundary}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) continue;
    out[name] = part.slice(sep + 4).replace(/\r\n$/, '');
  }
  return out;
}

/**
 * Parses a request body by content type: JSON, urlencoded or multipart. Values are left as sent
 * (a form `targeting` stays a JSON string, a JSON body's `targeting` may be an object).
 * An unparseable JSON body yields `{ __invalid: raw }` so the caller can answer with an API error;
 * a JSON array body yields `{ __array: [...] }` (the admin fault route takes one).
 */
export function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('application/json')) {
    try {
      const v: unknown = JSON.parse(raw);
      if (Array.isArray(v)) return { __array: v };
      return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    } catch {
      return { __invalid: raw };
    }
  }
  if (ct.includes('multipart/form-data')) return parseMultipart(raw, contentType ?? '');
  return Object.fromEntries(new URLSearchParams(raw));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=UTF-8',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
