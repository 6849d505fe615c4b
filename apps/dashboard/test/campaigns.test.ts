import { CampaignStateStore, DemandHistory } from '@closrads/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUTH,
  XSS_NAME,
  heldReport,
  minutesAgo,
  okReport,
  seedFinished,
  testDashboard,
  type TestDashboard,
} from './helpers';

const DAY = 24 * 3600 * 1000;

describe('/campaigns pages', () => {
  let d: TestDashboard;
  const live = okReport(minutesAgo(60));
  const held = heldReport(minutesAgo(10));
  const get = (path: string) => request(d.app).get(path).set('Authorization', AUTH);

  beforeAll(async () => {
    d = await testDashboard();
    const state = new CampaignStateStore(d.deps.redis, d.deps.keys);
    const history = new DemandHistory(d.deps.redis, d.deps.keys);
    await seedFinished(d.deps, live);
    await state.recordReport(live);
    await seedFinished(d.deps, held);
    await state.recordReport(held);
    const now = Date.now();
    await history.record(
      'Veterans',
      new Map([
        ['OH', 3],
        ['TX', 9],
      ]),
      now - 40 * DAY,
    );
    await history.record('Veterans', new Map([['OH', 5]]), now - 3 * DAY);
  });
  afterAll(async () => d.close());

  it('lists every campaign with the states it targets now and its hold', async () => {
    const res = await get('/campaigns');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/campaigns/Veterans"');
    expect(res.text).toContain('href="/campaigns/Truckers"');
    expect(res.text).toMatch(/Veterans<\/a>.*badge bad" href="\/runs\/r-[^"]+">held/s);
    expect(res.text).toContain('<span class="st ">OH</span>');
    expect(res.text).toContain('no completed live run yet'); // Truckers
    expect(res.text).toContain('disabled'); // Solar
  });

  it('shows a campaign: the map of what it targets, the demand heatmap and its runs', async () => {
    const res = await get('/campaigns/Veterans');
    expect(res.status).toBe(200);
    // The map: one tile per state, OH targeted (the last completed live run), the rest not.
    expect(res.text.match(/<g class="tile /g)).toHaveLength(51);
    expect(res.text).toContain('<g class="tile targeted" data-state="OH">');
    expect(res.text).toContain('<g class="tile off" data-state="TX">');
    // The heatmap: TX had demand before the window's start and is carried into it; OH throughout.
    expect(res.text).toContain('<title>TX ');
    expect(res.text).toMatch(/<g data-state="OH">/);
    expect(res.text).toMatch(/<g data-state="TX">/);
    expect(res.text).toContain('Demand, last 30 days');
    expect(res.text).toContain('Its newest run was held by its guardrails on 2 states (CA, TX)');
    expect(res.text).toContain(`href="/runs/${live.runId}"`);
    expect(res.text).toContain(`href="/runs/${held.runId}"`);
    expect((await get('/campaigns/Veterans?days=90')).text).toContain('Demand, last 90 days');
    expect(res.text).not.toContain('<script');
  });

  it('answers 404 for a campaign that is not in the campaigns file, escaping nothing back', async () => {
    const res = await get(`/campaigns/${encodeURIComponent(XSS_NAME)}`);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('<script>');
  });

  it('shows the states of a run on its page, with what it added', async () => {
    const res = await get(`/runs/${live.runId}`);
    expect(res.text).toContain('<g class="tile added" data-state="OH">');
    const heldPage = await get(`/runs/${held.runId}`);
    expect(heldPage.text).not.toContain('class="tile'); // a held campaign wrote nothing: no map
  });
});
