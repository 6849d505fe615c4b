import { TILE_COLORS, TILE_COLUMNS, TILE_ROWS, US_TILES, tileStates, type TileState } from '@closrads/core';
import { html, type SafeHtml } from './html';

const TILE = 40;
const GAP = 3;

/**
 * A map of the US states as inline SVG tiles (the same grid as the email's): targeted, added and
 * removed states in the colours of the legend. Scales to the width of a phone; every tile carries a
 * title, so the map reads without colour too.
 */
export function usMap(opts: {
  targeted: readonly string[];
  added?: readonly string[];
  removed?: readonly string[];
  label: string;
}): SafeHtml {
  const states = tileStates(opts.targeted, opts.added, opts.removed);
  const width = TILE_COLUMNS * (TILE + GAP) - GAP;
  const height = TILE_ROWS * (TILE + GAP) - GAP;
  const tiles = US_TILES.map((t) => {
    const state = states.get(t.code) ?? 'off';
    const c = TILE_COLORS[state];
    const x = t.col * (TILE + GAP);
    const y = t.row * (TILE + GAP);
    return html`<g class="tile ${state}" data-state="${t.code}"><title>${t.code}: ${c.label}</title><rect x="${x}" y="${y}" width="${TILE}" height="${TILE}" rx="4" fill="${c.bg}"${state === 'removed' ? html` stroke="#991b1b" stroke-width="2" stroke-dasharray="4 3"` : ''}></rect><text x="${x + TILE / 2}" y="${y + TILE / 2 + 5}" text-anchor="middle" font-size="14" font-weight="700" font-family="system-ui,sans-serif" fill="${c.fg}">${t.code}</text></g>`;
  });
  const used = new Set(states.values());
  const legend = (['targeted', 'added', 'removed', 'off'] as TileState[]).filter((s) => s === 'off' || used.has(s));
  return html`<figure class="usmap">
<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${opts.label}" preserveAspectRatio="xMidYMid meet">${tiles}</svg>
<figcaption class="small">${legend.map((s) => html`<span class="key"><span class="swatch" style="background:${TILE_COLORS[s].bg}"></span>${TILE_COLORS[s].label}</span> `)}</figcaption>
</figure>`;
}
