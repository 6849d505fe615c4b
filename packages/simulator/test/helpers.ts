import { afterEach } from 'vitest';
import { startSimulator, type Scenario, type Simulator, type StartOptions } from '../src/index.js';

export const TOKEN = 'sim-token';
export const V = 'v25.0';

/** A small scenario: one account, one campaign with `adsetCount` ACTIVE ad sets (ids 1001...). */
export function smallScenario(adsetCount = 3): Scenario {
  const adsets: Scenario['graph']['adsets'] = [];
  for (let i = 0; i < adsetCount; i++) {
    adsets.push({
      id: String(1001 + i),
      campaignId: '9001',
      name: `set ${i + 1}`,
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      targeting: {
        age_min: 30,
        geo_locations: { regions: [{ key: '3847' }] },
        targeting_automation: { advantage_audience: 0 },
      },
    });
  }
  return {
    closrtech: {
      email: 'e@example.com',
      password: 'pw',
      campaigns: { OBJ: { OH: { demand: 15, stock: 2 } }, NUM: { CA: 3, TX: 0 } },
      noAccess: ['SECRET'],
    },
    graph: {
      accessToken: TOKEN,
      adAccounts: { act_1: {} },
      campaigns: { '9001': { adAccountId: 'act_1', name: 'C' } },
      adsets,
      ads: [
        {
          id: '5001',
          adsetId: '1001',
          name: 'ad ok',
          status: 'ACTIVE',
          effective_status: 'ACTIVE',
          onGeoChange: 'none',
        },
        {
          id: '5002',
          adsetId: '1001',
          name: 'ad break',
          status: 'ACTIVE',
          effective_status: 'ACTIVE',
          onGeoChange: 'break',
        },
        {
          id: '5003',
          adsetId: '1001',
          name: 'ad heal',
          status: 'ACTIVE',
          effective_status: 'ACTIVE',
          onGeoChange: 'break-heal-on-republish',
        },
        {
          id: '5004',
          adsetId: '1001',
          name: 'ad paused',
          status: 'PAUSED',
          effective_status: 'PAUSED',
          onGeoChange: 'break',
        },
      ],
    },
  };
}

const running: Simulator[] = [];

/** Starts a simulator that is closed after the current test. */
export async function start(
  opts: Partial<StartOptions> & { scenario?: StartOptions['scenario'] } = {},
): Promise<Simulator> {
  const sim = await startSimulator({ scenario: smallScenario(), ...opts });
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export interface GraphAnswer {
  status: number;
  headers: Headers;

  json: any;
}

/** GET `${graphUrl}/${V}/${path}` with the token added unless `query.access_token` is given. */
export async function graphGet(sim: Simulator, path: string, query: Record<string, string> = {}): Promise<GraphAnswer> {
  const params = new URLSearchParams({ access_token: TOKEN, ...query });
  const res = await fetch(`${sim.graphUrl}/${V}/${path}?${params.toString()}`);
  return { status: res.status, headers: res.headers, json: await res.json() };
}

/** POST form-encoded fields (targeting objects are JSON-encoded, as the product sends them). */
export async function graphPost(sim: Simulator, path: string, fields: Record<string, unknown>): Promise<GraphAnswer> {
  const form = new URLSearchParams({ access_token: TOKEN });
  for (const [k, v] of Object.entries(fields)) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const res = await fetch(`${sim.graphUrl}/${V}/${path}`, { method: 'POST', body: form });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

export const geo = (...keys: string[]): Record<string, unknown> => ({
  geo_locations: { regions: keys.map((key) => ({ key })) },
});
