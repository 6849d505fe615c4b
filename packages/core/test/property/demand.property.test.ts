import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDemandBody, planRegions, type Demand } from '../../src/domain/demand';
import { DemandDataError } from '../../src/errors';
import { RegionTable } from '../../src/region-keys';
import { casedCode, demandEntry, nonNumericDemand, USPS } from './arbitraries';

const table = RegionTable.load();
const RUNS = { numRuns: 300 };

/** Runs `fn`; returns what it returned, or the error it threw (anything thrown must be a DemandDataError). */
function parseOrError(body: string): Demand | DemandDataError {
  try {
    return parseDemandBody(body);
  } catch (err) {
    if (!(err instanceof DemandDataError))
      throw new Error(`parseDemandBody threw ${String(err)} for ${JSON.stringify(body).slice(0, 200)}`);
    return err;
  }
}

/** A body that looks like what CLOSRTECH sends: codes (in any case, padded) to demand numbers or objects. */
const validBody = fc
  .uniqueArray(fc.constantFrom(...USPS), { minLength: 1, maxLength: 51 })
  .chain((codes) =>
    fc.tuple(
      fc.constant(codes),
      fc.tuple(...codes.map((c) => casedCode(c))),
      fc.tuple(...codes.map(() => demandEntry)),
    ),
  )
  .map(([codes, spelled, entries]) => ({
    expected: new Map(codes.map((c, i) => [c, entries[i]!.amount])),
    body: JSON.stringify(Object.fromEntries(spelled.map((s, i) => [s, entries[i]!.raw]))),
  }));

describe('parseDemandBody (property)', () => {
  it('never throws anything but DemandDataError, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
        ),
        (body) => {
          parseOrError(body);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('accepts only finite, non-negative numbers, under normalised codes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const out = parseOrError(JSON.stringify(value) ?? '');
        if (out instanceof DemandDataError) return;
        // Only a non-empty object can be accepted.
        expect(value !== null && typeof value === 'object' && !Array.isArray(value)).toBe(true);
        for (const [code, amount] of out) {
          expect(typeof amount).toBe('number');
          expect(Number.isFinite(amount)).toBe(true);
          expect(amount).toBeGreaterThanOrEqual(0);
          // Exactly two ASCII letters, upper-cased; anything else keeps a quoted spelling no region matches.
          if (!/^[A-Z]{2}$/.test(code)) {
            expect(code).toMatch(/^".*"$/);
            expect(table.region(code)).toBeUndefined();
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads every valid answer exactly, codes matched without regard to case or spaces', () => {
    fc.assert(
      fc.property(validBody, ({ body, expected }) => {
        const out = parseDemandBody(body);
        expect(out.size).toBe(expected.size);
        for (const [code, amount] of expected) expect(out.get(code)).toBe(amount);
      }),
      RUNS,
    );
  });

  it('rejects the whole answer when one state is negative or not a number', () => {
    const poisoned = fc.record({
      valid: validBody,
      bad: fc.oneof(
        fc
          .double({ max: -Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true })
          .map((n) => ({ raw: n, why: 'negative' })),
        fc.integer({ max: -1 }).map((n) => ({ raw: { demand: n, stock: 1 }, why: 'negative' })),
        nonNumericDemand.map((raw) => ({ raw, why: 'non-numeric' })),
      ),
      code: fc.constantFrom('ZZ', 'XX', ' qq '),
    });
    fc.assert(
      fc.property(poisoned, ({ valid, bad, code }) => {
        const obj = JSON.parse(valid.body) as Record<string, unknown>;
        obj[code] = bad.raw;
        const out = parseOrError(JSON.stringify(obj));
        expect(out).toBeInstanceOf(DemandDataError);
        expect((out as DemandDataError).message).toMatch(bad.why === 'negative' ? /negative/ : /non-numeric/);
      }),
      RUNS,
    );
  });

  it('rejects numbers JSON cannot hold (1e999 is Infinity) and bare values', () => {
    for (const body of [
      '{"OH": 1e999}',
      '{"OH": {"demand": -1e999}}',
      '5',
      '"OH"',
      'null',
      'true',
      '[]',
      '[{"OH":1}]',
      '{}',
      '',
    ]) {
      expect(parseOrError(body), body).toBeInstanceOf(DemandDataError);
    }
  });

  it('rejects a state given twice with different demands, accepts it given twice the same', () => {
    fc.assert(
      fc.property(fc.constantFrom(...USPS), fc.nat(1000), fc.nat(1000), (code, a, b) => {
        const body = `{"${code}": ${a}, " ${code.toLowerCase()} ": ${b}}`;
        const out = parseOrError(body);
        if (a === b) expect(out).toEqual(new Map([[code, a]]));
        else expect(out).toBeInstanceOf(DemandDataError);
      }),
      RUNS,
    );
  });

  it('reads digits in a string as that number, at the top level or as `demand`', () => {
    fc.assert(
      fc.property(fc.constantFrom(...USPS), fc.nat(), fc.boolean(), (code, n, nested) => {
        const body = JSON.stringify({ [code]: nested ? { demand: String(n) } : String(n) });
        expect(parseDemandBody(body)).toEqual(new Map([[code, n]]));
      }),
      RUNS,
    );
  });

  it('maps only two ASCII letters: look-alikes and Unicode spaces stay unmapped', () => {
    // Dotless ı, Kelvin sign K, long s ſ, fullwidth letters, no-break and ideographic spaces, a zero-width space.
    const lookAlikes = [
      '\u0131l',
      '\u212Ay',
      'ſc',
      '\uFF23\uFF21',
      '\u00A0CA',
      'CA\u3000',
      'C\u200BA',
      'CAL',
      'C',
      '',
      ' C A ',
    ];
    for (const raw of lookAlikes) {
      const out = parseDemandBody(JSON.stringify({ [raw]: 5, OH: 1 }));
      const plan = planRegions(out, table);
      expect(plan.activeStates, JSON.stringify(raw)).toEqual(['OH']);
      expect(plan.unmappedStates).toHaveLength(1);
      expect(plan.unmappedStates[0]).toMatch(/^"/);
      expect(table.region(raw)).toBeUndefined();
    }
    expect(parseDemandBody('{"\\tca\\n": 2}')).toEqual(new Map([['CA', 2]]));
  });

  it('refuses more codes than there are states and territories', () => {
    fc.assert(
      fc.property(fc.integer({ min: 63, max: 400 }), (n) => {
        const body = JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`J${i}`, i % 3])));
        expect(parseOrError(body)).toBeInstanceOf(DemandDataError);
      }),
      { numRuns: 30 },
    );
  });

  it('keeps the error message short, whatever the body', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 500, maxLength: 5000 }), (junk) => {
        const out = parseOrError(`<html>${junk}</html>`);
        expect(out).toBeInstanceOf(DemandDataError);
        expect((out as DemandDataError).message.length).toBeLessThan(300);
      }),
      { numRuns: 50 },
    );
  });
});

describe('planRegions (property)', () => {
  const anyDemand = fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...USPS), fc.constantFrom('XX', 'PR', 'GU', 'ZZ', 'VI')),
        fc.oneof(fc.constant(0), fc.nat(500)),
      ),
      {
        maxLength: 60,
      },
    )
    .map((pairs) => new Map(pairs));

  it('targets exactly the mapped states with demand, sorted, or refuses with DemandDataError', () => {
    fc.assert(
      fc.property(anyDemand, (demand) => {
        const positive = [...demand].filter(([, n]) => n > 0).map(([c]) => c);
        const mapped = positive.filter((c) => table.region(c) !== undefined).sort();
        const unmapped = positive.filter((c) => table.region(c) === undefined).sort();
        let plan;
        try {
          plan = planRegions(demand, table);
        } catch (err) {
          expect(err).toBeInstanceOf(DemandDataError);
          expect(mapped).toEqual([]);
          return;
        }
        expect(plan.activeStates).toEqual(mapped);
        expect(plan.unmappedStates).toEqual(unmapped);
        expect(plan.regions.length).toBeGreaterThan(0);
        expect(plan.regions).toEqual(mapped.map((c) => table.region(c)));
        expect(new Set(plan.regions.map((r) => r.key)).size).toBe(plan.regions.length);
      }),
      RUNS,
    );
  });

  it('never plans from an answer it should not trust (parse then plan)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          validBody.map((v) => v.body),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
        ),
        (body) => {
          let plan;
          try {
            plan = planRegions(parseDemandBody(body), table);
          } catch (err) {
            expect(err).toBeInstanceOf(DemandDataError);
            return;
          }
          expect(plan.regions.length).toBeGreaterThan(0);
          for (const r of plan.regions) {
            expect(r.country).toBe('US');
            expect(table.uspsOf(r.key)).toBeDefined();
          }
        },
      ),
      RUNS,
    );
  });

  it('refuses when every state is at zero', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...USPS), { minLength: 1 }), (codes) => {
        expect(() => planRegions(new Map(codes.map((c) => [c, 0])), table)).toThrow(DemandDataError);
      }),
      { numRuns: 50 },
    );
  });
});
