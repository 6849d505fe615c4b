/**
 * A tile grid of the 50 states and DC: one equal square per state, placed roughly where it lies. Both
 * the dashboard's SVG map and the email's table map draw from it, so they always agree.
 */
const ROWS: Array<Array<[number, string]>> = [
  [
    [0, 'AK'],
    [10, 'ME'],
  ],
  [
    [9, 'VT'],
    [10, 'NH'],
  ],
  [
    [0, 'WA'],
    [1, 'ID'],
    [2, 'MT'],
    [3, 'ND'],
    [4, 'MN'],
    [5, 'IL'],
    [6, 'WI'],
    [7, 'MI'],
    [8, 'NY'],
    [9, 'RI'],
    [10, 'MA'],
  ],
  [
    [0, 'OR'],
    [1, 'NV'],
    [2, 'WY'],
    [3, 'SD'],
    [4, 'IA'],
    [5, 'IN'],
    [6, 'OH'],
    [7, 'PA'],
    [8, 'NJ'],
    [9, 'CT'],
  ],
  [
    [0, 'CA'],
    [1, 'UT'],
    [2, 'CO'],
    [3, 'NE'],
    [4, 'MO'],
    [5, 'KY'],
    [6, 'WV'],
    [7, 'VA'],
    [8, 'MD'],
    [9, 'DE'],
  ],
  [
    [1, 'AZ'],
    [2, 'NM'],
    [3, 'KS'],
    [4, 'AR'],
    [5, 'TN'],
    [6, 'NC'],
    [7, 'SC'],
    [8, 'DC'],
  ],
  [
    [3, 'OK'],
    [4, 'LA'],
    [5, 'MS'],
    [6, 'AL'],
    [7, 'GA'],
  ],
  [
    [0, 'HI'],
    [3, 'TX'],
    [8, 'FL'],
  ],
];

export const TILE_COLUMNS = 11;
export const TILE_ROWS = ROWS.length;

export interface Tile {
  code: string;
  col: number;
  row: number;
}

export const US_TILES: readonly Tile[] = ROWS.flatMap((cells, row) => cells.map(([col, code]) => ({ code, col, row })));

/** How a state stands on a map of a run or a campaign. */
export type TileState = 'targeted' | 'added' | 'removed' | 'off';

/** Each tile state's colours and name, the same on the dashboard's map and in the email's. */
export const TILE_COLORS: Record<TileState, { bg: string; fg: string; label: string }> = {
  targeted: { bg: '#1d4ed8', fg: '#ffffff', label: 'targeted' },
  added: { bg: '#15803d', fg: '#ffffff', label: 'added' },
  removed: { bg: '#fecaca', fg: '#991b1b', label: 'removed' },
  off: { bg: '#eef0f3', fg: '#9ca3af', label: 'not targeted' },
};

/**
 * Each state's standing: `added` (targeted now, new in this run), `removed` (no longer targeted),
 * `targeted` (targeted before and now), `off`.
 */
export function tileStates(
  targeted: readonly string[],
  added: readonly string[] = [],
  removed: readonly string[] = [],
): Map<string, TileState> {
  const out = new Map<string, TileState>();
  const on = new Set(targeted);
  const plus = new Set(added);
  const minus = new Set(removed);
  for (const t of US_TILES) {
    out.set(
      t.code,
      plus.has(t.code)
        ? 'added'
        : minus.has(t.code) && !on.has(t.code)
          ? 'removed'
          : on.has(t.code)
            ? 'targeted'
            : 'off',
    );
  }
  return out;
}

/** Outcomes whose added and removed states reached Facebook (or would have, in a dry run). */
const APPLIED = new Set(['updated', 'would_update']);

/** The states a campaign's run added and removed, over the ad sets it changed (ad sets may differ). */
export function campaignChanges(
  adsets: ReadonlyArray<{ outcome: string; added: readonly string[]; removed: readonly string[] }>,
): { added: string[]; removed: string[] } {
  const added = new Set<string>();
  const removed = new Set<string>();
  for (const a of adsets) {
    if (!APPLIED.has(a.outcome)) continue;
    for (const s of a.added) added.add(s);
    for (const s of a.removed) removed.add(s);
  }
  return { added: [...added].sort(), removed: [...removed].sort() };
}
