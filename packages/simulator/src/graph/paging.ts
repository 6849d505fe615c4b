import { invalidParameter } from './errors.js';
import { param, type GraphContext } from './context.js';

const DEFAULT_LIMIT = 25;
// Parameters copied into absolute paging links, so a client can GET `next` as is (the Node SDK does).
const CARRIED = ['fields', 'effective_status', 'filtering', 'appsecret_proof', 'appsecret_time'];

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

function link(ctx: GraphContext, limit: number, cursor: { after?: string; before?: string }): string {
  const url = new URL(`${ctx.origin}/graph/${ctx.version}/${ctx.objectId}${ctx.edge ? `/${ctx.edge}` : ''}`);
  if (ctx.token) url.searchParams.set('access_token', ctx.token);
  for (const name of CARRIED) {
    const v = param(ctx, name);
    if (typeof v === 'string') url.searchParams.set(name, v);
  }
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
