import { describe, expect, it } from 'vitest';
import {
  buildReport,
  decideRunResult,
  exitCodeOf,
  resultOf,
  summarize,
  type VerdictAdset,
  type VerdictCampaign,
} from '../../src';

const completed = (...adsets: VerdictAdset[]): VerdictCampaign => ({ status: 'completed', adsets });
const adset = (outcome: string, needsAttention?: boolean) => ({
  outcome,
  ...(needsAttention ? { needsAttention } : {}),
});

describe('decideRunResult: the one rule behind success and verdict', () => {
  const table: Array<[string, VerdictCampaign[], boolean, 'ok' | 'attention' | 'failed']> = [
    ['no campaign at all', [], true, 'ok'],
    ['everything updated or unchanged', [completed(adset('updated'), adset('unchanged'))], true, 'ok'],
    ['dry run that would update', [completed(adset('would_update'))], true, 'ok'],
    ['an ad set left to a newer run', [completed(adset('superseded'))], true, 'ok'],
    ['an ad set deferred while an earlier change is watched', [completed(adset('deferred'))], true, 'ok'],
    ['undo: an ad set changed since', [completed(adset('skipped_changed'))], true, 'ok'],
    ['an ad set reverted', [completed(adset('updated'), adset('reverted'))], true, 'attention'],
    ['an ad set skipped at pre-flight', [completed(adset('skipped_preflight'))], true, 'attention'],
    ['an ad set that needs a person', [completed(adset('updated', true))], true, 'attention'],
    ['an ad set failed', [completed(adset('updated'), adset('failed'))], false, 'failed'],
    ['a failed rollback (failed and needs a person)', [completed(adset('failed', true))], false, 'failed'],
    ['a campaign aborted', [{ status: 'aborted', adsets: [] }, completed(adset('updated'))], false, 'failed'],
    ['a campaign held by its guardrails', [{ status: 'held', adsets: [] }], false, 'failed'],
    ['held beats reverted', [{ status: 'held' }, completed(adset('reverted'))], false, 'failed'],
    [
      'a summary with a failed count and no ad set lines',
      [{ status: 'completed', counts: { failed: 1 } }],
      false,
      'failed',
    ],
    [
      'a summary with a reverted count and no ad set lines',
      [{ status: 'completed', counts: { reverted: 2 } }],
      true,
      'attention',
    ],
    [
      'a summary with a pre-flight count',
      [{ status: 'completed', counts: { skippedPreflight: 1 } }],
      true,
      'attention',
    ],
  ];
  it.each(table)('%s', (_name, campaigns, success, verdict) => {
    expect(decideRunResult(campaigns)).toEqual({ success, verdict });
  });
});

describe('resultOf: stored reports', () => {
  it('uses the stored verdict', () => {
    expect(resultOf({ success: true, verdict: 'attention', campaigns: [] })).toEqual({
      success: true,
      verdict: 'attention',
    });
  });
  it('derives the verdict of a report stored before the field existed', () => {
    expect(resultOf({ success: true, campaigns: [{ status: 'completed', counts: { reverted: 1 } }] })).toEqual({
      success: true,
      verdict: 'attention',
    });
  });
  it('never overrules success: false', () => {
    expect(resultOf({ success: false, campaigns: [completed(adset('updated'))] })).toEqual({
      success: false,
      verdict: 'failed',
    });
    expect(resultOf({ success: false, verdict: 'ok', campaigns: [] })).toEqual({ success: false, verdict: 'failed' });
  });
  it('gives exit code 0 to an attention run and 1 to a failed one', () => {
    expect(exitCodeOf({ success: true })).toBe(0);
    expect(exitCodeOf({ success: false })).toBe(1);
  });
});

describe('buildReport stores success and verdict', () => {
  const base = {
    meta: {
      runId: 'r-20261201-130000-abcd',
      trigger: 'manual' as const,
      dryRun: false,
      startedAt: '2026-12-01T13:00:00.000Z',
    },
    plan: [{ name: 'Veterans', status: 'completed' as const, activeStates: ['CA'], unmappedStates: [], adsetCount: 2 }],
    finishedAt: new Date('2026-12-01T13:00:10.000Z'),
  };
  it('a reverted-only run: success true, verdict attention, in the report and its summary', () => {
    const report = buildReport({
      ...base,
      results: [
        {
          campaign: 'Veterans',
          id: '1',
          name: 'a',
          facebookCampaignId: '9',
          outcome: 'reverted',
          added: ['CA'],
          removed: [],
          rolledBack: true,
        },
        {
          campaign: 'Veterans',
          id: '2',
          name: 'b',
          facebookCampaignId: '9',
          outcome: 'unchanged',
          added: [],
          removed: [],
        },
      ],
    });
    expect(report).toMatchObject({ success: true, verdict: 'attention' });
    expect(summarize(report)).toMatchObject({ success: true, verdict: 'attention' });
  });
  it('a failed ad set: success false, verdict failed', () => {
    const report = buildReport({
      ...base,
      results: [
        {
          campaign: 'Veterans',
          id: '1',
          name: 'a',
          facebookCampaignId: '9',
          outcome: 'failed',
          added: ['CA'],
          removed: [],
          error: 'x',
        },
      ],
    });
    expect(report).toMatchObject({ success: false, verdict: 'failed' });
  });
});
