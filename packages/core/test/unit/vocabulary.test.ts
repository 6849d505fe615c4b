import { describe, expect, it } from 'vitest';
import {
  COUNT_OF,
  COUNT_ORDER,
  OUTCOMES,
  OUTCOME_LABEL,
  campaignCounts,
  countOutcomes,
  deliverySlot,
  emptyCounts,
  parseDeliverySlot,
} from '../../src';

describe('the report vocabulary', () => {
  it('names and counts every outcome once, in the contract’s order', () => {
    expect(COUNT_ORDER.map(([, outcome]) => outcome)).toEqual([...OUTCOMES]);
    expect(new Set(COUNT_ORDER.map(([key]) => key)).size).toBe(OUTCOMES.length);
    expect(Object.keys(OUTCOME_LABEL).sort()).toEqual([...OUTCOMES].sort());
    expect(Object.keys(emptyCounts()).sort()).toEqual(['processed', ...OUTCOMES.map((o) => COUNT_OF[o])].sort());
  });

  it('a campaign never shows fewer than its ad set lines, nor fewer than its stored counts', () => {
    const adsets = [{ outcome: 'failed' as const }, { outcome: 'updated' as const }, { outcome: 'updated' as const }];
    const stored = { ...emptyCounts(), processed: 5, unchanged: 3 };
    expect(campaignCounts({ counts: stored, adsets: adsets as never })).toEqual({
      ...emptyCounts(),
      processed: 5,
      unchanged: 3,
      updated: 2,
      failed: 1,
    });
    expect(countOutcomes(adsets)).toEqual({ ...emptyCounts(), processed: 3, updated: 2, failed: 1 });
  });

  it('delivery slots: the report’s is the channel, a follow-up’s carries its revision, and both read back', () => {
    expect(deliverySlot('email')).toBe('email');
    expect(deliverySlot('slack', 3)).toBe('slack-r3');
    for (const [channel, revision] of [
      ['email', 1],
      ['slack', 2],
      ['stdout', 12],
    ] as const) {
      expect(parseDeliverySlot(deliverySlot(channel, revision))).toEqual({ channel, revision });
    }
  });
});
