import { describe, expect, it } from 'vitest';
import { buildReport, type AdsetResult, type CampaignPlanSummary } from '@closrads/core';
import { shouldSendFollowUp, shouldSendReport, verdictOf } from '../src';

const line = (outcome: AdsetResult['outcome'], extra: Partial<AdsetResult> = {}) => ({
  campaign: 'Veterans',
  id: outcome,
  name: outcome,
  facebookCampaignId: '9001',
  outcome,
  added: [],
  removed: [],
  ...extra,
});
const completed: CampaignPlanSummary = {
  name: 'Veterans',
  status: 'completed',
  activeStates: ['CA'],
  unmappedStates: [],
  adsetCount: 1,
};
const report = (results: ReturnType<typeof line>[], plan: CampaignPlanSummary = completed) =>
  buildReport({
    meta: {
      runId: 'r-20261201-120000-aaaa',
      trigger: 'demand-change',
      dryRun: false,
      startedAt: '2026-12-01T12:00:00.000Z',
    },
    plan: [plan],
    results,
    finishedAt: new Date('2026-12-01T12:00:30.000Z'),
  });

describe('NOTIFY_ON', () => {
  const cases: Array<[string, ReturnType<typeof report>, { always: boolean; changes: boolean; problems: boolean }]> = [
    ['nothing to change', report([line('unchanged')]), { always: true, changes: false, problems: false }],
    [
      'an ad set updated',
      report([line('updated'), line('unchanged')]),
      { always: true, changes: true, problems: false },
    ],
    ['a dry run that would update', report([line('would_update')]), { always: true, changes: true, problems: false }],
    [
      'a held campaign',
      report([], { ...completed, status: 'held', holdReason: 'held' }),
      { always: true, changes: true, problems: true },
    ],
    [
      'an aborted campaign',
      report([], { ...completed, status: 'aborted', abortReason: 'refused' }),
      { always: true, changes: true, problems: true },
    ],
    ['a failed ad set', report([line('failed')]), { always: true, changes: true, problems: true }],
    ['a revert', report([line('reverted')]), { always: true, changes: true, problems: true }],
    ['a pre-flight skip only', report([line('skipped_preflight')]), { always: true, changes: true, problems: true }],
  ];
  for (const [what, r, expected] of cases) {
    it(`${what}: always ${expected.always}, changes ${expected.changes}, problems ${expected.problems}`, () => {
      expect(shouldSendReport(r, 'always')).toBe(expected.always);
      expect(shouldSendReport(r, 'changes')).toBe(expected.changes);
      expect(shouldSendReport(r, 'problems')).toBe(expected.problems);
    });
  }

  it('derives the verdict of the contract', () => {
    expect(verdictOf(report([line('updated')]))).toBe('ok');
    expect(verdictOf(report([line('skipped_preflight')]))).toBe('attention');
    expect(verdictOf(report([line('failed')]))).toBe('failed');
  });

  it('sends a follow-up of a report that went out, or one that brings a problem', () => {
    const passed = [{ adset: line('updated') }];
    const reverted = [{ adset: line('reverted') }];
    expect(shouldSendFollowUp({ notifyOn: 'problems', reportWasSent: true, changes: passed })).toBe(true);
    expect(shouldSendFollowUp({ notifyOn: 'problems', reportWasSent: false, changes: passed })).toBe(false);
    expect(shouldSendFollowUp({ notifyOn: 'changes', reportWasSent: false, changes: reverted })).toBe(true);
    expect(shouldSendFollowUp({ notifyOn: 'always', reportWasSent: false, changes: passed })).toBe(true);
  });
});
