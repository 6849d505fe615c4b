import { invalidParameter } from './errors.js';
import { param, type GraphContext } from './context.js';

// Assumption: 25 when no limit is given (every Meta doc example shows limit=25; not documented).
const DEFAULT_LIMIT = 25;
// Parameters copied into absolute paging links, so a client can GET `next` as is (the Node SDK does).
const CARRIED = ['fields', 'effective_status', 'filtering', 'appsecret_proof', 'appsecret_time'];

// Assumption: a cursor names its item, so asked again later it answers the items after that item as
// they are then (Meta's cursors are opaque; Meta only says they go invalid when their item is deleted).
export function encodeCursor(id: string): string {
  return Buffer.from(`sim-cursor:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): string | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return text.startsWith('sim-cursor:') ? text.slice('sim-cursor:'.length) : undefined;
}

function positionOf<T>(items: T[], idOf: (t: T) => string, cursor: string): number {
  const id = decodeCursor(cursor);
  const pos = id === undefined ? -1 : items.findIndex((t) => idOf(t) === id);
  // Like Graph, a cursor whose item is gone is no longer valid.
  if (pos < 0) throw invalidParameter('The cursor is invalid or its item no longer exists.');
  return pos;
}

/** An absolute link to `/{version}/{path}` on this simulator, carrying the caller's token. */
function linkTo(ctx: GraphContext, path: string, params: Record<string, string>): URL {
  const url = new URL(`${ctx.origin}/graph/${ctx.version}/${path}`);
  if (ctx.token) url.searchParams.set('access_token', ctx.token);
  for (const [name, v] of Object.entries(params)) url.searchParams.set(name, v);
  return url;
}

function link(ctx: GraphContext, limit: number, cursor: { after?: string; before?: string }): string {
  const carried: Record<string, string> = {};
  for (const name of CARRIED) {
    const v = param(ctx, name);
    if (typeof v === 'string') carried[name] = v;
  }
  const url = linkTo(ctx, `${ctx.objectId}${ctx.edge ? `/${ctx.edge}` : ''}`, carried);
  url.searchParams.set('limit', String(limit));
  if (cursor.after) url.searchParams.set('after', cursor.after);
  if (cursor.before) url.searchParams.set('before', cursor.before);
  return url.toString();
}

/** One page of `items` in Graph's cursor envelope. Page size = min(limit, pageCap). */
export function paginate<T>(
  ctx: GraphContext,
  items: T[],
  idOf: (t: T) => string,
  render: (t: T) => unknown,
): Record<string, unknown> {
  const requested = Number.parseInt(String(param(ctx, 'limit') ?? ''), 10);
  const limit = Number.isFinite(requested) && requested > 0 ? requested : DEFAULT_LIMIT;
  const size = Math.max(1, Math.min(limit, ctx.state.graph.pageCap));
  const after = param(ctx, 'after');
  const before = param(ctx, 'before');
  let start = 0;
  if (typeof after === 'string' && after) start = positionOf(items, idOf, after) + 1;
  else if (typeof before === 'string' && before) start = Math.max(0, positionOf(items, idOf, before) - size);
  const page = items.slice(start, start + size);
  const first = page[0];
  const last = page[page.length - 1];
  if (first === undefined || last === undefined) return { data: [] };
  const cursors = { before: encodeCursor(idOf(first)), after: encodeCursor(idOf(last)) };
  const paging: Record<string, unknown> = { cursors };
  if (start > 0) paging.previous = link(ctx, limit, { before: cursors.before });
  if (start + size < items.length) paging.next = link(ctx, limit, { after: cursors.after });
  return { data: page.map(render), paging };
}

/**
 * The first page of an edge expanded inside another node's fields (`ads.limit(50){...}`): the same
 * envelope as an edge call, with `next` pointing at the edge itself (`/{parent}/{edge}`) and carrying
 * the nested selection as its `fields`.
 */
export function nestedPage<T>(
  ctx: GraphContext,
  edgePath: string,
  items: T[],
  limit: number,
  subfields: string | undefined,
  idOf: (t: T) => string,
  render: (t: T) => unknown,
): Record<string, unknown> {
  const page = items.slice(0, limit);
  const first = page[0];
  const last = page[page.length - 1];
  // Assumption: an empty expanded edge answers `{"data":[]}`. Graph may leave the field out instead;
  // clients should read a missing edge as "unknown", never as "no ads".
  if (first === undefined || last === undefined) return { data: [] };
  const cursors = { before: encodeCursor(idOf(first)), after: encodeCursor(idOf(last)) };
  const paging: Record<string, unknown> = { cursors };
  if (items.length > limit) {
    const carried: Record<string, string> = {};
    for (const name of ['appsecret_proof', 'appsecret_time']) {
      const v = param(ctx, name);
      if (typeof v === 'string') carried[name] = v;
    }
    if (subfields) carried.fields = subfields;
    const url = linkTo(ctx, edgePath, carried);
    url.searchParams.set('limit', String(limit));
    url.searchParams.set('after', cursors.after);
    paging.next = url.toString();
  }
  return { data: page.map(render), paging };
}
