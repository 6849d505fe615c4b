/** Parses `fields=a,b,c` (ignoring nested `{...}` selections); undefined = the caller asked for nothing. */
export function parseFields(raw: unknown): string[] | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of raw) {
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else if (depth === 0) cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim().replace(/\..*$/, '')).filter(Boolean);
}

/**
 * Renders the selected fields of a node: `id` always, unknown or absent fields left out.
 * `get` returns undefined for a field the node does not have.
 */
export function selectFields(id: string, fields: string[] | undefined, get: (field: string) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { id };
  for (const f of fields ?? []) {
    if (f === 'id') continue;
    const v = get(f);
    if (v !== undefined) out[f] = v;
  }
  return out;
}
