import { describe, expect, it } from 'vitest';
import { appsecretProof } from '../src/index.js';
import { graphGet, smallScenario, start, TOKEN } from './helpers.js';
import { createHmac } from 'node:crypto';

describe('access tokens', () => {
  it('refuses a wrong or missing token with 190/467', async () => {
    const sim = await start();
    for (const query of [{ access_token: 'wrong' }, { access_token: '' }]) {
      const r = await graphGet(sim, '9001/adsets', query);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({
        code: 190,
        error_subcode: 467,
        type: 'OAuthException',
        message: 'Invalid OAuth access token - Cannot parse access token',
      });
    }
  });

  it('refuses every call with 190/463 when the token is expired', async () => {
    const scenario = smallScenario();
    scenario.graph.tokenExpired = true;
    const sim = await start({ scenario });
    const r = await graphGet(sim, '1001');
    expect(r.json.error).toMatchObject({ code: 190, error_subcode: 463 });
    expect(r.json.error.message).toContain('Session has expired on Tuesday, 21-Apr-26 09:00:00 PDT.');
  });

  it('answers 2635 on a deprecated version', async () => {
    const scenario = smallScenario();
    scenario.graph.deprecatedVersions = ['v19.0'];
    const sim = await start({ scenario });
    const r = await fetch(`${sim.graphUrl}/v19.0/1001?access_token=${TOKEN}`);
    expect(((await r.json()) as { error: { code: number } }).error.code).toBe(2635);
  });
});

describe('appsecret_proof', () => {
  it('requires a correct classic or timed proof when an app secret is set', async () => {
    const scenario = smallScenario();
    scenario.graph.appSecret = 's3cret';
    const sim = await start({ scenario });
    const missing = await graphGet(sim, '1001');
    expect(missing.json.error.code).toBe(100);
    const wrong = await graphGet(sim, '1001', { appsecret_proof: 'abc' });
    expect(wrong.json.error).toMatchObject({
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument',
    });
    const good = await graphGet(sim, '1001', { appsecret_proof: appsecretProof('s3cret', TOKEN) });
    expect(good.status).toBe(200);
    const time = String(Math.floor(Date.now() / 1000));
    const timed = createHmac('sha256', 's3cret').update(`${TOKEN}|${time}`).digest('hex');
    expect((await graphGet(sim, '1001', { appsecret_proof: timed, appsecret_time: time })).status).toBe(200);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    const stale = createHmac('sha256', 's3cret').update(`${TOKEN}|${old}`).digest('hex');
    expect((await graphGet(sim, '1001', { appsecret_proof: stale, appsecret_time: old })).status).toBe(400);
  });

  it('carries the proof into paging links', async () => {
    const scenario = smallScenario(3);
    scenario.graph.appSecret = 's3cret';
    scenario.graph.pageCap = 1;
    const sim = await start({ scenario });
    const first = await graphGet(sim, '9001/adsets', { appsecret_proof: appsecretProof('s3cret', TOKEN) });
    const next = await fetch(first.json.paging.next as string);
    expect(next.status).toBe(200);
  });
});
