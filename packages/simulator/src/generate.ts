import { keyOf, REGIONS } from './region-table.js';
import type { RateBudget, Scenario, ScenarioAd, ScenarioAdset } from './types.js';

export interface GenerateOptions {
  accounts: number;
  campaignsPerAccount: number;
  adsetsPerCampaign: number;
  /** ad sets already target exactly the demanded states (nothing to write) */
  alreadyInSync?: boolean;
  /** default 1 */
  adsPerAdset?: number;
  /** USPS codes with demand > 0; default CA, TX, FL, NY, OH */
  demandStates?: string[];
  rateBudget?: RateBudget;
  pageCap?: number;
}

export interface BenchCampaignsFile {
  campaigns: Array<{
    name: string;
    closrtechCampaign: string;
    adAccountId: string;
    facebookCampaignIds: string[];
    protection: boolean;
    enabled: boolean;
  }>;
}

const DEFAULT_DEMAND = ['CA', 'TX', 'FL', 'NY', 'OH'];
const BENCH_TOKEN = 'sim-token';

// Ids are built as strings: 18-digit Graph ids do not fit in a JS number.
const numericId = (prefix: string, n: number): string => `${prefix}${String(n).padStart(16, '0')}`;
const accountId = (i: number): string => `act_${1000000000 + i}`;

function otherStates(demand: string[]): string[] {
  const taken = new Set(demand.map((s) => s.toUpperCase()));
  const preferred = ['WA', 'OR'].filter((s) => !taken.has(s));
  if (preferred.length > 0) return preferred;
  const spare = REGIONS.find((r) => !taken.has(r.usps));
  if (!spare) throw new Error('demandStates covers every state: no out-of-sync targeting possible');
  return [spare.usps];
}

function targetingFor(states: string[], n: number): Record<string, unknown> {
  const advantageAudience = n % 2;
  return {
    // Meta: with Advantage+ audience on, age_min is 18..25 and age_max is fixed at 65.
    age_min: advantageAudience === 1 ? 18 + (n % 3) * 3 : 25 + (n % 3) * 5,
    age_max: 65,
    genders: n % 4 === 0 ? [1] : [1, 2],
    geo_locations: { regions: states.map((s) => ({ key: keyOf(s) })), location_types: ['home', 'recent'] },
    flexible_spec: [
      {
        interests: [
          { id: '6003139266461', name: 'Insurance' },
          { id: '6003020834693', name: 'Personal finance' },
        ],
      },
    ],
    publisher_platforms: ['facebook', 'instagram'],
    targeting_automation: { advantage_audience: advantageAudience },
  };
}

/**
 * A large scenario for the benchmark: one CLOSRTECH campaign BENCH_<i> per ad account, numeric
 * Graph ids, ACTIVE ad sets either already in sync with the demand or targeting other states.
 */
export function generateScenario(opts: GenerateOptions): Scenario {
  const demand = opts.demandStates ?? DEFAULT_DEMAND;
  const stale = otherStates(demand);
  const adsPerAdset = opts.adsPerAdset ?? 1;
  const scenario: Scenario = {
    latencyMs: 0,
    closrtech: { email: 'bench@example.com', password: 'bench-password', campaigns: {}, noAccess: [] },
    graph: {
      accessToken: BENCH_TOKEN,
      pageCap: opts.pageCap ?? 25,
      adAccounts: {},
      campaigns: {},
      adsets: [],
      ads: [],
    },
  };
  const adsets: ScenarioAdset[] = scenario.graph.adsets;
  const ads: ScenarioAd[] = scenario.graph.ads;
  let campaignN = 0;
  let adsetN = 0;
  let adN = 0;
  for (let i = 1; i <= opts.accounts; i++) {
    const acct = accountId(i);
    scenario.graph.adAccounts[acct] = opts.rateBudget ? { rateBudget: { ...opts.rateBudget } } : {};
    const body: Record<string, { demand: number; stock: number }> = {};
    demand.forEach((s, k) => (body[s.toUpperCase()] = { demand: 3 + ((i + k) % 17), stock: k % 3 }));
    for (const s of stale) body[s] = { demand: 0, stock: 5 };
    scenario.closrtech.campaigns[`BENCH_${i}`] = body;
    for (let c = 0; c < opts.campaignsPerAccount; c++) {
      const campaignId = numericId('12', ++campaignN);
      scenario.graph.campaigns[campaignId] = { adAccountId: acct, name: `BENCH ${i}.${c + 1}` };
      for (let a = 0; a < opts.adsetsPerCampaign; a++) {
        const adsetId = numericId('23', ++adsetN);
        adsets.push({
          id: adsetId,
          campaignId,
          name: `BENCH ${i}.${c + 1} ad set ${a + 1}`,
          status: 'ACTIVE',
          effective_status: 'ACTIVE',
          targeting: targetingFor(opts.alreadyInSync ? demand : stale, adsetN),
          issues_info: [],
        });
        for (let d = 0; d < adsPerAdset; d++) {
          ads.push({
            id: numericId('24', ++adN),
            adsetId,
            name: `BENCH ad ${adN}`,
            status: 'ACTIVE',
            effective_status: 'ACTIVE',
            issues_info: [],
            onGeoChange: 'none',
          });
        }
      }
    }
  }
  return scenario;
}

/** The product's campaigns file for a generated scenario: one product campaign per ad account. */
export function benchCampaignsFile(scenario: Scenario): BenchCampaignsFile {
  const byAccount = new Map<string, string[]>();
  for (const [id, c] of Object.entries(scenario.graph.campaigns)) {
    const list = byAccount.get(c.adAccountId) ?? [];
    list.push(id);
    byAccount.set(c.adAccountId, list);
  }
  return {
    campaigns: [...byAccount.entries()].map(([adAccountId, facebookCampaignIds], k) => ({
      name: `Bench ${k + 1}`,
      closrtechCampaign: `BENCH_${k + 1}`,
      adAccountId,
      facebookCampaignIds,
      protection: true,
      enabled: true,
    })),
  };
}
