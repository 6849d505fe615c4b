import { describe, expect, it } from 'vitest';
import { readUsage, throttleWaitMs } from '../../src/clients/usage';

const headers = (h: Record<string, unknown>) =>
  new Headers(
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
  );
const entry = (fields: Record<string, unknown>) => ({
  type: 'ads_management',
  call_count: 0,
  total_cputime: 0,
  total_time: 0,
  estimated_time_to_regain_access: 0,
  ...fields,
});

describe('readUsage', () => {
  it('paces from the BUC header alone: the highest of call_count, total_cputime and total_time', () => {
    const h = headers({
      'x-business-use-case-usage': { '111': [entry({ call_count: 40, total_cputime: 81, total_time: 12 })] },
    });
    expect(readUsage(h, 'act_111')).toEqual({ adAccountId: 'act_111', percent: 81, waitMs: 0, resetMs: 0 });
  });

  it('reads only the ads_management entry of the ad account called', () => {
    const h = headers({
      'x-business-use-case-usage': {
        '111': [entry({ type: 'ads_insights', call_count: 99 }), entry({ call_count: 30 })],
        act_222: [entry({ call_count: 97, estimated_time_to_regain_access: 9 })],
      },
    });
    expect(readUsage(h, 'act_111')).toEqual({ adAccountId: 'act_111', percent: 30, waitMs: 0, resetMs: 0 });
    // The key may be written act_… or bare; both name the same account.
    expect(readUsage(h, '222')).toEqual({ adAccountId: '222', percent: 97, waitMs: 9 * 60_000, resetMs: 0 });
  });

  it('turns estimated_time_to_regain_access minutes into a wait, and coerces numbers sent as strings', () => {
    const h = headers({
      'x-business-use-case-usage': { '111': [entry({ call_count: '100', estimated_time_to_regain_access: '5' })] },
    });
    expect(readUsage(h, 'act_111')).toMatchObject({ percent: 100, waitMs: 300_000 });
  });

  it('adds X-Ad-Account-Usage when present: its reset is a wait only at the limit', () => {
    const low = headers({ 'x-ad-account-usage': { acc_id_util_pct: '75.5', reset_time_duration: 40 } });
    expect(readUsage(low, 'act_1')).toEqual({ adAccountId: 'act_1', percent: 75.5, waitMs: 0, resetMs: 40_000 });
    const full = headers({ 'x-ad-account-usage': { acc_id_util_pct: 100, reset_time_duration: 40 } });
    expect(readUsage(full, 'act_1')).toMatchObject({ waitMs: 40_000 });
  });

  it('ignores X-App-Usage, which does not govern Marketing API calls, and bad JSON', () => {
    expect(
      readUsage(headers({ 'x-app-usage': { call_count: 99, total_time: 99, total_cputime: 99 } }), 'act_1'),
    ).toBeUndefined();
    expect(readUsage(headers({ 'x-business-use-case-usage': '{not json' }), 'act_1')).toBeUndefined();
    // Without an ad account, the BUC header says nothing to pace on.
    expect(readUsage(headers({ 'x-business-use-case-usage': { '1': [entry({ call_count: 50 })] } }))).toBeUndefined();
  });
});

describe('throttleWaitMs', () => {
  it('takes the BUC minutes first, then the ad-account reset in seconds', () => {
    expect(
      throttleWaitMs(
        headers({ 'x-business-use-case-usage': { '1': [entry({ estimated_time_to_regain_access: 2 })] } }),
      ),
    ).toBe(120_000);
    expect(throttleWaitMs(headers({ 'x-ad-account-usage': { acc_id_util_pct: 100, reset_time_duration: 30 } }))).toBe(
      30_000,
    );
    expect(throttleWaitMs(headers({}))).toBeUndefined();
  });
});
