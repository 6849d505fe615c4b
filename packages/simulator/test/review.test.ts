import { describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { geo, graphGet, graphPost, smallScenario, start } from './helpers.js';

// Long enough never to end by itself during a test: reviews end only when a test finishes them.
const LONG = 3_600_000;
const ORIGINAL = geo('3847'); // the small scenario's geo for every ad set
const NEW_GEO = geo('3878');
const LEAD_FORM = 3390001;

function longReviews(): ReturnType<typeof smallScenario> {
  const scenario = smallScenario();
  scenario.graph.reviewMs = LONG;
  scenario.graph.ads.push(
    {
      id: '5005',
      adsetId: '1001',
      name: 'ad disapprove',
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      onGeoChange: 'disapprove',
    },
    {
      id: '5006',
      adsetId: '1002',
      name: 'other set',
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      onGeoChange: 'break',
    },
  );
  return scenario;
}

async function adsOf(
  sim: Simulator,
  adsetId: string,
): Promise<Record<string, { effective_status: string; issues_info: Array<{ error_code: number }> }>> {
  const r = await graphGet(sim, `${adsetId}/ads`, { fields: 'status,effective_status,issues_info' });
  return Object.fromEntries(r.json.data.map((a: { id: string }) => [a.id, a]));
}

const statuses = async (sim: Simulator, adsetId: string): Promise<Record<string, string>> =>
  Object.fromEntries(Object.entries(await adsOf(sim, adsetId)).map(([id, a]) => [id, a.effective_status]));

async function admin(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

// Meta documents the re-review; simulator assumptions (src/graph/review.ts): the lead-form break
// (#3390001) and the verdict per onGeoChange (geo-break-model), only a geo change starts a review
// (review-geo-only), ads in review read PENDING_REVIEW (review-pending-status), region order is no
// geo change (geo-order-ignored).
describe('review after a geo change', () => {
  it('puts every ACTIVE ad in PENDING_REVIEW (paused ones untouched) until the review is finished', async () => {
    const sim = await start({ scenario: longReviews() });
    const before = Date.now();
    expect((await graphPost(sim, '1001', { targeting: NEW_GEO })).status).toBe(200);
    const after = Date.now();
    const ads = await adsOf(sim, '1001');
    for (const id of ['5001', '5002', '5003', '5005'])
      expect(ads[id], id).toMatchObject({ effective_status: 'PENDING_REVIEW', issues_info: [] });
    expect(ads['5004']!.effective_status).toBe('PAUSED');

    const pending = await admin(sim, 'GET', '/__sim/review');
    expect(pending.json.map((r: { adId: string }) => r.adId).sort()).toEqual(['5001', '5002', '5003', '5005']);
    for (const r of pending.json) {
      expect(Object.keys(r).sort()).toEqual(['adId', 'adsetId', 'endsAt']);
      expect(r.adsetId).toBe('1001');
      expect(r.endsAt).toBeGreaterThanOrEqual(before + LONG);
      expect(r.endsAt).toBeLessThanOrEqual(after + LONG);
    }
    // Reading again changes nothing: the review has not ended.
    expect((await statuses(sim, '1001'))['5002']).toBe('PENDING_REVIEW');

    const finish = await admin(sim, 'POST', '/__sim/review/finish');
    expect(finish.status).toBe(200);
    expect(finish.json.finished).toHaveLength(4);
    const done = await adsOf(sim, '1001');
    expect(done['5001']).toMatchObject({ effective_status: 'ACTIVE', issues_info: [] });
    expect(done['5002']!.effective_status).toBe('WITH_ISSUES');
    expect(done['5002']!.issues_info.map((i) => i.error_code)).toEqual([LEAD_FORM]);
    expect(done['5003']!.effective_status).toBe('WITH_ISSUES');
    expect(done['5005']).toMatchObject({ effective_status: 'DISAPPROVED', issues_info: [] });
    expect(done['5004']!.effective_status).toBe('PAUSED');
    expect((await admin(sim, 'GET', '/__sim/review')).json).toEqual([]);
  });

  it('starts no review for a write that keeps the geo', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: { ...ORIGINAL, age_min: 40 } });
    expect(sim.pendingReviews()).toEqual([]);
    expect((await statuses(sim, '1001'))['5002']).toBe('ACTIVE');
  });

  it('resolves a review lazily when its end time has passed and an ad is read, on every ad listing', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    // Move the end into the past instead of waiting: the next read applies the verdict.
    sim.state.reviews['5002']!.endsAt = Date.now() - 1;
    const broken = await graphGet(sim, '1001/ads', { fields: 'id', effective_status: '["WITH_ISSUES"]' });
    expect(broken.json.data).toEqual([{ id: '5002' }]);
    sim.state.reviews['5003']!.endsAt = Date.now() - 1;
    const viaCampaign = await graphGet(sim, '9001/ads', { fields: 'effective_status' });
    expect(viaCampaign.json.data.find((a: { id: string }) => a.id === '5003').effective_status).toBe('WITH_ISSUES');
    sim.state.reviews['5001']!.endsAt = Date.now() - 1;
    const nested = await graphGet(sim, '1001', { fields: 'ads{effective_status}' });
    expect(nested.json.ads.data.find((a: { id: string }) => a.id === '5001').effective_status).toBe('ACTIVE');
    expect(nested.json.ads.data.find((a: { id: string }) => a.id === '5005').effective_status).toBe('PENDING_REVIEW');
    expect(sim.pendingReviews().map((r) => r.adId)).toEqual(['5005']);
  });

  it('finishes the reviews of one ad set only when asked so', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    await graphPost(sim, '1002', { targeting: NEW_GEO });
    const finish = await admin(sim, 'POST', '/__sim/review/finish', { adsetId: '1002' });
    expect(finish.json.finished).toEqual([{ adId: '5006', adsetId: '1002', endsAt: expect.any(Number) }]);
    expect((await statuses(sim, '1002'))['5006']).toBe('WITH_ISSUES');
    expect((await statuses(sim, '1001'))['5002']).toBe('PENDING_REVIEW');
    expect(
      sim
        .finishReviews('1001')
        .map((r) => r.adId)
        .sort(),
    ).toEqual(['5001', '5002', '5003', '5005']);
    expect((await statuses(sim, '1001'))['5002']).toBe('WITH_ISSUES');
    expect((await admin(sim, 'POST', '/__sim/review/finish', { adsetId: 1001 })).status).toBe(400);
  });

  // Simulator assumptions disapproved-stays and disapproval-text (src/graph/review.ts): a targeting edit does not re-review a rejected ad.
  it('leaves a DISAPPROVED ad out of the review', async () => {
    const sim = await start({ scenario: longReviews() });
    sim.state.ads['5001']!.effective_status = 'DISAPPROVED';
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    expect(sim.pendingReviews().map((r) => r.adId)).not.toContain('5001');
    expect((await statuses(sim, '1001'))['5001']).toBe('DISAPPROVED');
  });
});

// Meta: an edited ad goes through review again. Simulator assumption republish-review (src/graph/review.ts): switching on a broken
// ad is such an edit, switching on a healthy one is not, and an edit during a review restarts its clock only.
describe('republish after a review', () => {
  it('heals a break-heal-on-republish ad through a new review, and not a break ad', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    sim.finishReviews();
    expect((await graphPost(sim, '5003', { status: 'ACTIVE' })).json).toEqual({ success: true });
    expect((await graphPost(sim, '5002', { status: 'ACTIVE' })).json).toEqual({ success: true });
    const inReview = await adsOf(sim, '1001');
    expect(inReview['5003']).toMatchObject({ effective_status: 'PENDING_REVIEW', issues_info: [] });
    expect(inReview['5002']).toMatchObject({ effective_status: 'PENDING_REVIEW', issues_info: [] });
    expect(
      sim
        .pendingReviews()
        .map((r) => r.adId)
        .sort(),
    ).toEqual(['5002', '5003']);
    sim.finishReviews('1001');
    const done = await adsOf(sim, '1001');
    expect(done['5003']).toMatchObject({ effective_status: 'ACTIVE', issues_info: [] });
    expect(done['5002']!.effective_status).toBe('WITH_ISSUES');
    expect(done['5002']!.issues_info.map((i) => i.error_code)).toEqual([LEAD_FORM]);
  });

  it('refuses to republish a disapproved ad with 2490427', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    sim.finishReviews();
    const r = await graphPost(sim, '5005', { status: 'ACTIVE' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 100, error_subcode: 2490427 });
    expect((await statuses(sim, '1001'))['5005']).toBe('DISAPPROVED');
  });

  it('starts no review when a healthy ad is switched on, and a republish during a review does not heal early', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '5001', { status: 'ACTIVE' });
    expect(sim.pendingReviews()).toEqual([]);
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    const first = sim.pendingReviews().find((r) => r.adId === '5003')!;
    // Republished while the geo change is still in review: the break has not shown yet, so nothing heals.
    await graphPost(sim, '5003', { status: 'ACTIVE' });
    expect(sim.pendingReviews().find((r) => r.adId === '5003')!.endsAt).toBeGreaterThanOrEqual(first.endsAt);
    sim.finishReviews();
    expect((await statuses(sim, '1001'))['5003']).toBe('WITH_ISSUES');
  });

  it('keeps an ad paused during its review paused, with its issue, and reviews it again when switched on', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    await graphPost(sim, '5002', { status: 'PAUSED' });
    expect((await statuses(sim, '1001'))['5002']).toBe('PAUSED');
    sim.finishReviews();
    const paused = (await adsOf(sim, '1001'))['5002']!;
    expect(paused.effective_status).toBe('PAUSED');
    expect(paused.issues_info.map((i) => i.error_code)).toEqual([LEAD_FORM]);
    await graphPost(sim, '5002', { status: 'ACTIVE' });
    expect((await statuses(sim, '1001'))['5002']).toBe('PENDING_REVIEW');
    sim.finishReviews();
    expect((await statuses(sim, '1001'))['5002']).toBe('WITH_ISSUES');
  });
});

// Simulator assumption rollback-heals (src/graph/review.ts): a review that finds the ad set back on the geo its ads were approved
// with heals what the geo change broke. Meta does not document how a rollback ends.
describe('rollback', () => {
  it('goes through review and then heals the ads the geo change broke', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    sim.finishReviews();
    expect(await statuses(sim, '1001')).toMatchObject({
      '5002': 'WITH_ISSUES',
      '5003': 'WITH_ISSUES',
      '5005': 'DISAPPROVED',
    });
    await graphPost(sim, '1001', { targeting: ORIGINAL });
    // The rejected ad stays rejected; the broken ones are reviewed again.
    expect(await statuses(sim, '1001')).toMatchObject({
      '5001': 'PENDING_REVIEW',
      '5002': 'PENDING_REVIEW',
      '5003': 'PENDING_REVIEW',
      '5005': 'DISAPPROVED',
    });
    sim.finishReviews();
    const healed = await adsOf(sim, '1001');
    for (const id of ['5001', '5002', '5003'])
      expect(healed[id], id).toMatchObject({ effective_status: 'ACTIVE', issues_info: [] });
  });

  it('heals nothing when the ad set moves to yet another geo', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    sim.finishReviews();
    await graphPost(sim, '1001', { targeting: geo('3843') });
    sim.finishReviews();
    expect(await statuses(sim, '1001')).toMatchObject({
      '5001': 'ACTIVE',
      '5002': 'WITH_ISSUES',
      '5003': 'WITH_ISSUES',
    });
  });

  it('heals at once with review time 0, as the worker tests rely on', async () => {
    const sim = await start();
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    expect(sim.state.ads['5002']!.effective_status).toBe('WITH_ISSUES');
    await graphPost(sim, '1001', { targeting: ORIGINAL });
    expect(sim.state.ads['5002']).toMatchObject({ effective_status: 'ACTIVE', issues_info: [] });
  });
});

describe('review time', () => {
  // Simulator assumption review-time-zero: the default review time is 0 so that tests without a review step see the verdict at once.
  it('defaults to 0 (the verdict shows right after the write) and changes live through the settings route', async () => {
    const sim = await start();
    expect(sim.state.graph.reviewMs).toBe(0);
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    expect(sim.pendingReviews()).toEqual([]);
    expect((await statuses(sim, '1001'))['5002']).toBe('WITH_ISSUES');

    expect((await admin(sim, 'POST', '/__sim/settings', { graph: { reviewMs: LONG } })).status).toBe(200);
    expect(sim.state.graph.reviewMs).toBe(LONG);
    await graphPost(sim, '1001', { targeting: ORIGINAL });
    expect((await statuses(sim, '1001'))['5002']).toBe('PENDING_REVIEW');
  });

  it('refuses a review time that is not a number of ms >= 0, changing nothing', async () => {
    const sim = await start();
    for (const reviewMs of [-1, 'soon', null]) {
      const r = await admin(sim, 'POST', '/__sim/settings', { graph: { reviewMs, tokenExpired: true } });
      expect(r.status).toBe(400);
      expect(r.json.error.message).toContain('graph.reviewMs');
    }
    expect(sim.state.graph).toMatchObject({ reviewMs: 0, tokenExpired: false });
  });

  it('takes a per-ad override', async () => {
    const scenario = smallScenario();
    scenario.graph.ads[1]!.reviewMs = LONG; // 5002 only
    const sim = await start({ scenario });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    expect(sim.pendingReviews().map((r) => r.adId)).toEqual(['5002']);
    expect(await statuses(sim, '1001')).toMatchObject({
      '5001': 'ACTIVE',
      '5002': 'PENDING_REVIEW',
      '5003': 'WITH_ISSUES',
    });
  });

  it('starts over on reset', async () => {
    const sim = await start({ scenario: longReviews() });
    await graphPost(sim, '1001', { targeting: NEW_GEO });
    await admin(sim, 'POST', '/__sim/reset');
    expect(sim.pendingReviews()).toEqual([]);
    expect(sim.state.approvedGeo).toEqual({});
    expect((await statuses(sim, '1001'))['5002']).toBe('ACTIVE');
  });
});
