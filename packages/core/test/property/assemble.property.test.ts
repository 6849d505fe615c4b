import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assembleReport,
  campaignCounts,
  countOutcomes,
  decideRunResult,
  foldLines,
  followUpOf,
  newFold,
  OUTCOMES,
  type CampaignPlanSummary,
  type ReportLine,
  type ReportMeta,
} from '../../src';

const RUNS = { numRuns: 300 };
const meta: ReportMeta = {
  runId: 'r-20261201-130000-aaaa',
  trigger: 'schedule',
  dryRun: false,
  startedAt: '2026-12-01T13:00:00.000Z',
};
const NAMES = ['Veterans', 'Truckers', 'Final Expense'];
const now = new Date('2026-12-01T13:01:00.000Z');

const planArb: fc.Arbitrary<CampaignPlanSummary[]> = fc.subarray(NAMES, { minLength: 1 }).chain((names) =>
  fc.tuple(
    ...names.map((name) =>
      fc.constantFrom('completed', 'completed', 'aborted', 'held').map((status): CampaignPlanSummary => ({
        name,
        status,
        activeStates: ['CA'],
        unmappedStates: [],
        adsetCount: 0,
      })),
    ),
  ),
);

/** A line of any campaign (some not in the plan), ad set ids from a small pool so duplicates occur. */
const lineArb: fc.Arbitrary<ReportLine> = fc
  .record({
    campaign: fc.constantFrom(...NAMES, 'Unplanned'),
    id: fc.nat(40).map(String),
    name: fc.constantFrom('A', 'B', 'C'),
    facebookCampaignId: fc.constant('9001'),
    outcome: fc.constantFrom(...OUTCOMES),
    added: fc.constant(['CA']),
    removed: fc.constant([]),
    review: fc.option(fc.constantFrom('pending' as const, 'passed' as const), { nil: undefined }),
    needsAttention: fc.option(fc.constant(true as const), { nil: undefined }),
  })
  .map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as unknown as ReportLine);

const key = (l: ReportLine) => `${l.campaign}/${l.id}`;
/** The last line of each ad set, as the fold keeps it. */
const lastOfEach = (lines: ReportLine[]) => [...new Map(lines.map((l) => [key(l), l])).values()];

describe('assembleReport: count invariants', () => {
  it('every campaign counts exactly its lines, each outcome once, and processed is their sum', () => {
    fc.assert(
      fc.property(planArb, fc.array(lineArb, { maxLength: 80 }), (plan, lines) => {
        const { report } = assembleReport({ meta, plan, lines: foldLines(newFold(), lines), now });
        const planned = new Set(plan.map((p) => p.name));
        const expected = lastOfEach(lines).filter((l) => planned.has(l.campaign));
        expect(report.campaigns.map((c) => c.name)).toEqual(plan.map((p) => p.name));
        expect(report.campaigns.reduce((n, c) => n + c.adsets.length, 0)).toBe(expected.length);
        for (const c of report.campaigns) {
          const { processed, ...perOutcome } = c.counts;
          expect(processed).toBe(c.adsets.length);
          expect(Object.values(perOutcome).reduce((a, b) => a + b, 0)).toBe(processed);
          expect(c.counts).toEqual(countOutcomes(c.adsets));
          // What the renderers and the dashboard show is what was stored.
          expect(campaignCounts(c)).toEqual(c.counts);
        }
        expect({ success: report.success, verdict: report.verdict }).toEqual(decideRunResult(report.campaigns));
        expect(report.success).toBe(report.campaigns.every((c) => c.status === 'completed' && c.counts.failed === 0));
      }),
      RUNS,
    );
  });

  it('the report does not depend on the order the lines come in, nor on how they are paged', () => {
    fc.assert(
      fc.property(
        planArb,
        fc
          .uniqueArray(lineArb, { selector: key, maxLength: 60 })
          .chain((lines) =>
            fc.tuple(
              fc.constant(lines),
              fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
            ),
          ),
        fc.integer({ min: 1, max: 7 }),
        (plan, [lines, shuffled], pageSize) => {
          const whole = assembleReport({ meta, plan, lines: foldLines(newFold(), lines), now }).report;
          const paged = newFold();
          for (let i = 0; i < shuffled.length; i += pageSize) foldLines(paged, shuffled.slice(i, i + pageSize));
          expect(assembleReport({ meta, plan, lines: paged, now }).report).toEqual(whole);
        },
      ),
      RUNS,
    );
  });

  it('a revision counts its changes: revision, lateChanges and the follow-up agree', () => {
    fc.assert(
      fc.property(
        planArb,
        fc.array(lineArb, { maxLength: 40 }),
        fc.array(lineArb, { maxLength: 40 }),
        (plan, before, after) => {
          const first = assembleReport({ meta, plan, lines: foldLines(newFold(), before), now });
          const again = assembleReport({
            meta,
            plan,
            lines: foldLines(newFold(), before),
            previous: first.report,
            now,
          });
          expect(again).toMatchObject({ revision: 1, changed: false });
          expect(again.report.campaigns).toEqual(first.report.campaigns);

          const next = assembleReport({
            meta,
            plan,
            lines: foldLines(newFold(), [...before, ...after]),
            previous: first.report,
            now,
          });
          const changes = next.report.lateChanges ?? [];
          expect(next.revision).toBe(changes.length > 0 ? 2 : 1);
          expect(next.changed).toBe(changes.length > 0);
          expect(changes.every((c) => c.revision === 2)).toBe(true);
          expect(next.followUp?.changes ?? []).toEqual(changes.map(({ revision: _r, ...c }) => c));
          if (next.followUp) expect(followUpOf(next.report, 2)).toEqual(next.followUp);
          // Only ad sets of the first report can change; each at most once per revision.
          const firstKeys = new Set(first.report.campaigns.flatMap((c) => c.adsets.map((a) => `${c.name}/${a.id}`)));
          const changedKeys = changes.map((c) => `${c.campaign}/${c.adset.id}`);
          expect(changedKeys.every((k) => firstKeys.has(k))).toBe(true);
          expect(new Set(changedKeys).size).toBe(changedKeys.length);
        },
      ),
      RUNS,
    );
  });
});
