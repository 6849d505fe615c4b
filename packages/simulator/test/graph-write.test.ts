import { describe, expect, it } from 'vitest';
import { geo, graphGet, graphPost, start, TOKEN, V } from './helpers.js';

const FULL = {
  age_min: 25,
  age_max: 65,
  geo_locations: { regions: [{ key: '3878' }, { key: '3886' }] },
  flexible_spec: [{ interests: [{ id: '1', name: 'x' }] }],
  targeting_automation: { advantage_audience: 1 },
};

describe('updating ad set targeting', () => {
  it('replaces targeting wholesale from a form-encoded JSON string', async () => {
    const sim = await start();
    const r = await graphPost(sim, '1001', { targeting: FULL });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ success: true });
    expect(sim.state.adsets['1001']!.targeting).toEqual(FULL);
    expect(sim.state.writes.filter((w) => w.objectId === '1001')).toHaveLength(1);
    const call = sim.calls.at(-1)!;
    expect(call).toMatchObject({
      api: 'graph',
      method: 'POST',
      path: `/${V}/1001`,
      objectId: '1001',
      status: 200,
      adAccountId: 'act_1',
    });
    expect(typeof call.body.targeting).toBe('string');
  });

  it('does not merge: fields left out are gone', async () => {
    const sim = await start();
    await graphPost(sim, '1001', { targeting: geo('3878') });
    expect(sim.state.adsets['1001']!.targeting).toEqual(geo('3878'));
  });

  // Simulator assumption read-defaults: `Authorization: Bearer` is accepted besides access_token.
  it('accepts a JSON body with targeting as an object or a string, and a Bearer token', async () => {
    const sim = await start();
    const asObject = await fetch(`${sim.graphUrl}/${V}/1001?access_token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ targeting: FULL }),
    });
    expect(asObject.status).toBe(200);
    expect(sim.state.adsets['1001']!.targeting).toEqual(FULL);
    expect(sim.calls.at(-1)!.body.targeting).toEqual(FULL);
    const asString = await fetch(`${sim.graphUrl}/${V}/1002`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ targeting: JSON.stringify(geo('3843')) }),
    });
    expect(asString.status).toBe(200);
    expect(sim.state.adsets['1002']!.targeting).toEqual(geo('3843'));
  });

  it('accepts multipart form data', async () => {
    const sim = await start();
    const form = new FormData();
    form.set('access_token', TOKEN);
    form.set('targeting', JSON.stringify(geo('3890')));
    const r = await fetch(`${sim.graphUrl}/${V}/1003`, { method: 'POST', body: form });
    expect(r.status).toBe(200);
    expect(sim.state.adsets['1003']!.targeting).toEqual(geo('3890'));
  });

  it.each([
    ['no geo_locations', { age_min: 20 }, 100, 1885364],
    ['empty geo_locations', { geo_locations: { regions: [] } }, 100, 1885364],
    ['bad location_types', { geo_locations: { regions: [{ key: '3847' }], location_types: ['home'] } }, 100, 1870199],
    ['unknown region key', geo('9999'), 100, 1487756],
  ])('refuses %s with %i/%i and leaves state alone', async (_name, targeting, code, subcode) => {
    const sim = await start();
    const before = structuredClone(sim.state.adsets['1001']!.targeting);
    const r = await graphPost(sim, '1001', { targeting });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code, error_subcode: subcode, type: 'OAuthException', is_transient: false });
    expect(r.json.error.fbtrace_id).toBeTypeOf('string');
    expect(sim.state.adsets['1001']!.targeting).toEqual(before);
    expect(sim.state.writes).toHaveLength(0);
  });

  // Simulator assumption region-refusals (see targeting-rules.ts): the simulator knows only US region keys, so a region of
  // another country is taken as Meta would take a valid one.
  it('keeps a region of another country beside US states', async () => {
    const sim = await start();
    const targeting = { geo_locations: { regions: [{ key: '3847' }, { key: '527', country: 'CA' }] } };
    const r = await graphPost(sim, '1001', { targeting });
    expect(r.status).toBe(200);
    expect(sim.state.adsets['1001']!.targeting).toEqual(targeting);
  });

  it('gives the missing-location error its user title, message and blame fields', async () => {
    const sim = await start();
    const r = await graphPost(sim, '1001', { targeting: { age_min: 20 } });
    expect(r.json.error).toMatchObject({
      message: 'Invalid parameter',
      error_user_title: 'Missing Target Audience Location',
      error_user_msg: 'Your audience is missing a location. You can add a location or a Custom Audience.',
      error_data: { blame_field_specs: [['targeting']] },
    });
  });

  it('accepts location_types home+recent in any order, countries alone, and refuses more than 200 regions', async () => {
    const sim = await start();
    const ok = await graphPost(sim, '1001', {
      targeting: { geo_locations: { regions: [{ key: '3847' }], location_types: ['recent', 'home'] } },
    });
    expect(ok.status).toBe(200);
    expect((await graphPost(sim, '1002', { targeting: { geo_locations: { countries: ['US'] } } })).status).toBe(200);
    const many = Array.from({ length: 201 }, () => ({ key: '3847' }));
    const r = await graphPost(sim, '1001', { targeting: { geo_locations: { regions: many } } });
    expect(r.json.error.code).toBe(100);
  });

  // Meta's rule; simulator assumption advantage-age-refusal (src/graph/targeting-rules.ts): the answer is 100 without subcode, with the simulator's texts.
  it.each([
    ['age_min above 25', { age_min: 30, age_max: 65 }],
    ['age_min below 18', { age_min: 17, age_max: 65 }],
    ['age_max below 65', { age_min: 18, age_max: 54 }],
    ['age_max 40 and age_min left to its default', { age_max: 40 }],
  ])('refuses Advantage+ audience with %s, leaving state alone', async (_name, ages) => {
    const sim = await start();
    const before = structuredClone(sim.state.adsets['1001']!.targeting);
    const r = await graphPost(sim, '1001', {
      targeting: { ...geo('3878'), ...ages, targeting_automation: { advantage_audience: 1 } },
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({
      code: 100,
      message: 'Invalid parameter',
      error_user_title: 'Age Not Available With Advantage+ Audience',
    });
    expect(r.json.error.error_user_msg).toContain('age_min must be 18 to 25 and age_max must be 65');
    expect(sim.state.adsets['1001']!.targeting).toEqual(before);
    expect(sim.state.writes).toHaveLength(0);
  });

  it('accepts Advantage+ audience with age_min 18..25 and age_max 65, default ages, or numbers sent as text', async () => {
    const sim = await start();
    for (const ages of [
      { age_min: 18, age_max: 65 },
      { age_min: 25, age_max: 65 },
      {},
      { age_min: '21', age_max: '65' },
    ]) {
      const r = await graphPost(sim, '1001', {
        targeting: { ...geo('3878'), ...ages, targeting_automation: { advantage_audience: 1 } },
      });
      expect(r.status, JSON.stringify(ages)).toBe(200);
    }
    // Without Advantage+ audience the same ages are fine.
    const off = await graphPost(sim, '1001', {
      targeting: { ...geo('3878'), age_min: 30, age_max: 54, targeting_automation: { advantage_audience: 0 } },
    });
    expect(off.status).toBe(200);
  });

  it('refuses targeting that is not JSON', async () => {
    const sim = await start();
    const r = await graphPost(sim, '1001', { targeting: '{"geo_locations":' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 100, message: 'Invalid parameter' });
  });

  it('refuses edits of DELETED or ARCHIVED ad sets with 1487056', async () => {
    const sim = await start();
    sim.state.adsets['1001']!.effective_status = 'ARCHIVED';
    const r = await graphPost(sim, '1001', { targeting: FULL });
    expect(r.json.error.error_subcode).toBe(1487056);
  });

  it('sets an ad set status', async () => {
    const sim = await start();
    const r = await graphPost(sim, '1002', { status: 'PAUSED' });
    expect(r.json).toEqual({ success: true });
    expect(sim.state.adsets['1002']).toMatchObject({ status: 'PAUSED', effective_status: 'PAUSED' });
    expect((await graphPost(sim, '1002', { status: 'BOGUS' })).json.error.code).toBe(100);
  });

  it('answers 100/33 for an unknown ad set', async () => {
    const sim = await start();
    const r = await graphPost(sim, '777', { targeting: FULL });
    expect(r.json.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});

describe('ads on a geo change', () => {
  it('breaks ACTIVE ads marked break*, never paused ones, and only when the geo really changes', async () => {
    const sim = await start();
    // Same geo, other fields changed: no break.
    await graphPost(sim, '1001', { targeting: { ...geo('3847'), age_min: 40 } });
    expect(sim.state.ads['5002']!.effective_status).toBe('ACTIVE');

    await graphPost(sim, '1001', { targeting: geo('3878') });
    const ads = await graphGet(sim, '1001/ads', { fields: 'effective_status,issues_info' });
    const byId = Object.fromEntries(ads.json.data.map((a: { id: string }) => [a.id, a]));
    expect(byId['5001'].effective_status).toBe('ACTIVE');
    expect(byId['5002'].effective_status).toBe('WITH_ISSUES');
    expect(byId['5002'].issues_info).toEqual([
      {
        level: 'AD',
        error_code: 3390001,
        error_summary: 'Lead form link broken',
        error_message: 'The instant form linked to this ad is no longer valid after the ad set was edited.',
        error_type: 'HARD_ERROR',
      },
    ]);
    expect(byId['5003'].effective_status).toBe('WITH_ISSUES');
    expect(byId['5004'].effective_status).toBe('PAUSED');
  });

  it('heals a break-heal-on-republish ad on status=ACTIVE, not a break ad (review time 0)', async () => {
    const sim = await start();
    await graphPost(sim, '1001', { targeting: geo('3878') });
    expect(sim.state.ads['5002']!.effective_status).toBe('WITH_ISSUES');
    expect(sim.state.ads['5003']!.effective_status).toBe('WITH_ISSUES');

    expect((await graphPost(sim, '5003', { status: 'ACTIVE' })).json).toEqual({ success: true });
    expect(sim.state.ads['5003']).toMatchObject({ effective_status: 'ACTIVE', issues_info: [] });
    expect((await graphPost(sim, '5002', { status: 'ACTIVE' })).json).toEqual({ success: true });
    expect(sim.state.ads['5002']!.effective_status).toBe('WITH_ISSUES');
    expect(sim.state.ads['5002']!.issues_info).toHaveLength(1);
  });

  it('pauses and reactivates an ad, and refuses to reactivate a DISAPPROVED one with 2490427', async () => {
    const sim = await start();
    await graphPost(sim, '5001', { status: 'PAUSED' });
    expect(sim.state.ads['5001']).toMatchObject({ status: 'PAUSED', effective_status: 'PAUSED' });
    await graphPost(sim, '5001', { status: 'ACTIVE' });
    expect(sim.state.ads['5001']).toMatchObject({ status: 'ACTIVE', effective_status: 'ACTIVE' });
    sim.state.ads['5001']!.effective_status = 'DISAPPROVED';
    const r = await graphPost(sim, '5001', { status: 'ACTIVE' });
    expect(r.status).toBe(400);
    expect(r.json.error.error_subcode).toBe(2490427);
    expect(r.json.error.message).toMatch(/^Your ad has been rejected in its latest review and is currently disabled/);
    expect(sim.state.writes.filter((w) => w.kind === 'ad')).toHaveLength(2);
  });
});
