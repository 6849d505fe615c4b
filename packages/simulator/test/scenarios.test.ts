import { describe, expect, it } from 'vitest';
import { benchCampaignsFile, generateScenario, keyOf } from '../src/index.js';
import { start, TOKEN, V } from './helpers.js';

describe('demo scenario', () => {
  it('loads by name and matches the campaigns file of the example config', async () => {
    const sim = await start({ scenario: 'demo' });
    const s = sim.state;
    expect(s.campaigns['120000000000000001']!.adAccountId).toBe('act_1111111111');
    expect(s.campaigns['120000000000000002']!.adAccountId).toBe('act_1111111111');
    expect(s.campaigns['120000000000000003']!.adAccountId).toBe('act_2222222222');
    expect(s.campaigns['120000000000000004']!.adAccountId).toBe('act_2222222222');
    const demand = s.closrtech.campaigns.VND_VETERAN_LEADS as Record<string, { demand: number }>;
    const wanted = Object.entries(demand)
      .filter(([, d]) => d.demand > 0)
      .map(([usps]) => keyOf(usps))
      .sort();
    const vet = Object.values(s.adsets).filter((a) => a.campaignId === '120000000000000001');
    expect(vet.filter((a) => a.status === 'ACTIVE')).toHaveLength(4);
    expect(vet.filter((a) => a.status === 'PAUSED')).toHaveLength(1);
    const regionsOf = (a: (typeof vet)[number]): string[] =>
      ((a.targeting.geo_locations as { regions: Array<{ key: string }> }).regions ?? []).map((r) => r.key).sort();
    expect(vet.filter((a) => a.status === 'ACTIVE' && JSON.stringify(regionsOf(a)) === JSON.stringify(wanted))).toHaveLength(1);
    expect(Object.values(s.ads).some((a) => a.effective_status === 'DISAPPROVED' && a.status === 'ACTIVE')).toBe(true);
    expect(Object.values(s.ads).some((a) => a.onGeoChange === 'break-heal-on-republish')).toBe(true);

    const r = await fetch(`${sim.closrtechUrl}?campaign=VND_MORTGAGE_PROTECTION_LEADS&email=demo@example.com&pass=demo-password`);
    expect(Object.values((await r.json()) as Record<string, unknown>).every((v) => typeof v === 'number')).toBe(true);
    const list = await fetch(`${sim.graphUrl}/${V}/120000000000000003/adsets?access_token=${TOKEN}&fields=targeting`);
    expect(list.status).toBe(200);
  });
});

describe('generateScenario', () => {
  it('builds 10,000 ad sets and lists one campaign of them page by page', async () => {
    const scenario = generateScenario({ accounts: 10, campaignsPerAccount: 10, adsetsPerCampaign: 100, pageCap: 50 });
    expect(scenario.graph.adsets).toHaveLength(10_000);
    expect(scenario.graph.ads).toHaveLength(10_000);

    const sim = await start({ scenario });
    const campaignId = Object.keys(scenario.graph.campaigns)[57]!;
    let url: string | undefined = `${sim.graphUrl}/${V}/${campaignId}/adsets?access_token=${TOKEN}&fields=id,targeting&limit=100`;
    let count = 0;
    while (url) {
      const page = (await (await fetch(url)).json()) as { data: unknown[]; paging?: { next?: string } };
      count += page.data.length;
      url = page.paging?.next;
    }
    expect(count).toBe(100);
  });

  it('targets other states unless alreadyInSync, and gives a matching campaigns file', () => {
    const out = generateScenario({ accounts: 2, campaignsPerAccount: 2, adsetsPerCampaign: 3, adsPerAdset: 2, rateBudget: { maxPoints: 60, windowMs: 300_000 } });
    const inSync = generateScenario({ accounts: 1, campaignsPerAccount: 1, adsetsPerCampaign: 1, alreadyInSync: true });
    const keys = (s: typeof out): string[] =>
      ((s.graph.adsets[0]!.targeting.geo_locations as { regions: Array<{ key: string }> }).regions).map((r) => r.key).sort();
    expect(keys(inSync)).toEqual(['CA', 'TX', 'FL', 'NY', 'OH'].map(keyOf).sort());
    expect(keys(out)).toEqual(['WA', 'OR'].map(keyOf).sort());
    expect(out.graph.ads).toHaveLength(24);
    expect(out.graph.adAccounts[Object.keys(out.graph.adAccounts)[0]!]!.rateBudget).toEqual({ maxPoints: 60, windowMs: 300_000 });
    expect(Object.keys(out.closrtech.campaigns)).toEqual(['BENCH_1', 'BENCH_2']);
    for (const id of Object.keys(out.graph.campaigns)) expect(id).toMatch(/^\d+$/);

    const file = benchCampaignsFile(out);
    expect(file.campaigns).toHaveLength(2);
    expect(file.campaigns[0]).toEqual({
      name: 'Bench 1',
      closrtechCampaign: 'BENCH_1',
      adAccountId: Object.keys(out.graph.adAccounts)[0],
      facebookCampaignIds: Object.entries(out.graph.campaigns)
        .filter(([, c]) => c.adAccountId === Object.keys(out.graph.adAccounts)[0])
        .map(([id]) => id),
      protection: true,
      enabled: true,
    });
  });
});
