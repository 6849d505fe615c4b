import { describe, expect, it } from 'vitest';
import { graphGet, graphPost, smallScenario, start, TOKEN, V, geo } from './helpers.js';

describe('faults', () => {
  it('answers a graph-error once by default and does not apply the call', async () => {
    const sim = await start();
    sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '1001' },
      response: { kind: 'graph-error', code: 2, message: 'Service temporarily unavailable', httpStatus: 503 },
    });
    const first = await graphPost(sim, '1001', { targeting: geo('3843') });
    expect(first.status).toBe(503);
    expect(first.json.error).toMatchObject({ code: 2, is_transient: true, message: 'Service temporarily unavailable' });
    expect(sim.state.writes).toHaveLength(0);
    expect(sim.calls.at(-1)!.status).toBe(503);
    const second = await graphPost(sim, '1001', { targeting: geo('3843') });
    expect(second.status).toBe(200);
  });

  it('puts throttle hints of a graph-error into the usage headers', async () => {
    const sim = await start();
    sim.addFault({
      match: { objectId: '9001', edge: 'adsets' },
      response: { kind: 'graph-error', code: 80004, subcode: 2446079, estimatedMinutes: 3 },
    });
    const r = await graphGet(sim, '9001/adsets');
    expect(r.json.error).toMatchObject({ code: 80004, error_subcode: 2446079, is_transient: false });
    const buc = JSON.parse(r.headers.get('x-business-use-case-usage')!) as Record<
      string,
      Array<Record<string, number>>
    >;
    expect(buc['1']![0]!.estimated_time_to_regain_access).toBe(3);
    expect(JSON.parse(r.headers.get('x-ad-account-usage')!).reset_time_duration).toBe(180);
    expect(sim.calls.at(-1)!.throttled).toBe(true);
  });

  it('sends raw HTTP answers such as an HTML error page', async () => {
    const sim = await start();
    sim.addFault({
      match: { api: 'graph' },
      response: { kind: 'http', status: 502, body: '<html><body>Bad Gateway</body></html>' },
    });
    const r = await fetch(`${sim.graphUrl}/${V}/1001?access_token=${TOKEN}`);
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(await r.text()).toContain('Bad Gateway');
  });

  it('delays then handles normally', async () => {
    const sim = await start();
    sim.addFault({ match: { objectId: '1001' }, response: { kind: 'delay', ms: 150 } });
    const t0 = Date.now();
    const r = await graphGet(sim, '1001');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(r.status).toBe(200);
  });

  it('drops the socket without answering', async () => {
    const sim = await start();
    sim.addFault({ match: { api: 'closrtech' }, response: { kind: 'drop' } });
    await expect(fetch(`${sim.closrtechUrl}?campaign=OBJ&email=e@example.com&pass=pw`)).rejects.toThrow();
    expect(sim.calls.at(-1)).toMatchObject({ api: 'closrtech', status: 0 });
  });

  it('honours times and nth', async () => {
    const sim = await start();
    sim.addFault({ match: { objectId: '1001' }, times: 2, response: { kind: 'graph-error', code: 1 } });
    sim.addFault({ match: { objectId: '1002', nth: 2 }, response: { kind: 'graph-error', code: 368 } });
    const a = [];
    for (let i = 0; i < 3; i++) a.push((await graphGet(sim, '1001')).status);
    expect(a).toEqual([400, 400, 200]);
    const b = [];
    for (let i = 0; i < 3; i++) b.push((await graphGet(sim, '1002')).json.error?.code ?? 0);
    expect(b).toEqual([0, 368, 0]);
  });

  it('keeps a times:-1 rule forever until cleared, and matches closrtech campaigns', async () => {
    const sim = await start();
    sim.addFault({ match: { campaign: 'OBJ' }, times: -1, response: { kind: 'http', status: 500, body: '' } });
    const url = `${sim.closrtechUrl}?campaign=OBJ&email=e@example.com&pass=pw`;
    expect((await fetch(url)).status).toBe(500);
    expect((await fetch(url)).status).toBe(500);
    expect((await fetch(`${sim.closrtechUrl}?campaign=NUM&email=e@example.com&pass=pw`)).status).toBe(200);
    sim.clearFaults();
    expect((await fetch(url)).status).toBe(200);
  });

  it('applies faults listed in the scenario from the start', async () => {
    const scenario = smallScenario();
    scenario.faults = [{ match: { method: 'GET' }, response: { kind: 'graph-error', code: 1 } }];
    const sim = await start({ scenario });
    expect((await graphGet(sim, '1001')).json.error.code).toBe(1);
    expect((await graphGet(sim, '1001')).status).toBe(200);
  });
});

describe('admin routes', () => {
  it('exposes state and calls, takes faults, and resets', async () => {
    const sim = await start();
    await graphPost(sim, '1001', { targeting: geo('3843') });
    const state = (await (await fetch(`${sim.url}/__sim/state`)).json()) as {
      adsets: Record<string, { targeting: unknown }>;
    };
    expect(state.adsets['1001']!.targeting).toEqual(geo('3843'));
    const calls = (await (await fetch(`${sim.url}/__sim/calls`)).json()) as Array<{ api: string }>;
    expect(calls.map((c) => c.api)).toEqual(['graph', 'admin', 'admin']);

    const add = await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ match: { objectId: '1002' }, response: { kind: 'graph-error', code: 1 } }]),
    });
    expect(add.status).toBe(200);
    expect((await graphGet(sim, '1002')).json.error.code).toBe(1);

    await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: { objectId: '1002' }, response: { kind: 'graph-error', code: 1 } }),
    });
    await fetch(`${sim.url}/__sim/faults`, { method: 'DELETE' });
    expect((await graphGet(sim, '1002')).status).toBe(200);

    await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
    expect(sim.state.adsets['1001']!.targeting).toEqual(smallScenario().graph.adsets[0]!.targeting);
    expect(sim.state.writes).toHaveLength(0);

    await fetch(`${sim.url}/__sim/settings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ graph: { tokenExpired: true } }),
    });
    expect((await graphGet(sim, '1001')).json.error.error_subcode).toBe(463);
  });
});
