import { invalidParameter } from './errors.js';
import { param, type GraphContext } from './context.js';

function parseList(raw: unknown): string[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (Array.isArray(raw)) return raw.map(String);
  const text = String(raw).trim();
  if (text.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(text);
      if (Array.isArray(v)) return v.map(String);
    } catch {
      /* fall through to the error below */
    }
    throw invalidParameter('effective_status must be a JSON list of statuses.');
  }
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `filtering=[{"field":"effective_status","operator":"IN","value":[...]}]`, the other common form.
 * Assumption: edges accept it (public clients use it; Meta's edge pages do not list it).
 */
function fromFiltering(raw: unknown): string[] | undefined {
  if (typeof raw !== 'string' || !raw) return undefined;
  let rules: unknown;
  try {
    rules = JSON.parse(raw);
  } catch {
    throw invalidParameter('filtering must be a JSON list.');
  }
  if (!Array.isArray(rules)) return undefined;
  for (const r of rules as Array<Record<string, unknown>>) {
    if (r.field === 'effective_status' && r.operator === 'IN' && Array.isArray(r.value)) return r.value.map(String);
  }
  return undefined;
}

/**
 * The edge status filter: the listed effective statuses, or (when none given) everything except
 * DELETED and ARCHIVED. Naming DELETED is refused, as on the real API.
 */
export function statusFilter(ctx: GraphContext): (effectiveStatus: string) => boolean {
  const list = parseList(param(ctx, 'effective_status')) ?? fromFiltering(param(ctx, 'filtering'));
  if (!list) return (s) => s !== 'DELETED' && s !== 'ARCHIVED';
  if (list.includes('DELETED')) throw invalidParameter('Deleted objects can only be read by their own ID.');
  const wanted = new Set(list);
  return (s) => wanted.has(s);
}
