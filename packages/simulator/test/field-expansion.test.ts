import { describe, expect, it } from 'vitest';
import { formatFields, parseFieldSpecs } from '../src/graph/fields.js';
import { GraphError } from '../src/graph/errors.js';
import type { ScenarioAd } from '../src/index.js';
import { graphGet, smallScenario, start, TOKEN, V } from './helpers.js';

const NESTED = 'id,name,effective_status,targeting,ads.limit(50){id,name,status,effective_status,issues_info}';

describe('fields parser', () => {
  it('reads nested selections with commas inside braces, .limit(n) before or after them, and spaces', () => {
    expect(parseFieldSpecs(NESTED)).toEqual([
      { name: 'id' },
      { name: 'name' },
      { name: 'effective_status' },
      { name: 'targeting' },
      {
        name: 'ads',
        limit: 50,
        fields: [
          { name: 'id' },
          { name: 'name' },
          { name: 'status' },
          { name: 'effective_status' },
          { name: 'issues_info' },
        ],
      },
    ]);
    expect(parseFieldSpecs(' ads { id , creative{ id } } .limit( 3 ) , name ,')).toEqual([
      { name: 'ads', limit: 3, fields: [{ name: 'id' }, { name: 'creative', fields: [{ name: 'id' }] }] },
      { name: 'name' },
    ]);
    expect(parseFieldSpecs('')).toBeUndefined();
    expect(parseFieldSpecs(undefined)).toBeUndefined();
  });

  it('writes a selection back as the text it came from', () => {
    expect(formatFields(parseFieldSpecs(NESTED)!)).toBe(NESTED);
  });

  it.each([
    ['an unclosed brace', 'id,ads{id,name', 2500],
    ['a stray closing brace', 'id,name}', 2500],
    ['a missing name', 'id,{name}', 2500],
    ['two selections on one field', 'ads{id}{name}', 2500],
    ['an unclosed modifier', 'ads.limit(5{id}', 2500],
    ['a limit that is not a positive integer', 'ads.limit(0){id}', 100],
    ['an unsupported modifier', 'ads.summary(true){id}', 100],
  ])('refuses %s with a Graph error', (_name, raw, code) => {
    let caught: unknown;
    try {
      parseFieldSpecs(raw);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GraphError);
    expect((caught as GraphError).code).toBe(code);
  });
});

/** Ad set 1001 with `count` ACTIVE ads (ids 6000...), replacing the small scenario's ads. */
function adsetWithAds(count: number): ReturnType<typeof smallScenario> {
  const scenario = smallScenario(2);
  const ads: ScenarioAd[] = [];
  for (let i = 0; i < count; i++) {
    ads.push({ id: String(6000 + i), adsetId: '1001', name: `ad ${i}`, status: 'ACTIVE', effective_status: 'ACTIVE' });
  }
  scenario.graph.ads = ads;
  return scenario;
}

describe('field expansion of ads', () => {
  it('lists each ad set with its ads on the campaign edge, with the ads edge field rules', async () => {
    const sim = await start();
    sim.state.ads['5002']!.effective_status = 'ARCHIVED';
    const r = await graphGet(sim, '9001/adsets', { fields: NESTED });
    expect(r.status).toBe(200);
    const [first, second] = r.json.data;
    expect(first.targeting.geo_locations.regions).toEqual([{ key: '3847', name: 'California', country: 'US' }]);
    // ARCHIVED ads are left out, as on the edge without a status filter.
    expect(first.ads.data.map((a: { id: string }) => a.id)).toEqual(['5001', '5003', '5004']);
    expect(first.ads.data[0]).toEqual({
      id: '5001',
      name: 'ad ok',
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      issues_info: [],
    });
    expect(first.ads.paging.cursors).toEqual({ before: expect.any(String), after: expect.any(String) });
    expect(first.ads.paging.next).toBeUndefined();
    // Simulator assumption empty-expansion (src/graph/paging.ts): an empty expansion answers {data: []}; Meta may omit the field.
    expect(second.ads).toEqual({ data: [] });
    // One call for everything: nothing per ad set.
    expect(sim.calls.filter((c) => c.api === 'graph')).toHaveLength(1);
  });

  it('works on the ad account edge and on a single ad set', async () => {
    const sim = await start();
    const account = await graphGet(sim, 'act_1/adsets', { fields: 'ads{id,adset_id}' });
    expect(account.json.data[0].ads.data[0]).toEqual({ id: '5001', adset_id: '1001' });
    const one = await graphGet(sim, '1001', { fields: 'name,ads.limit(2){name}' });
    expect(one.json.name).toBe('set 1');
    expect(one.json.ads.data).toEqual([
      { id: '5001', name: 'ad ok' },
      { id: '5002', name: 'ad break' },
    ]);
  });

  // Meta: at most 50 ads per ad set. Simulator assumption expansion-limit-cap (src/graph/ads.ts): a larger limit is capped, not refused.
  it('answers 25 ads by default, at most 50, with a next link to the ad set ads edge only when more exist', async () => {
    const sim = await start({ scenario: adsetWithAds(60) });
    const byDefault = await graphGet(sim, '1001', { fields: 'ads{id}' });
    expect(byDefault.json.ads.data).toHaveLength(25);
    const capped = await graphGet(sim, '1001', { fields: 'ads.limit(100){id,name}' });
    expect(capped.json.ads.data).toHaveLength(50);
    const next = new URL(capped.json.ads.paging.next as string);
    expect(next.pathname).toBe(`/graph/${V}/1001/ads`);
    expect(next.searchParams.get('fields')).toBe('id,name');
    expect(next.searchParams.get('limit')).toBe('50');
    expect(next.searchParams.get('access_token')).toBe(TOKEN);
    const rest = (await (await fetch(next)).json()) as { data: Array<{ id: string; name: string }> };
    expect(rest.data[0]).toEqual({ id: '6050', name: 'ad 50' });

    const exact = await start({ scenario: adsetWithAds(50) });
    const all = await graphGet(exact, '1001', { fields: 'ads.limit(50){id}' });
    expect(all.json.ads.data).toHaveLength(50);
    expect(all.json.ads.paging.next).toBeUndefined();
  });

  // Simulator assumption expansion-limit-cap (src/graph/ads.ts): pageCap models edge calls, not expansions.
  it('is not cut by the scenario pageCap, which applies to edge calls', async () => {
    const scenario = adsetWithAds(5);
    scenario.graph.pageCap = 2;
    const sim = await start({ scenario });
    const r = await graphGet(sim, '9001/adsets', { fields: 'ads.limit(50){id}', limit: '50' });
    expect(r.json.data).toHaveLength(2);
    expect(r.json.data[0].ads.data).toHaveLength(5);
  });

  // Simulator assumption fields-syntax-2500 (src/graph/fields.ts): Meta's parse error is 2500; its wording is the simulator's.
  it('answers a malformed selection with a 2500 syntax error', async () => {
    const sim = await start();
    const r = await graphGet(sim, '9001/adsets', { fields: 'id,ads{id,name' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 2500, type: 'OAuthException' });
    expect(r.json.error.message).toMatch(/^Syntax error/);
  });
});
