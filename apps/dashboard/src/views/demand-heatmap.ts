import type { DemandDay } from '@closrads/core';
import { html, type SafeHtml } from './html';

const CELL = 14;
const GAP = 2;
const LABEL_W = 30;
const HEADER_H = 34;

/** White to deep blue; a square root so small demands still show against one big state. */
function shade(value: number, max: number): string {
  if (value <= 0 || max <= 0) return '#f1f3f6';
  const t = Math.sqrt(value / max);
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  return `rgb(${mix(219, 23)},${mix(234, 60)},${mix(254, 140)})`;
}

/**
 * States × days of a campaign's demand as inline SVG: one row per state that had demand in the
 * window, one column per UTC day (oldest left), each cell the day's highest demand. Days before the
 * first reading are hatched grey. Scrolls sideways on a phone.
 */
export function demandHeatmap(days: readonly DemandDay[]): SafeHtml {
  const codes = [
    ...new Set(
      days.flatMap((d) =>
        Object.entries(d.demand ?? {})
          .filter(([, n]) => n > 0)
          .map(([c]) => c),
      ),
    ),
  ].sort();
  if (codes.length === 0)
    return html`<p class="small">No demand recorded in these ${days.length} days yet: it is recorded from every run and demand check.</p>`;
  const max = Math.max(...days.flatMap((d) => Object.values(d.demand ?? {})));
  const width = LABEL_W + days.length * (CELL + GAP);
  const height = HEADER_H + codes.length * (CELL + GAP);
  const header = days.map((d, i) =>
    (i % 7 === 0 && i < days.length - 4) || i === days.length - 1
      ? html`<text x="${LABEL_W + i * (CELL + GAP)}" y="${HEADER_H - 8}" font-size="10" fill="#5b6472" transform="rotate(-35 ${LABEL_W + i * (CELL + GAP)} ${HEADER_H - 8})">${d.day.slice(5)}</text>`
      : '',
  );
  const rows = codes.map((code, r) => {
    const y = HEADER_H + r * (CELL + GAP);
    const cells = days.map((d, i) => {
      const x = LABEL_W + i * (CELL + GAP);
      if (!d.demand)
        return html`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" fill="#e6e8ec" opacity="0.5"><title>${code} ${d.day}: no reading yet</title></rect>`;
      const value = d.demand[code] ?? 0;
      return html`<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" rx="2" fill="${shade(value, max)}"><title>${code} ${d.day}: ${value}</title></rect>`;
    });
    return html`<g data-state="${code}"><text x="0" y="${y + CELL - 3}" font-size="11" font-family="ui-monospace,monospace" fill="#1d2430">${code}</text>${cells}</g>`;
  });
  return html`<div class="scroll heatmap"><svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Demand per state and day, ${days.length} days">${header}${rows}</svg></div>
<p class="small"><span class="key"><span class="swatch" style="background:${shade(0, 1)}"></span>no demand</span> <span class="key"><span class="swatch" style="background:${shade(max / 4, max)}"></span>low</span> <span class="key"><span class="swatch" style="background:${shade(max, max)}"></span>${max} (highest)</span> · each cell is the day's highest demand (UTC)</p>`;
}
