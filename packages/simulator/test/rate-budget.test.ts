import { describe, expect, it } from 'vitest';
import { RATE_TIERS, RateLedger, resolveBudget } from '../src/rate-budget.js';
import { graphGet, graphPost, smallScenario, start, geo } from './helpers.js';

const header = (h: Headers, name: string): Record<string, unknown> =>
  JSON.parse(h.get(name) ?? 'null') as Record<string, unknown>;

describe('usage headers', () => {
  it('sends app usage on every call, and account usage on calls charged to an ad account', async () => {
    const scenario = smallScenario();
    scenario.graph.adAccounts.act_1 = { rateBudget: { maxPoints: 10, windowMs: 60_000 } };
    const sim = await start({ scenario, budgetClock: () => 1_000_000 });
    const meta = await graphGet(sim, 'me');
    expect(header(meta.headers, 'x-app-usage')).toEqual({ call_count: 1, total_time: 1, total_cputime: 1 });
    expect(meta.headers.get('x-ad-account-usage')).toBeNull();

    const r = await graphGet(sim, '9001/adsets');
    expect(header(r.headers, 'x-ad-account-usage')).toEqual({
      acc_id_util_pct: 10,
      // The score is back to zero once this call's point has drained: 1 of 10 points, a tenth of the window.
      reset_time_duration: 6,
      ads_api_access_tier: 'standard_access',
    });
    const buc = header(r.headers, 'x-business-use-case-usage');
    expect(Object.keys(buc)).toEqual(['1']);
    expect(buc['1']).toEqual([
      {
        type: 'ads_management',
        call_count: 10,
        total_cputime: 5,
        total_time: 5,
        estimated_time_to_regain_access: 0,
        ads_api_access_tier: 'standard_access',
      },
    ]);
    const w = await graphPost(sim, '1001', { targeting: geo('3843') });
    // 1 + 3 of 10 points (the budget's clock stands still).
    expect(header(w.headers, 'x-ad-account-usage').acc_id_util_pct).toBe(40);
    expect(sim.calls.at(-1)!.adAccountId).toBe('act_1');
  });

  it('stays low without a rate budget', async () => {
    const sim = await start();
    const r = await graphGet(sim, '1001/ads');
    expect(header(r.headers, 'x-ad-account-usage').acc_id_util_pct).toBe(1);
  });
});

describe('rate budget', () => {
  it('refuses a call that would exceed the budget with 17/2446079, uncharged, then recovers', async () => {
    const scenario = smallScenario();
    scenario.graph.adAccounts.act_1 = { rateBudget: { maxPoints: 7, windowMs: 1500 } };
    // The budget's clock stands still unless the test moves it: nothing here depends on how fast it runs.
    let now = 1_000_000;
    const sim = await start({ scenario, budgetClock: () => now });
    expect((await graphPost(sim, '1001', { targeting: geo('3843') })).status).toBe(200); // 3
    expect((await graphPost(sim, '1002', { targeting: geo('3843') })).status).toBe(200); // 6
    const refused = await graphPost(sim, '1003', { targeting: geo('3843') }); // 9 > 7
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      code: 17,
      error_subcode: 2446079,
      message: '(#17) User request limit reached',
      is_transient: false,
    });
    const acc = header(refused.headers, 'x-ad-account-usage');
    expect(acc.reset_time_duration).toBeGreaterThanOrEqual(1);
    expect(acc.reset_time_duration).toBeLessThanOrEqual(2);
    expect(acc.acc_id_util_pct).toBeGreaterThanOrEqual(100);
    const buc = header(refused.headers, 'x-business-use-case-usage')['1'] as Array<Record<string, number>>;
    expect(buc[0]!.estimated_time_to_regain_access).toBe(0);
    expect(sim.calls.at(-1)).toMatchObject({ throttled: true, status: 400, adAccountId: 'act_1' });
    expect(sim.state.writes).toHaveLength(2);
    // A read still fits (6 + 1 <= 7).
    expect((await graphGet(sim, '1001')).status).toBe(200);
    now += 1500;
    expect((await graphPost(sim, '1003', { targeting: geo('3843') })).status).toBe(200);
  });

  // Assumption under test (see rate-budget.ts): the score drains evenly, the maximum per window.
  it('without a fixed block, refuses until the drained score fits the call', () => {
    let now = 0;
    const ledger = new RateLedger(() => now);
    const cfg = { rateBudget: { maxPoints: 60, windowMs: 300_000 } };
    for (let i = 0; i < 20; i++) expect(ledger.admit('act_1', cfg, true).ok).toBe(true);
    // 60 of 60 points: one more point fits once one point has drained, 300 s / 60 later.
    expect(ledger.admit('act_1', cfg, false)).toEqual({ ok: false, reason: 'budget', resetSeconds: 5 });
    expect(ledger.usage('act_1', cfg)).toMatchObject({ pct: 100, resetSeconds: 300 });
    now = 4_999;
    expect(ledger.admit('act_1', cfg, false).ok).toBe(false);
    now = 5_000;
    expect(ledger.admit('act_1', cfg, false).ok).toBe(true);
    // Half the window later, half the score has drained.
    now = 155_000;
    expect(ledger.usage('act_1', cfg).pct).toBeCloseTo(50);
  });

  it('refuses more POSTs per second than mutationQps with 613/5044001', async () => {
    const scenario = smallScenario();
    scenario.graph.adAccounts.act_1 = { mutationQps: 2 };
    // Within one second of the budget's clock, which stands still here.
    const sim = await start({ scenario, budgetClock: () => 1_000_000 });
    const results = [];
    for (const id of ['1001', '1002', '1003']) results.push(await graphPost(sim, id, { status: 'ACTIVE' }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 400]);
    expect(results[2]!.json.error).toMatchObject({ code: 613, error_subcode: 5044001 });
    expect(sim.calls.at(-1)!.throttled).toBe(true);
  });
});

describe("Meta's score budget (fixed block)", () => {
  // Assumptions under test (see rate-budget.ts): the score drains evenly, the maximum per 300 s; calls
  // during a block restart it and are not charged.
  const limited = { rateBudget: { tier: 'limited' as const } };

  it('names the documented tiers: Limited 60 points and a 300 s block, Full 9000 and 60 s, both decaying over 300 s', () => {
    expect(resolveBudget({ tier: 'limited', headers: 'buc' })).toEqual({
      maxPoints: 60,
      windowMs: 300_000,
      blockMs: 300_000,
      headers: 'buc',
    });
    expect(resolveBudget({ tier: 'full' })).toEqual(RATE_TIERS.full);
    expect(RATE_TIERS.full).toEqual({ maxPoints: 9000, windowMs: 300_000, blockMs: 60_000 });
    const custom = { maxPoints: 7, windowMs: 1500 };
    expect(resolveBudget(custom)).toBe(custom);
  });

  it('blocks for the fixed time once the maximum is reached, even after the score has decayed', () => {
    let now = 0;
    const ledger = new RateLedger(() => now);
    for (let i = 0; i < 20; i++) expect(ledger.admit('act_1', limited, true).ok).toBe(true); // 60 points
    expect(ledger.admit('act_1', limited, false)).toEqual({ ok: false, reason: 'budget', resetSeconds: 300 });
    expect(ledger.usage('act_1', limited)).toMatchObject({ pct: 100, blockedSeconds: 300 });
    // The score has fully decayed at 300 s, but the block set at 0 still holds until then.
    now = 299_999;
    expect(ledger.usage('act_1', limited).blockedSeconds).toBe(1);
    now = 300_000;
    expect(ledger.admit('act_1', limited, false).ok).toBe(true);
    expect(ledger.usage('act_1', limited)).toMatchObject({ pct: (1 / 60) * 100, blockedSeconds: 0 });
  });

  it('extends the block with every call made during it, and does not charge those calls', () => {
    let now = 0;
    const ledger = new RateLedger(() => now);
    for (let i = 0; i < 20; i++) ledger.admit('act_1', limited, true);
    expect(ledger.admit('act_1', limited, true).ok).toBe(false); // block until 300 s
    now = 200_000;
    expect(ledger.admit('act_1', limited, false).ok).toBe(false); // block until 500 s
    now = 499_000;
    expect(ledger.admit('act_1', limited, false).ok).toBe(false); // block until 799 s
    now = 798_999;
    expect(ledger.usage('act_1', limited).blockedSeconds).toBe(1);
    now = 799_000;
    expect(ledger.admit('act_1', limited, true).ok).toBe(true);
    expect(ledger.usage('act_1', limited).pct).toBe(5);
  });

  it('never lets a call through while blocked, not even a write within the mutation rate', () => {
    let now = 0;
    const ledger = new RateLedger(() => now);
    const full = { rateBudget: { maxPoints: 6, windowMs: 300_000, blockMs: 60_000 } };
    expect(ledger.admit('act_1', full, true).ok).toBe(true);
    expect(ledger.admit('act_1', full, true).ok).toBe(true);
    expect(ledger.admit('act_1', full, false)).toEqual({ ok: false, reason: 'budget', resetSeconds: 60 });
    now = 59_000;
    expect(ledger.admit('act_1', full, true).ok).toBe(false);
    // Another ad account is not affected.
    expect(ledger.admit('act_2', full, true).ok).toBe(true);
  });

  it('sends the BUC header alone when the budget says so, with the minutes left of a block', async () => {
    const scenario = smallScenario();
    scenario.graph.adAccounts.act_1 = {
      rateBudget: { maxPoints: 6, windowMs: 300_000, blockMs: 120_000, headers: 'buc' },
    };
    const sim = await start({ scenario, budgetClock: () => 1_000_000 });
    const ok = await graphPost(sim, '1001', { targeting: geo('3843') });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ad-account-usage')).toBeNull();
    expect((header(ok.headers, 'x-business-use-case-usage')['1'] as Array<Record<string, unknown>>)[0]).toMatchObject({
      type: 'ads_management',
      call_count: 50,
      estimated_time_to_regain_access: 0,
    });
    expect((await graphPost(sim, '1002', { targeting: geo('3843') })).status).toBe(200);
    const refused = await graphGet(sim, '1001');
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({ code: 17, error_subcode: 2446079 });
    expect(refused.headers.get('x-ad-account-usage')).toBeNull();
    const buc = (header(refused.headers, 'x-business-use-case-usage')['1'] as Array<Record<string, unknown>>)[0]!;
    expect(buc.call_count).toBeGreaterThanOrEqual(100);
    expect(buc.estimated_time_to_regain_access).toBe(2);
    expect(sim.state.writes).toHaveLength(2);
  });
});
