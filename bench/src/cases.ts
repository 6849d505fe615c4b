import type { RateBudget } from '@closrads/simulator';

export interface CaseSpec {
  name: string;
  description: string;
  accounts: number;
  campaignsPerAccount: number;
  adsetsPerCampaign: number;
  /** ad sets already target the demanded states: nothing to write */
  alreadyInSync: boolean;
  protection: boolean;
  adsPerAdset: number;
  /** per ad account score budget in the simulator (reads 1 point, writes 3, drained `maxPoints` per `windowMs`) */
  rateBudget?: RateBudget;
  /** part of `--quick` (and of the smoke test) */
  quick: boolean;
  /** too long for the default list: runs only when named with --case */
  heavy?: boolean;
  /** the least --run-timeout this case is given, ms (a long case must not time out at the default) */
  minRunTimeoutMs?: number;
  /** time budget of the sequential baseline for this case, when it differs from --seq-budget */
  seqBudgetMs?: number;
  /** worker processes on the run, each with the bench's concurrency (default 1) */
  workers?: number;
}

export const ADS_PER_ADSET = 1;
/** Ads per ad set where protection is on: what pre-flight, the looks and the old design's republish see. */
export const ADS_PER_PROTECTED_ADSET = 2;

function sized(n: number): Pick<CaseSpec, 'accounts' | 'campaignsPerAccount' | 'adsetsPerCampaign'> {
  if (n === 100) return { accounts: 2, campaignsPerAccount: 2, adsetsPerCampaign: 25 };
  if (n === 1000) return { accounts: 5, campaignsPerAccount: 4, adsetsPerCampaign: 50 };
  if (n === 10_000) return { accounts: 10, campaignsPerAccount: 5, adsetsPerCampaign: 200 };
  if (n === 50_000) return { accounts: 20, campaignsPerAccount: 5, adsetsPerCampaign: 500 };
  // Enough ad accounts that three workers stay under 100 writes per second on each: latency-bound.
  if (n === 5000) return { accounts: 20, campaignsPerAccount: 2, adsetsPerCampaign: 125 };
  throw new Error(`no shape for ${n} ad sets`);
}

const label = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));

function build(): CaseSpec[] {
  const out: CaseSpec[] = [];
  for (const n of [100, 1000, 10_000]) {
    const shape = sized(n);
    const where = `${shape.accounts} ad accounts × ${shape.campaignsPerAccount} campaigns × ${shape.adsetsPerCampaign} ad sets`;
    for (const protection of [false, true]) {
      out.push({
        name: `change-${label(n)}${protection ? '-protect' : ''}`,
        description: `${n} ad sets all needing a change, protection ${protection ? `on, ${ADS_PER_PROTECTED_ADSET} ads each` : 'off'} (${where})`,
        ...shape,
        alreadyInSync: false,
        protection,
        adsPerAdset: protection ? ADS_PER_PROTECTED_ADSET : ADS_PER_ADSET,
        quick: n === 100,
      });
    }
    for (const protection of [false, true]) {
      out.push({
        name: `steady-${label(n)}${protection ? '-protect' : ''}`,
        description: `${n} ad sets already in sync (steady state), protection ${protection ? `on, ${ADS_PER_PROTECTED_ADSET} ads each` : 'off'} (${where})`,
        ...shape,
        alreadyInSync: true,
        protection,
        adsPerAdset: protection ? ADS_PER_PROTECTED_ADSET : ADS_PER_ADSET,
        quick: n === 100,
      });
    }
  }
  // An agency's size in one run: Meta holds at most 5,000 ad sets per ad account, this has 2,500 each.
  const big = sized(50_000);
  out.push({
    name: 'change-50k-20acct',
    description: `50000 ad sets all needing a change over 20 ad accounts, protection off (${big.accounts} ad accounts × ${big.campaignsPerAccount} campaigns × ${big.adsetsPerCampaign} ad sets; only with --case, run timeout at least 30 min)`,
    ...big,
    alreadyInSync: false,
    protection: false,
    adsPerAdset: ADS_PER_ADSET,
    quick: false,
    heavy: true,
    // About 7 minutes on a loaded 2-core machine; the default --run-timeout is 10.
    minRunTimeoutMs: 30 * 60_000,
  });
  out.push(...workerScalingCases());
  out.push({
    name: 'rate-limited',
    description:
      '300 ad sets all changing, protection off, per ad account budget of 60 points drained per 5 s, both usage headers (3 ad accounts × 2 campaigns × 50 ad sets: 302 points of work per account)',
    accounts: 3,
    campaignsPerAccount: 2,
    adsetsPerCampaign: 50,
    alreadyInSync: false,
    protection: false,
    adsPerAdset: ADS_PER_ADSET,
    rateBudget: { maxPoints: 60, windowMs: 5000 },
    quick: false,
    // Budget-bound, not linear in ad sets: measure it whole.
    seqBudgetMs: 180_000,
  });
  out.push({
    name: 'rate-limited-buc-limited',
    description:
      "60 ad sets all changing, protection off, Meta's Limited access at its real scale (60 points drained per 300 s, block 300 s once reached), X-Business-Use-Case-Usage alone (2 ad accounts × 1 campaign × 30 ad sets: 91 points of work per account)",
    accounts: 2,
    campaignsPerAccount: 1,
    adsetsPerCampaign: 30,
    alreadyInSync: false,
    protection: false,
    adsPerAdset: ADS_PER_ADSET,
    rateBudget: { maxPoints: 60, windowMs: 300_000, blockMs: 300_000, headers: 'buc' },
    quick: false,
    // The original tool has no pacing: it runs into the block and waits it out. A sample says enough.
    seqBudgetMs: 120_000,
  });
  return out;
}

export const CASES: CaseSpec[] = build();

export const totalAdsets = (c: CaseSpec): number => c.accounts * c.campaignsPerAccount * c.adsetsPerCampaign;

export const workersOf = (c: CaseSpec): number => Math.max(1, c.workers ?? 1);

/** The simulator's own limits the ideal takes into account. */
export const SIM_PAGE_CAP = 100;
/** Meta's (and the simulator's default) mutations per second per ad account. */
export const MUTATIONS_PER_SECOND = 100;
/** The product's Graph client asks this many items per page. */
export const CLIENT_PAGE_SIZE = 100;

export interface Ideal {
  /** the lower bound, ms */
  ms: number;
  /** listing lower bound: demand, then the pages of one Facebook campaign (campaigns in parallel), ms */
  listingMs: number;
  /** the listing as the product orders it: Facebook campaigns of a product campaign one after another, ms */
  listingProductMs: number;
  /** ad set phase lower bound, ms */
  adsetPhaseMs: number;
  /** Graph calls per ad set that must be made */
  callsPerAdset: number;
  /** for a rate-limited case: the minimum the budget allows, ms (else undefined) */
  budgetMs?: number;
  formula: string;
}

/**
 * The lower bound on the wall time that the calls the run must make, the latency L and the
 * concurrency C allow:
 *
 *   listing   = L (demand) + ceil(adsetsPerCampaign / page) × L    (pages of one Facebook campaign are
 *               sequential, cursor after cursor; campaigns and ad accounts could all be listed in parallel)
 *   ad sets   = max(ceil(N / (C × W)) × k × L, max per account POSTs / 100 per s)   (W worker processes)
 *               k = calls per ad set: 1 (the write; the listed targeting and ads are reused), with or
 *               without protection; 0 in steady state (nothing to change, nothing to call)
 *   watch     = with protection: the verify delay, then one look at each Facebook campaign's ads
 *               (its pages in sequence: ceil(ads per campaign / page) × L), shared by its ad sets
 *   ideal     = listing + ad sets
 *
 * With a rate budget of B points drained per window W per ad account (the simulator's score drains
 * evenly), P = the points an account must spend (1 per read, 3 per write): budget minimum =
 * L + max(0, P - B) × W / B + L (the first B points go at once, the rest as the score drains; the
 * first call waits for the demand, the last answer takes L); the minimum is then max(ideal, budget
 * minimum).
 */
export function idealFor(c: CaseSpec, latencyMs: number, concurrency: number, verifyDelayMs: number): Ideal {
  const L = latencyMs;
  const page = Math.min(CLIENT_PAGE_SIZE, SIM_PAGE_CAP);
  const pagesPerFb = Math.max(1, Math.ceil(c.adsetsPerCampaign / page));
  const listingMs = L + pagesPerFb * L;
  const listingProductMs = L + c.campaignsPerAccount * pagesPerFb * L;
  const n = totalAdsets(c);
  const lookPages = Math.max(1, Math.ceil((c.adsetsPerCampaign * c.adsPerAdset) / page));
  const k = c.alreadyInSync ? 0 : 1;
  const postsPerAdset = c.alreadyInSync ? 0 : 1;
  const adsetsPerAccount = c.campaignsPerAccount * c.adsetsPerCampaign;
  let adsetPhaseMs = 0;
  if (k > 0) {
    const rounds = Math.ceil(n / (concurrency * workersOf(c))) * k * L;
    const writeCap = ((postsPerAdset * adsetsPerAccount) / MUTATIONS_PER_SECOND) * 1000;
    adsetPhaseMs = Math.max(rounds, writeCap) + (c.protection ? verifyDelayMs + lookPages * L : 0);
  }
  const ideal = listingMs + adsetPhaseMs;
  let budgetMs: number | undefined;
  let formula =
    k === 0
      ? `L + ${pagesPerFb} page(s) × L = ${listingMs} ms (no call per ad set)`
      : `(L + ${pagesPerFb} page(s) × L) + ceil(${n}/${concurrency * workersOf(c)}) × ${k} call(s) × L${c.protection ? ` + verify ${verifyDelayMs} + ${lookPages} look page(s) × L` : ''} = ${Math.round(ideal)} ms`;
  if (c.rateBudget) {
    const lookPoints = c.protection && !c.alreadyInSync ? c.campaignsPerAccount * lookPages : 0;
    const points = c.campaignsPerAccount * pagesPerFb + adsetsPerAccount * 3 * postsPerAdset + lookPoints;
    const b = c.rateBudget.maxPoints;
    budgetMs = budgetMinimumMs(points, c.rateBudget, L);
    formula += `; budget: P=${points} points/account, B=${b} drained per ${c.rateBudget.windowMs} ms → 2L + max(0, P-B) × W/B = ${Math.round(budgetMs)} ms`;
  }
  return {
    ms: Math.max(ideal, budgetMs ?? 0),
    listingMs,
    listingProductMs,
    adsetPhaseMs,
    callsPerAdset: k,
    budgetMs,
    formula,
  };
}

/** The least time `points` of one ad account take under `budget` (see idealFor): 2L + max(0, P - B) × W / B. */
export function budgetMinimumMs(
  points: number,
  budget: { maxPoints: number; windowMs: number },
  latencyMs: number,
): number {
  return 2 * latencyMs + (Math.max(0, points - budget.maxPoints) * budget.windowMs) / budget.maxPoints;
}

/**
 * One run worked by three worker processes, beside the same run with one: throughput, no ad set
 * written twice, and the writes per second per ad account whatever the number of workers.
 */
function workerScalingCases(): CaseSpec[] {
  return [1, 3].map((workers) => {
    const shape = sized(5000);
    return {
      name: `change-5k-${workers}w`,
      description: `5000 ad sets all needing a change, protection off, ${workers} worker process${workers > 1 ? 'es' : ''} (${shape.accounts} ad accounts × ${shape.campaignsPerAccount} campaigns × ${shape.adsetsPerCampaign} ad sets)`,
      ...shape,
      alreadyInSync: false,
      protection: false,
      adsPerAdset: ADS_PER_ADSET,
      quick: false,
      workers,
    };
  });
}
