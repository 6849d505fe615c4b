import { describe, expect, it } from 'vitest';
import {
  abortedPlan,
  assembleReport,
  failureLine,
  foldLines,
  followUpOf,
  newFold,
  overlayLines,
  type AdsetFailure,
  type CampaignPlanSummary,
  type ReportLine,
  type ReportMeta,
} from '../../src';

const meta: ReportMeta = {
  runId: 'r-20261201-130000-aaaa',
  trigger: 'schedule',
  dryRun: false,
  startedAt: '2026-12-01T13:00:00.000Z',
};
const plan: CampaignPlanSummary[] = [
  { name: 'Veterans', status: 'completed', activeStates: ['CA', 'TX'], unmappedStates: [], adsetCount: 3 },
  {
    name: 'Truckers',
    status: 'aborted',
    abortReason: 'every state reports zero demand',
    activeStates: [],
    unmappedStates: [],
    adsetCount: 0,
  },
];
const first = new Date('2026-12-01T13:00:41.000Z');
const later = new Date('2026-12-01T13:20:00.000Z');

const line = (id: string, outcome: ReportLine['outcome'], extra: Partial<ReportLine> = {}): ReportLine => ({
  campaign: 'Veterans',
  id,
  name: `VET ${id}`,
  facebookCampaignId: '9001',
  outcome,
  added: outcome === 'unchanged' ? [] : ['CA'],
  removed: [],
  ...extra,
});

const failure = (adsetId: string, extra: Partial<AdsetFailure> = {}): AdsetFailure => ({
  campaign: 'Veterans',
  adsetId,
  adsetName: `VET ${adsetId}`,
  facebookCampaignId: '9001',
  added: ['CA'],
  removed: ['NY'],
  kind: 'invalid',
  message: '(#100/1885364) Missing Target Audience Location',
  code: 100,
  subcode: 1885364,
  retryable: false,
  ...extra,
});

const fold = (...lines: ReportLine[]) => foldLines(newFold(), lines);

describe('assembleReport: the first report', () => {
  it('groups lines by campaign in plan order, sorted by name, with counts, success and verdict', () => {
    const { report, revision, followUp, changed } = assembleReport({
      meta,
      plan,
      lines: fold(line('3', 'unchanged'), line('1', 'updated', { review: 'pending' }), line('2', 'updated')),
      now: first,
      dashboardUrl: 'https://ads.example.com/runs/r-20261201-130000-aaaa',
    });
    expect(revision).toBe(1);
    expect(changed).toBe(true);
    expect(followUp).toBeUndefined();
    expect(report).toMatchObject({
      runId: meta.runId,
      trigger: 'schedule',
      dryRun: false,
      startedAt: meta.startedAt,
      finishedAt: first.toISOString(),
      revision: 1,
      success: false,
      verdict: 'failed',
    });
    expect(report.dashboardUrl).toBe('https://ads.example.com/runs/r-20261201-130000-aaaa');
    expect(report.campaigns.map((c) => c.name)).toEqual(['Veterans', 'Truckers']);
    const veterans = report.campaigns[0]!;
    expect(veterans.adsets.map((a) => a.id)).toEqual(['1', '2', '3']);
    expect(veterans.adsets[0]).not.toHaveProperty('campaign');
    expect(veterans.counts).toEqual({
      processed: 3,
      updated: 2,
      wouldUpdate: 0,
      unchanged: 1,
      skippedPreflight: 0,
      reverted: 0,
      failed: 0,
      superseded: 0,
      deferred: 0,
      skippedChanged: 0,
    });
    expect(report.campaigns[1]).toMatchObject({
      status: 'aborted',
      abortReason: 'every state reports zero demand',
      adsets: [],
    });
    expect(report).not.toHaveProperty('lateChanges');
    expect(report).not.toHaveProperty('updatedAt');
  });

  it('a failure record becomes a failed line with Meta’s code and subcode, from the record, not from its text', () => {
    const lines = foldLines(
      newFold(),
      [
        failure('7'),
        failure('8', {
          kind: 'other',
          message: 'socket hang up',
          code: undefined,
          subcode: undefined,
          retryable: true,
        }),
      ].map(failureLine),
    );
    const { report } = assembleReport({ meta, plan: plan.slice(0, 1), lines, now: first });
    const [seven, eight] = report.campaigns[0]!.adsets;
    expect(seven).toEqual({
      id: '7',
      name: 'VET 7',
      facebookCampaignId: '9001',
      outcome: 'failed',
      added: ['CA'],
      removed: ['NY'],
      error: '(#100/1885364) Missing Target Audience Location',
      errorCode: 100,
      errorSubcode: 1885364,
    });
    expect(eight).toEqual({
      id: '8',
      name: 'VET 8',
      facebookCampaignId: '9001',
      outcome: 'failed',
      added: ['CA'],
      removed: ['NY'],
      error: 'socket hang up',
    });
    expect(report).toMatchObject({ success: false, verdict: 'failed' });
  });

  it('the watch’s later word replaces an ad set’s line, and adds none for an ad set with no line yet', () => {
    const lines = fold(line('1', 'updated', { review: 'pending' }));
    overlayLines(lines, [
      line('1', 'reverted', { rolledBack: true }),
      line('2', 'updated'),
      { ...line('1', 'failed'), campaign: 'Other' },
    ]);
    const { report } = assembleReport({ meta, plan: plan.slice(0, 1), lines, now: first });
    expect(report.campaigns[0]!.adsets).toEqual([
      expect.objectContaining({ id: '1', outcome: 'reverted', rolledBack: true }),
    ]);
    expect(report.verdict).toBe('attention');
  });

  it('one line per ad set: a line folded again (a page read twice) replaces the earlier one', () => {
    const lines = fold(line('1', 'updated'), line('1', 'updated'), line('2', 'unchanged'));
    expect(
      assembleReport({ meta, plan: plan.slice(0, 1), lines, now: first }).report.campaigns[0]!.counts.processed,
    ).toBe(2);
  });

  it('an undo run carries undoOf; a planning failure aborts every campaign asked for, with the reason', () => {
    const { report } = assembleReport({
      meta: { ...meta, trigger: 'undo', undoOf: 'r-1' },
      plan: abortedPlan(['A', 'B'], 'CLOSRTECH refused'),
      lines: newFold(),
      now: first,
    });
    expect(report.undoOf).toBe('r-1');
    expect(report.campaigns).toEqual([
      {
        name: 'A',
        status: 'aborted',
        abortReason: 'planning failed: CLOSRTECH refused',
        activeStates: [],
        unmappedStates: [],
        counts: expect.objectContaining({ processed: 0 }),
        adsets: [],
      },
      expect.objectContaining({ name: 'B', abortReason: 'planning failed: CLOSRTECH refused' }),
    ]);
    expect(abortedPlan(['A'], undefined)[0]!.abortReason).toBe('planning failed: no planning result');
  });
});

describe('assembleReport: revisions and follow-ups', () => {
  const firstReport = () =>
    assembleReport({
      meta,
      plan: plan.slice(0, 1),
      lines: fold(
        line('1', 'updated', { review: 'pending' }),
        line('2', 'failed', { error: 'boom' }),
        line('3', 'unchanged'),
      ),
      now: first,
    }).report;

  it('nothing changed: same revision, nothing to store or tell, the first finishedAt kept', () => {
    const previous = firstReport();
    const again = assembleReport({
      meta,
      plan: plan.slice(0, 1),
      lines: fold(
        line('1', 'updated', { review: 'pending' }),
        line('2', 'failed', { error: 'other text' }),
        line('3', 'unchanged'),
      ),
      previous,
      now: later,
    });
    expect(again).toMatchObject({ revision: 1, changed: false });
    expect(again.followUp).toBeUndefined();
    expect(again.report.finishedAt).toBe(first.toISOString());
    expect(again.report.lateChanges).toEqual([]);
  });

  it('a changed outcome, review or need of a person is the next revision, with lateChanges and a follow-up', () => {
    const previous = firstReport();
    const second = assembleReport({
      meta,
      plan: plan.slice(0, 1),
      lines: fold(line('1', 'updated', { review: 'passed' }), line('2', 'updated'), line('3', 'unchanged')),
      previous,
      now: later,
    });
    expect(second.revision).toBe(2);
    expect(second.changed).toBe(true);
    expect(second.report).toMatchObject({
      revision: 2,
      updatedAt: later.toISOString(),
      finishedAt: first.toISOString(),
      success: true,
      verdict: 'ok',
    });
    expect(second.report.lateChanges).toEqual([
      {
        revision: 2,
        campaign: 'Veterans',
        adset: expect.objectContaining({ id: '1', review: 'passed' }),
        previousOutcome: 'updated',
        previousReview: 'pending',
      },
      {
        revision: 2,
        campaign: 'Veterans',
        adset: expect.objectContaining({ id: '2', outcome: 'updated' }),
        previousOutcome: 'failed',
      },
    ]);
    expect(second.followUp).toEqual({
      runId: meta.runId,
      revision: 2,
      dryRun: false,
      success: true,
      verdict: 'ok',
      dashboardUrl: undefined,
      changes: [
        {
          campaign: 'Veterans',
          adset: expect.objectContaining({ id: '1' }),
          previousOutcome: 'updated',
          previousReview: 'pending',
        },
        { campaign: 'Veterans', adset: expect.objectContaining({ id: '2' }), previousOutcome: 'failed' },
      ],
    });

    // A third revision keeps the second's changes and adds its own; delivery rebuilds each follow-up from the stored report.
    const third = assembleReport({
      meta,
      plan: plan.slice(0, 1),
      lines: fold(line('1', 'reverted', { rolledBack: true }), line('2', 'updated'), line('3', 'unchanged')),
      previous: second.report,
      now: later,
    });
    expect(third.revision).toBe(3);
    expect(third.report.lateChanges!.map((c) => [c.revision, c.adset.id])).toEqual([
      [2, '1'],
      [2, '2'],
      [3, '1'],
    ]);
    expect(followUpOf(third.report, 2)).toEqual({
      ...second.followUp,
      success: third.report.success,
      verdict: third.report.verdict,
    });
    expect(followUpOf(third.report, 3)).toEqual(third.followUp);
  });
});
