import { describe, expect, it } from 'vitest';
import { graphGet, smallScenario, start, TOKEN, V } from './helpers.js';

describe('listing ad sets', () => {
  it('pages with cursors when pageCap is smaller than limit, and next works as an absolute URL', async () => {
    const scenario = smallScenario(7);
    scenario.graph.pageCap = 2;
    const sim = await start({ scenario });
    const first = await graphGet(sim, '9001/adsets', { fields: 'id,name', limit: '50' });
    expect(first.status).toBe(200);
    expect(first.json.data.map((a: { id: string }) => a.id)).toEqual(['1001', '1002']);
    expect(first.json.paging.cursors.before).toBeTypeOf('string');
    expect(first.json.paging.previous).toBeUndefined();
    const next = new URL(first.json.paging.next as string);
    expect(next.origin).toBe(sim.url);
    expect(next.pathname).toBe(`/graph/${V}/9001/adsets`);
    expect(next.searchParams.get('access_token')).toBe(TOKEN);
    expect(next.searchParams.get('fields')).toBe('id,name');
    expect(next.searchParams.get('limit')).toBe('50');

    const ids: string[] = [];
    let url: string | undefined = `${sim.graphUrl}/${V}/9001/adsets?access_token=${TOKEN}&limit=50`;
    let pages = 0;
    while (url) {
      const page = (await (await fetch(url)).json()) as { data: Array<{ id: string }>; paging?: { next?: string } };
      ids.push(...page.data.map((a) => a.id));
      url = page.paging?.next;
      pages++;
    }
    expect(pages).toBe(4);
    expect(ids).toEqual(['1001', '1002', '1003', '1004', '1005', '1006', '1007']);
  });

  it('re-issuing with after=<cursor> gives the next page and before= the previous one', async () => {
    const sim = await start({ scenario: smallScenario(5) });
    const p1 = await graphGet(sim, '9001/adsets', { limit: '2' });
    const p2 = await graphGet(sim, '9001/adsets', { limit: '2', after: p1.json.paging.cursors.after });
    expect(p2.json.data.map((a: { id: string }) => a.id)).toEqual(['1003', '1004']);
    expect(p2.json.paging.previous).toBeTypeOf('string');
    const back = await graphGet(sim, '9001/adsets', { limit: '2', before: p2.json.paging.cursors.before });
    expect(back.json.data.map((a: { id: string }) => a.id)).toEqual(['1001', '1002']);
    const p3 = await graphGet(sim, '9001/adsets', { limit: '2', after: p2.json.paging.cursors.after });
    expect(p3.json.data.map((a: { id: string }) => a.id)).toEqual(['1005']);
    expect(p3.json.paging.next).toBeUndefined();
  });

  it('hides DELETED and ARCHIVED by default and honours effective_status', async () => {
    const sim = await start({ scenario: smallScenario(4) });
    sim.state.adsets['1002']!.effective_status = 'DELETED';
    sim.state.adsets['1003']!.effective_status = 'ARCHIVED';
    sim.state.adsets['1004']!.effective_status = 'PAUSED';
    const all = await graphGet(sim, '9001/adsets');
    expect(all.json.data.map((a: { id: string }) => a.id)).toEqual(['1001', '1004']);
    const active = await graphGet(sim, '9001/adsets', { effective_status: '["ACTIVE"]' });
    expect(active.json.data.map((a: { id: string }) => a.id)).toEqual(['1001']);
    const archived = await graphGet(sim, '9001/adsets', { effective_status: '["ARCHIVED","PAUSED"]' });
    expect(archived.json.data.map((a: { id: string }) => a.id)).toEqual(['1003', '1004']);
    const deleted = await graphGet(sim, '9001/adsets', { effective_status: '["DELETED"]' });
    expect(deleted.json.error.code).toBe(100);
  });

  it('lists an ad account edge too', async () => {
    const sim = await start();
    const r = await graphGet(sim, 'act_1/adsets');
    expect(r.json.data).toHaveLength(3);
  });

  it('answers 100/33 for an unknown campaign', async () => {
    const sim = await start();
    const r = await graphGet(sim, '424242/adsets');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 100, error_subcode: 33, type: 'OAuthException' });
    expect(r.json.error.message).toContain("Object with ID '424242' does not exist");
  });

  it('rejects a malformed version with 2500', async () => {
    const sim = await start();
    const bad = await fetch(`${sim.graphUrl}/25/9001/adsets?access_token=${TOKEN}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(2500);
  });
});

describe('fields selection', () => {
  it('returns id always, only the asked fields, and drops unknown ones', async () => {
    const sim = await start();
    const r = await graphGet(sim, '1001', {
      fields: 'name,bogus,configured_status,campaign_id,account_id,issues_info',
    });
    expect(r.json).toEqual({
      id: '1001',
      name: 'set 1',
      configured_status: 'ACTIVE',
      campaign_id: '9001',
      account_id: '1',
      issues_info: [],
    });
    const bare = await graphGet(sim, '1001');
    expect(bare.json).toEqual({ id: '1001' });
  });

  it('fills region names and default location_types on read, without touching stored state', async () => {
    const sim = await start();
    const r = await graphGet(sim, '1001', { fields: 'targeting' });
    expect(r.json.targeting.geo_locations).toEqual({
      regions: [{ key: '3847', name: 'California', country: 'US' }],
      location_types: ['home', 'recent'],
    });
    expect(sim.state.adsets['1001']!.targeting.geo_locations).toEqual({ regions: [{ key: '3847' }] });
  });

  it('reads ads by edge and by id with their fields', async () => {
    const sim = await start();
    const list = await graphGet(sim, '1001/ads', { fields: 'id,name,status,effective_status,issues_info,adset_id' });
    expect(list.json.data).toHaveLength(4);
    expect(list.json.data[0]).toEqual({
      id: '5001',
      name: 'ad ok',
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      issues_info: [],
      adset_id: '1001',
    });
    const one = await graphGet(sim, '5004', { fields: 'configured_status,ad_review_feedback' });
    expect(one.json).toEqual({ id: '5004', configured_status: 'PAUSED' });
  });
});

describe('meta endpoints', () => {
  it('searches regions by substring, case-insensitively', async () => {
    const sim = await start();
    const r = await graphGet(sim, 'search', {
      type: 'adgeolocation',
      location_types: '["region"]',
      q: 'new',
      country_code: 'US',
    });
    expect(r.json.data.map((x: { name: string }) => x.name)).toEqual([
      'New Hampshire',
      'New Jersey',
      'New Mexico',
      'New York',
    ]);
    expect(r.json.data[0]).toEqual({
      key: '3872',
      name: 'New Hampshire',
      type: 'region',
      country_code: 'US',
      country_name: 'United States',
      supports_region: true,
      supports_city: true,
    });
    const all = await graphGet(sim, 'search', { type: 'adgeolocation', location_types: '["region"]', q: '' });
    expect(all.json.data).toHaveLength(51);
    const dc = await graphGet(sim, 'search', { type: 'adgeolocation', q: 'd. c.' });
    expect(dc.json.data.map((x: { key: string }) => x.key)).toEqual(['3851']);
  });

  it('debug_token describes valid, invalid and expired tokens', async () => {
    const sim = await start();
    const ok = await graphGet(sim, 'debug_token', { input_token: TOKEN });
    expect(ok.json.data).toMatchObject({
      app_id: '1000000000000001',
      type: 'SYSTEM_USER',
      is_valid: true,
      expires_at: 0,
    });
    expect(ok.json.data.scopes).toContain('ads_management');
    const bad = await graphGet(sim, 'debug_token', { input_token: 'nope' });
    expect(bad.json.data.is_valid).toBe(false);
    expect(bad.json.data.error).toMatchObject({ code: 190, subcode: 467 });
    sim.state.graph.tokenExpired = true;
    const expired = await graphGet(sim, 'debug_token', { input_token: TOKEN });
    expect(expired.json.data.is_valid).toBe(false);
    expect(expired.json.data.expires_at).toBeLessThan(Date.now() / 1000);
    sim.state.graph.tokenExpired = false;
    sim.state.graph.tokenScopes = ['ads_read'];
    const scoped = await graphGet(sim, 'debug_token', { input_token: TOKEN });
    expect(scoped.json.data.scopes).toEqual(['ads_read']);
  });

  it('me names the system user', async () => {
    const sim = await start();
    const r = await graphGet(sim, 'me');
    expect(r.json).toEqual({ id: expect.any(String), name: 'closrads-sim system user' });
  });
});
