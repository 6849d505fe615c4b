import { GraphError, invalidParameter } from './errors.js';

/**
 * One entry of a `fields=` selection (Graph guide "field-expansion"): a name, an optional
 * `.limit(n)`, and an optional nested selection in braces, e.g. `ads.limit(50){id,name}`.
 */
export interface FieldSpec {
  name: string;
  limit?: number;
  /** the nested selection; undefined when the entry had no braces */
  fields?: FieldSpec[];
}

// Assumption: Graph answers a malformed selection with a 2500 "Syntax error" (the reference lists
// 2500 as the parse error of ad and ad set reads); the exact wording is not documented.
const syntaxError = (raw: string, at: number, expected: string): GraphError =>
  new GraphError(2500, `Syntax error "Expected ${expected}." at character ${at}: ${raw}`);

const NAME = /[A-Za-z0-9_]/;

/** Recursive-descent parser over the raw text; positions are reported 0-based like Graph does. */
class FieldParser {
  private i = 0;
  constructor(private readonly raw: string) {}

  parse(): FieldSpec[] {
    const list = this.list();
    this.space();
    if (this.i < this.raw.length) throw syntaxError(this.raw, this.i, 'end of string');
    return list;
  }

  private space(): void {
    while (this.i < this.raw.length && /\s/.test(this.raw[this.i]!)) this.i++;
  }

  private list(): FieldSpec[] {
    const out: FieldSpec[] = [];
    for (;;) {
      this.space();
      const ch = this.raw[this.i];
      // Empty entries (a trailing comma, `a,,b`) are skipped rather than refused.
      if (ch === ',') {
        this.i++;
        continue;
      }
      if (ch === undefined || ch === '}') return out;
      out.push(this.field());
      this.space();
      if (this.raw[this.i] !== ',') return out;
      this.i++;
    }
  }

  private name(): string {
    const start = this.i;
    while (this.i < this.raw.length && NAME.test(this.raw[this.i]!)) this.i++;
    if (this.i === start) throw syntaxError(this.raw, this.i, 'a field name');
    return this.raw.slice(start, this.i);
  }

  private field(): FieldSpec {
    const spec: FieldSpec = { name: this.name() };
    // Modifiers and the nested selection may come in either order: `ads.limit(5){id}`, `ads{id}.limit(5)`.
    for (;;) {
      this.space();
      const ch = this.raw[this.i];
      if (ch === '.') {
        this.i++;
        this.modifier(spec);
      } else if (ch === '{') {
        if (spec.fields) throw syntaxError(this.raw, this.i, '"," or "}"');
        this.i++;
        spec.fields = this.list();
        this.space();
        if (this.raw[this.i] !== '}') throw syntaxError(this.raw, this.i, '"}"');
        this.i++;
      } else {
        return spec;
      }
    }
  }

  private modifier(spec: FieldSpec): void {
    const name = this.name();
    this.space();
    if (this.raw[this.i] !== '(') throw syntaxError(this.raw, this.i, '"("');
    const close = this.raw.indexOf(')', this.i);
    if (close < 0) throw syntaxError(this.raw, this.raw.length, '")"');
    const arg = this.raw.slice(this.i + 1, close).trim();
    this.i = close + 1;
    if (name !== 'limit') {
      // Graph has more modifiers (summary, as, since...): refuse them rather than pretend to apply them.
      throw invalidParameter(`The simulator supports only the .limit() modifier, not .${name}().`);
    }
    const n = /^\d+$/.test(arg) ? Number(arg) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw invalidParameter(`limit must be a positive integer, not "${arg}".`);
    spec.limit = n;
  }
}

/** Parses `fields=...` into specs; undefined = the caller asked for nothing. */
export function parseFieldSpecs(raw: unknown): FieldSpec[] | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  return new FieldParser(raw).parse();
}

/** Writes specs back as `fields=` text, e.g. for the `next` link of a nested edge. */
export function formatFields(specs: FieldSpec[]): string {
  return specs
    .map(
      (f) =>
        `${f.name}${f.limit !== undefined ? `.limit(${f.limit})` : ''}${f.fields ? `{${formatFields(f.fields)}}` : ''}`,
    )
    .join(',');
}

/**
 * Renders the selected fields of a node: `id` always, unknown or absent fields left out.
 * `get` returns undefined for a field the node does not have.
 */
export function selectFields(
  id: string,
  fields: FieldSpec[] | undefined,
  get: (field: FieldSpec) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = { id };
  for (const f of fields ?? []) {
    if (f.name === 'id') continue;
    const v = get(f);
    if (v !== undefined) out[f.name] = v;
  }
  return out;
}
