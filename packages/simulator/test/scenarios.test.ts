import { describe, expect, it } from 'vitest';
import { benchCampaignsFile, generateScenario, keyOf, loadScenario, type Scenario } from '../src/index.js';
import { validateTargeting } from '../src/graph/targeting-rules.js';
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
    expect(
      vet.filter((a) => a.status === 'ACTIVE' && JSON.stringify(regionsOf(a)) === JSON.stringify(wanted)),
    ).toHaveLength(1);
    expect(Object.values(s.ads).some((a) => a.effective_status === 'DISAPPROVED' && a.status === 'ACTIVE')).toBe(true);
    expect(Object.values(s.ads).some((a) => a.onGeoChange === 'break-heal-on-republish')).toBe(true);

    const r = await fetch(
      `${sim.closrtechUrl}?campaign=VND_MORTGAGE_PROTECTION_LEADS&email=demo@example.com&pass=demo-password`,
    );
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
    let url: string | undefined =
      `${sim.graphUrl}/${V}/${campaignId}/adsets?access_token=${TOKEN}&fields=id,targeting&limit=100`;
    let count = 0;
    while (url) {
      const page = (await (await fetch(url)).json()) as { data: unknown[]; paging?: { next?: string } };
      count += page.data.length;
      url = page.paging?.next;
    }
    expect(count).toBe(100);
  });

  it('targets other states unless alreadyInSync, and gives a matching campaigns file', () => {
    const out = generateScenario({
      accounts: 2,
      campaignsPerAccount: 2,
      adsetsPerCampaign: 3,
      adsPerAdset: 2,
      rateBudget: { maxPoints: 60, windowMs: 300_000 },
    });
    const inSync = generateScenario({ accounts: 1, campaignsPerAccount: 1, adsetsPerCampaign: 1, alreadyInSync: true });
    const keys = (s: typeof out): string[] =>
      (s.graph.adsets[0]!.targeting.geo_locations as { regions: Array<{ key: string }> }).regions
        .map((r) => r.key)
        .sort();
    expect(keys(inSync)).toEqual(['CA', 'TX', 'FL', 'NY', 'OH'].map(keyOf).sort());
    expect(keys(out)).toEqual(['WA', 'OR'].map(keyOf).sort());
    expect(out.graph.ads).toHaveLength(24);
    expect(out.graph.adAccounts[Object.keys(out.graph.adAccounts)[0]!]!.rateBudget).toEqual({
      maxPoints: 60,
      windowMs: 300_000,
    });
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

/** Meta's rules for the targeting fields the fixtures use (basic-targeting and Advantage+ audience references). */
function metaRuleBreaches(scenario: Scenario): string[] {
  const out: string[] = [];
  for (const a of scenario.graph.adsets) {
    const t = a.targeting;
    const where = `ad set ${a.id}`;
    try {
      validateTargeting(t);
    } catch (err) {
      out.push(`${where}: refused by the simulator (${String((err as Error).message)})`);
    }
    const min = (t.age_min as number | undefined) ?? 18;
    const max = (t.age_max as number | undefined) ?? 65;
    if (!(min >= 13 && max <= 65 && min <= max)) out.push(`${where}: ages ${min}..${max}`);
    const advantage = (t.targeting_automation as { advantage_audience?: number } | undefined)?.advantage_audience;
    if (advantage === 1 && !(min >= 18 && min <= 25 && max === 65))
      out.push(`${where}: Advantage+ with ages ${min}..${max}`);
    const genders = t.genders as number[] | undefined;
    if (genders !== undefined && !(genders.length > 0 && genders.every((g) => g === 1 || g === 2)))
      out.push(`${where}: genders ${JSON.stringify(genders)}`);
    const types = (t.geo_locations as { location_types?: string[] }).location_types;
    if (types !== undefined && [...types].sort().join() !== 'home,recent')
      out.push(`${where}: location_types ${JSON.stringify(types)}`);
  }
  const kinds = new Set(['none', 'break', 'break-heal-on-republish', 'disapprove']);
  for (const ad of scenario.graph.ads) {
    if (ad.onGeoChange !== undefined && !kinds.has(ad.onGeoChange))
      out.push(`ad ${ad.id}: onGeoChange ${ad.onGeoChange}`);
    if (!scenario.graph.adsets.some((a) => a.id === ad.adsetId)) out.push(`ad ${ad.id}: unknown ad set ${ad.adsetId}`);
  }
  return out;
}

describe('fixtures respect Meta rules', () => {
  it('the demo scenario, which also uses Advantage+ audience', () => {
    const demo = loadScenario('demo');
    expect(metaRuleBreaches(demo)).toEqual([]);
    expect(
      demo.graph.adsets.some(
        (a) => (a.targeting.targeting_automation as { advantage_audience: number }).advantage_audience === 1,
      ),
    ).toBe(true);
  });

  it('generated scenarios, with and without Advantage+ audience', () => {
    const scenario = generateScenario({ accounts: 2, campaignsPerAccount: 2, adsetsPerCampaign: 6 });
    expect(metaRuleBreaches(scenario)).toEqual([]);
    const advantage = scenario.graph.adsets.map(
      (a) => (a.targeting.targeting_automation as { advantage_audience: number }).advantage_audience,
    );
    expect(new Set(advantage)).toEqual(new Set([0, 1]));
  });

  it('catches a fixture that breaks them', () => {
    const bad = loadScenario('demo');
    bad.graph.adsets[0]!.targeting.targeting_automation = { advantage_audience: 1 };
    bad.graph.adsets[0]!.targeting.age_max = 54;
    expect(metaRuleBreaches(bad)).toEqual([
      expect.stringMatching(/^ad set 201: refused by the simulator/),
      'ad set 201: Advantage+ with ages 25..54',
    ]);
  });
});
