import { describe, expect, it } from 'vitest';
import { graphGet, smallScenario, start } from './helpers.js';

const FIELDS = 'adset_id,id,name,status,effective_status,issues_info';

/** Three ad sets of campaign 9001 with two ads each (ids 7<set><n>), plus one ad under another campaign. */
function threeAdsets(): ReturnType<typeof smallScenario> {
  const scenario = smallScenario(3);
  scenario.graph.campaigns['9002'] = { adAccountId: 'act_1', name: 'other' };
  scenario.graph.adsets.push({ ...scenario.graph.adsets[0]!, id: '1101', campaignId: '9002' });
  scenario.graph.ads = [];
  for (const adset of ['1001', '1002', '1003', '1101']) {
    for (const n of [1, 2]) {
      scenario.graph.ads.push({
        id: `7${adset}${n}`,
        adsetId: adset,
        name: `ad ${adset}.${n}`,
        status: 'ACTIVE',
        effective_status: 'ACTIVE',
      });
    }
  }
  return scenario;
}

describe('GET /{campaign}/ads', () => {
  it('lists the ads of every ad set of the campaign, with the asked fields', async () => {
    const sim = await start({ scenario: threeAdsets() });
    const r = await graphGet(sim, '9001/ads', { fields: FIELDS });
    expect(r.status).toBe(200);
    expect(r.json.data.map((a: { id: string }) => a.id)).toEqual([
      '710011',
      '710012',
      '710021',
      '710022',
      '710031',
      '710032',
    ]);
    expect(r.json.data[2]).toEqual({
      adset_id: '1002',
      id: '710021',
      name: 'ad 1002.1',
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      issues_info: [],
    });
    expect(sim.calls.at(-1)).toMatchObject({ objectId: '9001', edge: 'ads', adAccountId: 'act_1', status: 200 });
  });

  it('pages by limit and by the scenario pageCap, with cursors that resume', async () => {
    const scenario = threeAdsets();
    scenario.graph.pageCap = 4;
    const sim = await start({ scenario });
    const p1 = await graphGet(sim, '9001/ads', { fields: 'id', limit: '50' });
    expect(p1.json.data).toHaveLength(4);
    const p2 = (await (await fetch(p1.json.paging.next as string)).json()) as {
      data: Array<{ id: string }>;
      paging: { next?: string };
    };
    expect(p2.data.map((a) => a.id)).toEqual(['710031', '710032']);
    expect(p2.paging.next).toBeUndefined();
    const small = await graphGet(sim, '9001/ads', { fields: 'id', limit: '2' });
    const after = await graphGet(sim, '9001/ads', { fields: 'id', limit: '2', after: small.json.paging.cursors.after });
    expect(after.json.data.map((a: { id: string }) => a.id)).toEqual(['710021', '710022']);
  });

  it('filters by effective_status like the other edges, hiding DELETED and ARCHIVED by default', async () => {
    const sim = await start({ scenario: threeAdsets() });
    sim.state.ads['710011']!.effective_status = 'WITH_ISSUES';
    sim.state.ads['710012']!.effective_status = 'ARCHIVED';
    sim.state.ads['710021']!.effective_status = 'DELETED';
    const all = await graphGet(sim, '9001/ads', { fields: 'id' });
    expect(all.json.data.map((a: { id: string }) => a.id)).toEqual(['710011', '710022', '710031', '710032']);
    const issues = await graphGet(sim, '9001/ads', { fields: 'id', effective_status: '["WITH_ISSUES","ARCHIVED"]' });
    expect(issues.json.data.map((a: { id: string }) => a.id)).toEqual(['710011', '710012']);
    expect((await graphGet(sim, '9001/ads', { effective_status: '["DELETED"]' })).json.error.code).toBe(100);
  });

  it("charges one read point to the campaign's ad account", async () => {
    const scenario = threeAdsets();
    scenario.graph.adAccounts.act_1 = { rateBudget: { maxPoints: 10, windowMs: 60_000 } };
    const sim = await start({ scenario });
    const r = await graphGet(sim, '9001/ads', { fields: FIELDS });
    expect(JSON.parse(r.headers.get('x-ad-account-usage')!).acc_id_util_pct).toBe(10);
  });
});
