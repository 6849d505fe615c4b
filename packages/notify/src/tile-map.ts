/**
 * The email's map of a campaign's states: a table of tiles with inline styles, which every mail
 * client renders (no image, no SVG, no script, no class). Readable on a phone: 11 columns of 22 px.
 */
import { TILE_COLORS, TILE_COLUMNS, TILE_ROWS, US_TILES, tileStates } from '@closrads/core';

const FONT = 'Arial,Helvetica,sans-serif';

export function renderTileMapTable(opts: {
  targeted: readonly string[];
  added?: readonly string[];
  removed?: readonly string[];
}): string {
  const states = tileStates(opts.targeted, opts.added, opts.removed);
  const grid: Array<Array<string | undefined>> = Array.from({ length: TILE_ROWS }, () =>
    Array<string | undefined>(TILE_COLUMNS).fill(undefined),
  );
  for (const t of US_TILES) grid[t.row]![t.col] = t.code;
  const rows = grid
    .map(
      (cells) =>
        `<tr>${cells
          .map((code) => {
            if (!code) return `<td width="22" height="20" style="width:22px;height:20px;padding:0;"></td>`;
            const c = TILE_COLORS[states.get(code) ?? 'off'];
            const strike = states.get(code) === 'removed' ? 'text-decoration:line-through;' : '';
            return `<td width="22" height="20" align="center" valign="middle" title="${code} ${c.label}" style="width:22px;height:20px;padding:0;background-color:${c.bg};color:${c.fg};font-family:${FONT};font-size:9px;line-height:20px;font-weight:bold;${strike}">${code}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('');
  const used = new Set(states.values());
  const legend = (['targeted', 'added', 'removed'] as const)
    .filter((s) => used.has(s))
    .map(
      (s) =>
        `<span style="display:inline-block;margin-right:10px;"><span style="display:inline-block;width:10px;height:10px;background-color:${TILE_COLORS[s].bg};"></span> ${TILE_COLORS[s].label}</span>`,
    )
    .join('');
  return (
    `<table role="presentation" cellpadding="0" cellspacing="2" border="0" style="margin:10px 0 0;border-collapse:separate;">${rows}</table>` +
    (legend
      ? `<p style="margin:4px 0 0;font-family:${FONT};font-size:11px;line-height:16px;color:#6b7280;">${legend}</p>`
      : '')
  );
}
