import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGION_KEYS_FILE, RegionTable, type FbRegion } from '../../src/region-keys';
import { casedCode, USPS } from './arbitraries';

const table = RegionTable.load();
const raw = JSON.parse(readFileSync(DEFAULT_REGION_KEYS_FILE, 'utf8')) as Record<string, FbRegion>;
const dir = mkdtempSync(join(tmpdir(), 'closrads-regions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function loadFrom(content: unknown): RegionTable {
  const file = join(dir, `t${n++}.json`);
  writeFileSync(file, JSON.stringify(content));
  return RegionTable.load(file);
}

describe('RegionTable (property)', () => {
  it('holds the 50 states and DC, each key unique and numeric, every code and key a round trip', () => {
    expect(table.size).toBe(51);
    expect(USPS).toHaveLength(51);
    expect(USPS).toContain('DC');
    expect(table.region('DC')?.key).toBe('3851');
    const keys = new Set<string>();
    for (const code of USPS) {
      const r = table.region(code)!;
      expect(r.key).toMatch(/^\d+$/);
      expect(r.country).toBe('US');
      expect(table.uspsOf(r.key)).toBe(code);
      keys.add(r.key);
    }
    expect(keys.size).toBe(51);
  });

  it('matches a code without regard to case or surrounding spaces', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...USPS).chain((c) => fc.tuple(fc.constant(c), casedCode(c))),
        ([code, spelled]) => {
          expect(table.region(spelled)).toEqual(table.region(code));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers any other text with undefined, never with an inherited property', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'PR', 'GU', 'XX', ''),
        ),
        (text) => {
          const r = table.region(text);
          if (r === undefined) return;
          // A hit must be a real entry for the normalised code.
          expect(USPS).toContain(text.trim().toUpperCase());
          expect(table.uspsOf(r.key)).toBe(text.trim().toUpperCase());
        },
      ),
      { numRuns: 500 },
    );
    for (const key of ['__proto__', 'constructor', 'toString', '', 'US']) expect(table.uspsOf(key)).toBeUndefined();
  });

  it('refuses a file that lost an entry, repeats a key or holds a malformed one', () => {
    expect(() => loadFrom(raw)).not.toThrow();
    fc.assert(
      fc.property(
        fc.constantFrom(...USPS),
        fc.constantFrom(...USPS),
        fc.constantFrom('drop', 'duplicate-key', 'bad-key', 'bad-country', 'lowercase-code', 'extra'),
        (a, b, damage) => {
          const t: Record<string, unknown> = structuredClone(raw);
          if (damage === 'drop') delete t[a];
          if (damage === 'duplicate-key') {
            if (a === b) return;
            t[a] = { ...raw[a]!, key: raw[b]!.key };
          }
          if (damage === 'bad-key') t[a] = { ...raw[a]!, key: `k${raw[a]!.key}` };
          if (damage === 'bad-country') t[a] = { ...raw[a]!, country: 'CA' };
          if (damage === 'lowercase-code') {
            t[a.toLowerCase()] = t[a];
            delete t[a];
          }
          if (damage === 'extra') t.PR = { key: '99999', name: 'Puerto Rico', country: 'US' };
          expect(() => loadFrom(t)).toThrow(/region key table/);
        },
      ),
      { numRuns: 60 },
    );
  });
});
