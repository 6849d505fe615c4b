import { describe, expect, it } from 'vitest';
import { RateLedger } from '../src/rate-budget.js';
import { graphGet, graphPost, smallScenario, start, geo } from './helpers.js';

const header = (h: Headers, name: string): Record<string, unknown> => JSON.parse(h.get(name) ?? 'null') as Record<string, unknown>;

describe('usage headers', () => {
  it('sends app usage on every call, and account usage on calls charged to an ad account', async () => {
    const scenario = smallScenario();
    scenario.graph.adAccounts.act_1 = { rateBudget: { maxPoints: 10, windowMs: 60_000 } };
    const sim = await start({ scenario });
    const meta = await graphGet(sim, 'me');
    expect(header(meta.headers, 'x-app-usage')).toEqual({ call_count: 1, total_time: 1, total_cputime: 1 });
    expect(meta.headers.get('x-ad-account-usage')).toBeNull();

    const r = await graphGet(sim, '9001/adsets');
    expect(header(r.headers, 'x-ad-account-usage')).toEqual({
      acc_id_util_pct: 10,
      reset_time_duration: 0,
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
    const sim = await start({ scenario });
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
    await new Promise((r) => setTimeout(r, 1600));
    expect((await graphPost(sim, '1003', { targeting: geo('3843') })).status).toBe(200);
  });

  it('computes minutes to regain access from the window', () => {
    let now = 0;
    const ledger = new RateLedger(() => now);
    const cfg = { rateBudget: { maxPoints: 60, windowMs: 300_000 } };
    for (let i = 0; i < 20; i++) {
      expect(ledger.admit('act_1', cfg, true).ok).toBe(true);
      now += 1000;
    }
    const verdict = ledger.admit('act_1', cfg, false);
    expect(verdict).toEqual({ ok: false, reason: 'budget', resetSeconds: 280 });
    expect(ledger.usage('act_1', cfg).pct).toBe(100);
    now = 300_000;
    expect(ledger.admit('act_1', cfg, false).ok).toBe(true);
  });

  it('refuses more POSTs per second than mutationQps with 613/5044001', async () => {
    const scenario = smallScenario();
    scenario.graph.adAccounts.act_1 = { mutationQps: 2 };
    const sim = await start({ scenario });
    const results = [];
    for (const id of ['1001', '1002', '1003']) results.push(await graphPost(sim, id, { status: 'ACTIVE' }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 400]);
    expect(results[2]!.json.error).toMatchObject({ code: 613, error_subcode: 5044001 });
    expect(sim.calls.at(-1)!.throttled).toBe(true);
  });
});
