import { describe, expect, it } from 'vitest';
import { buildState } from '../src/scenario.js';
import { adsOfAdset, adsetsOfCampaign } from '../src/state-index.js';
import { smallScenario } from './helpers.js';

/** The children index answers from a cache checked once per turn: records poked in directly still show. */
describe('state index', () => {
  it('sees an ad set and an ad added or removed directly, from the next turn on', async () => {
    const state = buildState(smallScenario(3));
    expect(adsetsOfCampaign(state, '9001').map((a) => a.id)).toEqual(['1001', '1002', '1003']);
    state.adsets['1004'] = { ...state.adsets['1001']!, id: '1004' };
    state.ads['5005'] = { ...state.ads['5001']!, id: '5005', adsetId: '1004' };
    await Promise.resolve();
    expect(adsetsOfCampaign(state, '9001').map((a) => a.id)).toEqual(['1001', '1002', '1003', '1004']);
    expect(adsOfAdset(state, '1004').map((a) => a.id)).toEqual(['5005']);
    delete state.adsets['1002'];
    // A removed record is gone at once: every bucket is checked against the records it names.
    expect(adsetsOfCampaign(state, '9001').map((a) => a.id)).toEqual(['1001', '1003', '1004']);
  });
});
