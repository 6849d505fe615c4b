/**
 * A tiny HTML templating helper: every interpolated value is escaped unless it is already `SafeHtml`
 * (the output of another `html` template). Ad set names, errors and campaign names are user data, so
 * escaping by default is the only safe default.
 */

import { escapeHtml } from '@closrads/notify';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Marks trusted markup (constants written in this code base only). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
