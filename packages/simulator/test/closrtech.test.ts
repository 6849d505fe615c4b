import { describe, expect, it } from 'vitest';
import { smallScenario, start } from './helpers.js';

describe('CLOSRTECH demand', () => {
  const q = (campaign: string, email = 'e@example.com', pass = 'pw'): string =>
    `?${new URLSearchParams({ campaign, email, pass }).toString()}`;

  it('returns the scenario body as JSON, object- or number-shaped', async () => {
    const sim = await start();
    const obj = await fetch(sim.closrtechUrl + q('OBJ'));
    expect(obj.status).toBe(200);
    expect(obj.headers.get('content-type')).toContain('application/json');
    expect(await obj.json()).toEqual({ OH: { demand: 15, stock: 2 } });
    expect(await (await fetch(sim.closrtechUrl + q('NUM'))).json()).toEqual({ CA: 3, TX: 0 });
    expect(sim.calls.at(-1)).toMatchObject({ api: 'closrtech', path: '/closrtech/demand.php', status: 200 });
  });

  it('refuses bad credentials and campaigns with 403 text', async () => {
    const sim = await start();
    const creds = await fetch(sim.closrtechUrl + q('OBJ', 'e@example.com', 'wrong'));
    expect(creds.status).toBe(403);
    expect(await creds.text()).toBe('Invalid credentials');
    for (const c of ['SECRET', 'UNKNOWN']) {
      const r = await fetch(sim.closrtechUrl + q(c));
      expect(r.status).toBe(403);
      expect(await r.text()).toBe('No access to this campaign');
    }
  });

  it('skips the credential check when the scenario sets none', async () => {
    const scenario = smallScenario();
    scenario.closrtech.email = null;
    scenario.closrtech.password = null;
    const sim = await start({ scenario });
    expect((await fetch(sim.closrtechUrl + q('OBJ', 'any', 'any'))).status).toBe(200);
  });
});
