import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DEFAULT_REGION_KEYS_FILE,
  GraphClient,
  RegionTable,
  errorMessage,
  type FbRegion,
  exitAfterFlush,
  parseCommand,
  startProcess,
} from '@closrads/core';

/**
 * `pnpm region-keys [--out PATH] [--dry-run]`: regenerates data/fb_region_keys.json from the Graph
 * targeting search, one call per state name, and shows what changed. It refuses to write anything
 * that is not exactly the 50 states and DC, each found once, with unique numeric keys.
 */

/** USPS code → the region name Meta uses. */
export const STATE_NAMES: Readonly<Record<string, string>> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  DC: 'Washington D. C.',
  FL: 'Florida',
  GA: 'Georgia',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PA: 'Pennsylvania',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
};

/**
 * DC's name differs between Meta's surfaces ("Washington D. C.", "District of Columbia"…), so it is
 * searched as "Washington" and recognised by its long-standing key rather than by name.
 */
export const DC_KEY = '3851';
const DC_QUERY = 'Washington';

export type RegionKeyTable = Record<string, FbRegion>;

export interface RegenerateResult {
  /** 0 written (or, with dryRun, would be written); 1 refused. */
  code: 0 | 1;
  table?: RegionKeyTable;
  problems: string[];
  diff: string[];
  written: boolean;
}

type Search = Pick<GraphClient, 'searchRegions'>;

/** Looks every state up and builds the table, or lists every problem found. */
export async function fetchRegionTable(graph: Search): Promise<{ table: RegionKeyTable; problems: string[] }> {
  const table: RegionKeyTable = {};
  const problems: string[] = [];
  for (const [usps, name] of Object.entries(STATE_NAMES)) {
    const results = (await graph.searchRegions(usps === 'DC' ? DC_QUERY : name)).filter(
      (r) => (r.country_code ?? 'US').toUpperCase() === 'US',
    );
    const matches =
      usps === 'DC'
        ? results.filter((r) => r.key === DC_KEY)
        : results.filter((r) => r.name.trim().toLowerCase() === name.toLowerCase());
    const found = matches[0];
    if (!found || matches.length > 1) {
      const seen = results.map((r) => `${r.name} (${r.key})`).join(', ') || 'nothing';
      problems.push(
        `${usps}: ${matches.length > 1 ? `${matches.length} regions` : 'no region'} named "${usps === 'DC' ? `key ${DC_KEY}` : name}" in the search results (got ${seen})`,
      );
      continue;
    }
    table[usps] = { key: found.key, name: found.name.trim(), country: 'US' };
  }
  problems.push(...tableProblems(table));
  return { table: sortTable(table), problems };
}

/** The checks a table must pass before it is written: 51 known states, numeric unique keys. */
export function tableProblems(table: RegionKeyTable): string[] {
  const problems: string[] = [];
  const codes = Object.keys(table);
  if (codes.length !== 51) problems.push(`the table has ${codes.length} entries instead of 51 (50 states and DC)`);
  for (const code of codes) if (!(code in STATE_NAMES)) problems.push(`${code} is not a US state code`);
  const byKey = new Map<string, string>();
  for (const [code, r] of Object.entries(table)) {
    if (!/^\d+$/.test(r.key)) problems.push(`${code}: key "${r.key}" is not numeric`);
    const other = byKey.get(r.key);
    if (other) problems.push(`${code} and ${other} have the same key ${r.key}`);
    byKey.set(r.key, code);
  }
  return problems;
}

/** Human-readable differences between the table on disk (if any) and the new one. */
export function diffTables(before: RegionKeyTable | undefined, after: RegionKeyTable): string[] {
  if (!before) return Object.entries(after).map(([code, r]) => `+ ${code}  ${r.key}  ${r.name}`);
  const lines: string[] = [];
  for (const code of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[code];
    const b = after[code];
    if (a && !b) lines.push(`- ${code}  ${a.key}  ${a.name}`);
    else if (!a && b) lines.push(`+ ${code}  ${b.key}  ${b.name}`);
    else if (a && b) {
      if (a.key !== b.key) lines.push(`~ ${code}  key ${a.key} → ${b.key}  (${b.name})`);
      if (a.name !== b.name) lines.push(`~ ${code}  name "${a.name}" → "${b.name}"`);
      if (a.country !== b.country) lines.push(`~ ${code}  country ${a.country} → ${b.country}`);
    }
  }
  return lines;
}

export function renderTable(table: RegionKeyTable): string {
  return `${JSON.stringify(sortTable(table), null, 2)}\n`;
}

function sortTable(table: RegionKeyTable): RegionKeyTable {
  return Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
}

function readExisting(path: string): RegionKeyTable | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RegionKeyTable;
  } catch {
    return undefined;
  }
}

/**
 * Fetches, checks, diffs and (unless dryRun) writes the table to `out`. The file is written to a
 * temporary name, loaded back with the product's own validation, then renamed over `out`.
 */
export async function regenerate(opts: {
  graph: Search;
  out: string;
  dryRun: boolean;
  print: (line: string) => void;
}): Promise<RegenerateResult> {
  const { table, problems } = await fetchRegionTable(opts.graph);
  const shown = relative(process.cwd(), opts.out) || opts.out;
  if (problems.length > 0) {
    opts.print(`region-keys: refusing to write ${shown}:`);
    for (const p of problems) opts.print(`  - ${p}`);
    return { code: 1, problems, diff: [], written: false };
  }
  const before = readExisting(opts.out);
  const diff = diffTables(before, table);
  if (diff.length === 0) opts.print(`region-keys: no change against ${shown}`);
  else {
    opts.print(
      `region-keys: ${diff.length} change${diff.length === 1 ? '' : 's'} against ${before ? shown : `${shown} (new file)`}:`,
    );
    for (const line of diff) opts.print(`  ${line}`);
  }
  if (opts.dryRun) {
    opts.print('region-keys: dry run, nothing written');
    return { code: 0, table, problems: [], diff, written: false };
  }
  const tmp = `${opts.out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, renderTable(table));
    RegionTable.load(tmp);
    renameSync(tmp, opts.out);
  } catch (err) {
    rmSync(tmp, { force: true });
    opts.print(`region-keys: refusing to write ${shown}: ${errorMessage(err)}`);
    return { code: 1, table, problems: [errorMessage(err)], diff, written: false };
  }
  opts.print(`region-keys: wrote ${shown}`);
  return { code: 0, table, problems: [], diff, written: true };
}

async function main(): Promise<void> {
  const args = parseCommand({
    name: 'region-keys',
    usage: 'pnpm region-keys [--out PATH] [--dry-run]',
    summary:
      "Regenerates data/fb_region_keys.json from the Graph API's targeting search (one call per state name,\n" +
      'needs FB_ACCESS_TOKEN) and shows what changed. It writes nothing when a state is missing or ambiguous.',
    options: {
      out: { type: 'string', value: 'PATH', help: 'write the table here instead of data/fb_region_keys.json' },
      'dry-run': { type: 'boolean', help: 'show the differences, write nothing' },
    },
    exitCodes: [
      [0, 'the table was written (or, with --dry-run, would be)'],
      [1, 'the search failed or its answer was refused; nothing written'],
      [2, 'invalid usage or configuration'],
    ],
  }).values;
  const { config, logger } = await startProcess({ name: 'region-keys', sections: ['facebook'], logTo: 'stderr' });
  const graph = new GraphClient(config.facebook, { logger });
  const out = args.out ? resolve(process.cwd(), args.out) : fileURLToPath(DEFAULT_REGION_KEYS_FILE);
  let code: number;
  try {
    code = (
      await regenerate({
        graph,
        out,
        dryRun: args['dry-run'] === true,
        print: (line) => process.stdout.write(`${line}\n`),
      })
    ).code;
  } catch (err) {
    process.stderr.write(`region-keys: the Graph search failed, nothing written: ${errorMessage(err)}\n`);
    code = 1;
  }
  logger.flush();
  exitAfterFlush(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) void main();
