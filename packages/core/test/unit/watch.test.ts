import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_LOOK_INTERVAL_MS,
  MAX_RESTORE_ATTEMPTS,
  afterRestore,
  decideLook,
  decideUnsure,
  nextLookDelay,
  settledForReport,
  type AdState,
  type AdsetWatch,
  type WatchPhase,
} from '../../src';

const timing = { verifyDelayMs: 3000, watchMs: 7_200_000 };
const T0 = 1_000_000;

function watch(phase: WatchPhase, extra: Partial<AdsetWatch> = {}): AdsetWatch {
  return {
    runId: 'r1',
    campaign: 'Veterans',
    adsetId: '201',
    adsetName: 'VET broad',
    facebookCampaignId: '9001',
    adAccountId: 'act_1',
    protection: true,
    phase,
    beforeStates: [{ key: '3875', name: 'New York', country: 'US' }],
    afterKeys: ['3878'],
    added: ['OH'],
    removed: ['NY'],
    warnings: [],
    claimedAt: T0,
    writtenAt: T0,
    watchUntil: T0 + timing.watchMs,
    looks: 0,
    restoreAttempts: 0,
    ...extra,
  };
}

const ad = (id: string, effective_status: string, extra: Partial<AdState> = {}): AdState => ({
  id,
  name: `ad ${id}`,
  status: 'ACTIVE',
  effective_status,
  ...extra,
});
const leadForm = { issues_info: [{ error_code: 3390001, error_summary: 'Lead form link broken' }] };

describe('decideLook: what the watch does after a look', () => {
  const now = T0 + 3000;
  const cases: Array<[string, WatchPhase, AdState[], string, Record<string, unknown>?]> = [
    [
      'ads healthy after the change',
      'watching',
      [ad('1', 'ACTIVE')],
      'finish',
      { outcome: 'updated', review: 'passed' },
    ],
    [
      'ads still in review',
      'watching',
      [ad('1', 'PENDING_REVIEW'), ad('2', 'ACTIVE')],
      'wait',
      { outcome: 'updated', review: 'pending' },
    ],
    ['IN_PROCESS counts as review', 'watching', [ad('1', 'IN_PROCESS')], 'wait'],
    ['an ad broke: republish it once', 'watching', [ad('1', 'WITH_ISSUES', leadForm), ad('2', 'ACTIVE')], 'republish'],
    [
      'only a rejected ad broke: it cannot be switched back on, restore',
      'watching',
      [ad('1', 'DISAPPROVED')],
      'restore',
    ],
    ['still broken after the republish: restore', 'healing', [ad('1', 'WITH_ISSUES', leadForm)], 'restore'],
    ['healed by the republish', 'healing', [ad('1', 'ACTIVE')], 'finish', { outcome: 'updated', review: 'passed' }],
    [
      'ads paused by their owner never count',
      'watching',
      [ad('1', 'DISAPPROVED', { status: 'PAUSED' }), ad('2', 'ACTIVE')],
      'finish',
      { outcome: 'updated', review: 'passed' },
    ],
    [
      'restored and healthy',
      'restored',
      [ad('1', 'ACTIVE')],
      'finish',
      { outcome: 'reverted', review: 'passed', rolledBack: true },
    ],
    [
      'restored, in review again',
      'restored',
      [ad('1', 'PENDING_REVIEW')],
      'wait',
      { outcome: 'reverted', review: 'pending' },
    ],
    [
      'restored but still broken: a person must look',
      'restored',
      [ad('1', 'WITH_ISSUES', leadForm)],
      'finish',
      { outcome: 'reverted', needsAttention: true },
    ],
  ];
  for (const [name, phase, ads, kind, result] of cases) {
    it(name, () => {
      const decision = decideLook(watch(phase), ads, now, timing);
      expect(decision.kind).toBe(kind);
      if (result && 'result' in decision) expect(decision.result).toMatchObject(result);
      if (decision.kind === 'republish') expect(decision.adIds).toEqual(['1']);
    });
  }

  it('ends the watch with review pending when WATCH_MS has passed', () => {
    const decision = decideLook(watch('watching'), [ad('1', 'PENDING_REVIEW')], T0 + timing.watchMs, timing);
    expect(decision).toEqual({ kind: 'finish', result: { outcome: 'updated', review: 'pending' } });
  });

  it('never schedules a look after the end of the watch', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: timing.watchMs - 1 }),
        (looks, elapsed) => {
          const decision = decideLook(watch('watching', { looks }), [ad('1', 'PENDING_REVIEW')], T0 + elapsed, timing);
          expect(decision.kind).toBe('wait');
          if (decision.kind === 'wait') {
            expect(decision.nextLookAt).toBeGreaterThan(T0 + elapsed);
            expect(decision.nextLookAt).toBeLessThanOrEqual(T0 + timing.watchMs);
          }
        },
      ),
    );
  });
});

describe('nextLookDelay', () => {
  it('grows while ads stay in review, up to a cap', () => {
    const delays = Array.from({ length: 12 }, (_, n) => nextLookDelay(n, timing));
    expect(delays[0]).toBe(3000);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(Math.max(...delays)).toBe(MAX_LOOK_INTERVAL_MS);
  });
});

describe('afterRestore', () => {
  const broken = [{ id: '1', name: 'ad 1', effectiveStatus: 'WITH_ISSUES', issue: 'Lead form link broken' }];
  it('a restore that worked is reverted and watched through the new review', () => {
    expect(afterRestore(watch('restoring'), { ok: true }, broken, T0, timing)).toMatchObject({
      phase: 'restored',
      result: { outcome: 'reverted', rolledBack: true, ads: broken },
    });
  });
  it('a restore failing with errors worth retrying is tried again, then given up as failed needing a person', () => {
    let w = watch('restoring');
    for (let i = 1; i < MAX_RESTORE_ATTEMPTS; i++) {
      w = {
        ...w,
        ...afterRestore(
          w,
          { ok: false, retryable: true, message: 'Service temporarily unavailable' },
          broken,
          T0,
          timing,
        ),
      };
      expect(w.phase).toBe('restoring');
    }
    const last = afterRestore(
      w,
      { ok: false, retryable: true, message: 'Service temporarily unavailable' },
      broken,
      T0,
      timing,
    );
    expect(last).toMatchObject({
      phase: 'done',
      result: { outcome: 'failed', needsAttention: true, rolledBack: false },
    });
    expect(last.result?.error).toMatch(/rollback failed.*by hand/);
  });
  it('a refused restore fails at once, needing a person', () => {
    expect(
      afterRestore(watch('restoring'), { ok: false, retryable: false, message: '(#100) archived' }, broken, T0, timing),
    ).toMatchObject({
      phase: 'done',
      result: { outcome: 'failed', needsAttention: true },
    });
  });
});

describe('decideUnsure and settledForReport', () => {
  it('a write landed when the ad set has exactly the states it was to get', () => {
    expect(decideUnsure(watch('unsure'), ['3878'])).toBe('landed');
    expect(decideUnsure(watch('unsure'), ['3875'])).toBe('not-landed');
    expect(decideUnsure(watch('unsure'), ['3878', '3875'])).toBe('not-landed');
  });
  it('the report waits for the first look, and for an action under way to end', () => {
    expect(settledForReport(watch('watching'))).toBe(false);
    expect(settledForReport(watch('watching', { firstLookAt: T0 }))).toBe(true);
    expect(settledForReport(watch('healing', { firstLookAt: T0 }))).toBe(false);
    expect(settledForReport(watch('restoring', { firstLookAt: T0 }))).toBe(false);
    expect(settledForReport(watch('restored', { firstLookAt: T0 }))).toBe(true);
    expect(settledForReport(watch('done'))).toBe(true);
  });
});
