import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startSimulator, type Scenario, type Simulator } from '@closrads/simulator';
import {
  AccountPacer,
  GraphApiError,
  IN_PLACE_WAIT_MS,
  Keyspace,
  MAX_WRITES_PER_SECOND,
  throttleKind,
  type UsageReading,
} from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import { graphClient, scenario, thrown } from './helpers';

/**
 * The pacer against the simulator's Meta-like budget, over real HTTP and a real Redis. The pacer runs on
 * a clock the test drives, and so does the simulator's budget where a test lets the score drain: what
 * is shown is what the pacer decides from Meta's answers, never how fast anything runs.
 *
 * Assumptions of the simulator these tests rely on (packages/simulator/README.md): the score drains
 * evenly, its maximum per 300 s; a call during a block restarts it and is not charged.
 */

const TARGETING = { geo_locations: { regions: [{ key: '3843' }] } };

/** Two ad accounts, one campaign each, `perAccount` ad sets each (act_1: 1001…, act_2: 2001…). */
function twoAccounts(perAccount: number, budget: Scenario['graph']['adAccounts'][string]): Scenario {
  const s = scenario(perAccount);
  s.graph.adAccounts = { act_1: budget, act_2: budget };
  s.graph.campaigns['9002'] = { adAccountId: 'act_2', name: 'C2' };
  for (let i = 0; i < perAccount; i++) {
    s.graph.adsets.push({ ...s.graph.adsets[i]!, id: String(2001 + i), campaignId: '9002' });
  }
  return s;
}

const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});
async function simulator(s: Scenario, budgetClock?: () => number): Promise<Simulator> {
  const sim = await startSimulator({ scenario: s, latencyMs: 0, ...(budgetClock ? { budgetClock } : {}) });
  sims.push(sim);
  return sim;
}

/** The most moments within any one second. */
function peakPerSecond(moments: number[]): number {
  const sorted = [...moments].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

describe('AccountPacer on the simulator (real Redis, real HTTP)', () => {
  const prefixes: string[] = [];
  let keys: Keyspace;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  beforeEach(() => {
    // Each test paces under its own keys, so one test's pauses never reach another.
    prefixes.push(uniquePrefix('pacer-sim'));
    keys = new Keyspace(prefixes.at(-1)!);
  });
  afterAll(async () => {
    redis.disconnect();
    for (const prefix of prefixes) await deleteUnder(testRedisUrl(), prefix);
  });

  /** A pacer on a clock the test moves, and a Graph client whose usage readings the test records. */
  function rig(sim: Simulator, clock = { now: 50_000_000 }) {
    const pacer = new AccountPacer(redis, keys, {
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now += ms;
      },
    });
    const readings: UsageReading[] = [];
    const graph = graphClient(sim, { onUsage: (r) => readings.push(r) });
    const recordAll = async () => {
      for (const r of readings.splice(0)) await pacer.record(r, clock.now);
    };
    return { clock, pacer, graph, readings, recordAll };
  }

  it('slows before a block with the BUC header alone (Limited access), then goes as fast as the score drains, without a refusal', async () => {
    // The simulator's budget and the pacer share the test's clock: the score drains as it moves.
    const clock = { now: 50_000_000 };
    const sim = await simulator(twoAccounts(30, { rateBudget: { tier: 'limited', headers: 'buc' } }), () => clock.now);
    const { pacer, graph, readings, recordAll } = rig(sim, clock);
    // Planning's listing: the first readings of the headers (a point per page).
    await graph.listAdsets('9001', { adAccountId: 'act_1' });
    const percents = readings.map((r) => r.percent);
    await recordAll();
    const waits: number[] = [];
    for (let i = 0; i < 30; i++) {
      // As the ad set job does: one moment per job; a longer wait parks it, and it comes back with the moment.
      const pace = await pacer.acquire('act_1');
      waits.push(pace.waitMs);
      clock.now += pace.waitMs;
      if (pace.waitMs > IN_PLACE_WAIT_MS) {
        expect(await pacer.acquire('act_1', { reservedAt: clock.now })).toEqual({ waitMs: 0, reserved: false });
        // Back from parking, the listing's copy is old: the job reads its ad set again.
        await graph.getAdset(String(1001 + i), { adAccountId: 'act_1' });
      }
      await graph.updateTargeting(String(1001 + i), TARGETING, { adAccountId: 'act_1' });
      percents.push(...readings.map((r) => r.percent));
      expect(readings.every((r) => r.resetMs === 0)).toBe(true);
      await recordAll();
    }
    const graphCalls = sim.calls.filter((c) => c.api === 'graph');
    // Only the BUC header came, and Meta never refused a call.
    expect(graphCalls.every((c) => c.status === 200 && !c.throttled && c.adAccountId === 'act_1')).toBe(true);
    // The listing's pages (1 point each), then a write (3 points) per ad set, after a read (1) when parked.
    const burst = waits.findIndex((w) => w > 0);
    expect(waits.slice(0, burst).every((w) => w === 0)).toBe(true);
    const listingPoints = graphCalls.filter((c) => c.method === 'GET').length - (30 - burst);
    expect(graphCalls).toHaveLength(listingPoints + 30 + (30 - burst));
    // Nearly all of the 60 points at once, never more than 97 %...
    expect(listingPoints + 3 * burst).toBeGreaterThanOrEqual(55);
    expect(listingPoints + 3 * burst).toBeLessThanOrEqual(58);
    // ...then one job per 4 points drained: 300 s / 60 × 4 = 20 s.
    for (const w of waits.slice(burst + 1)) {
      expect(w).toBeGreaterThan(19_000);
      expect(w).toBeLessThanOrEqual(20_100);
    }
    expect(Math.max(...percents)).toBeLessThanOrEqual(97);
  });

  it("pauses every ad account on the app's limit (code 4), planning's listings included", async () => {
    const sim = await simulator(twoAccounts(2, {}));
    const { clock, pacer, graph, recordAll } = rig(sim);
    sim.addFault({
      match: { method: 'POST', objectId: '1001' },
      response: {
        kind: 'graph-error',
        code: 4,
        message: '(#4) Application request limit reached',
        estimatedMinutes: 2,
      },
    });
    const err = await thrown(graph.updateTargeting('1001', TARGETING, { adAccountId: 'act_1' }));
    await recordAll();
    expect(err).toBeInstanceOf(GraphApiError);
    const e = err as GraphApiError;
    const kind = throttleKind({ code: e.code, subcode: e.subcode, httpStatus: e.details.httpStatus })!;
    expect(kind.scope).toBe('app');
    const pausedMs = await pacer.throttled('act_1', e.details.retryAfterMs ?? kind.defaultWaitMs, kind);
    expect(pausedMs).toBe(120_000);

    // act_2 was never throttled, yet it waits for the app's pause too.
    const pace = await pacer.acquire('act_2', { write: true });
    expect(pace.reserved).toBe(true);
    expect(pace.waitMs).toBeGreaterThanOrEqual(120_000);
    const callsBefore = sim.calls.length;
    const listingStart = clock.now;
    // Planning waits in place for the pause, then lists.
    const listed = await pacer
      .waitForAccount('act_2')
      .then(async (waited) => ({ waited, adsets: await graph.listAdsets('9002', { adAccountId: 'act_2' }) }));
    expect(listed.waited).toBe(120_000);
    expect(clock.now - listingStart).toBe(120_000);
    expect(listed.adsets).toHaveLength(2);
    expect(sim.calls.slice(callsBefore).map((c) => c.objectId)).toEqual(['9002']);
  });

  it("parks a blocked account's jobs once: each wakes at its moment after the pause and goes", async () => {
    const clock = { now: 50_000_000 };
    const sim = await simulator(
      twoAccounts(31, { rateBudget: { maxPoints: 60, windowMs: 300_000, blockMs: 180_000, headers: 'buc' } }),
      () => clock.now,
    );
    const { pacer, graph, recordAll } = rig(sim, clock);
    // Twenty unpaced writes spend the 60 points; the next is refused and blocks the account for 3 minutes.
    for (let i = 0; i < 20; i++) await graph.updateTargeting(String(1001 + i), TARGETING, { adAccountId: 'act_1' });
    const err = (await thrown(graph.updateTargeting('1021', TARGETING, { adAccountId: 'act_1' }))) as GraphApiError;
    await recordAll();
    expect(err.errorClass).toBe('throttle');
    const kind = throttleKind({ code: err.code, subcode: err.subcode })!;
    expect(kind).toMatchObject({ scope: 'account', severity: 'routine' });
    const pausedMs = await pacer.throttled('act_1', err.details.retryAfterMs ?? kind.defaultWaitMs, kind);
    expect(pausedMs).toBe(180_000);

    // Ten jobs ask during the pause and park until the moment they were given.
    const acquires = new Map<string, number>();
    const parked: Array<{ id: string; at: number }> = [];
    for (let i = 21; i < 31; i++) {
      const id = String(1001 + i);
      const pace = await pacer.acquire('act_1', { write: true });
      acquires.set(id, 1);
      expect(pace.reserved).toBe(true);
      parked.push({ id, at: clock.now + pace.waitMs });
    }
    expect(Math.min(...parked.map((p) => p.at))).toBeGreaterThanOrEqual(clock.now + 180_000 - 1);
    // Meta's block ends with the pause (the simulator's budget starts over in its stead).
    sim.reset();
    const callsBefore = sim.calls.length;
    for (const job of parked.sort((a, b) => a.at - b.at)) {
      clock.now = Math.max(clock.now, job.at);
      const pace = await pacer.acquire('act_1', { write: true, reservedAt: job.at });
      acquires.set(job.id, (acquires.get(job.id) ?? 0) + 1);
      expect(pace).toEqual({ waitMs: 0, reserved: false });
      await graph.updateTargeting(job.id, TARGETING, { adAccountId: 'act_1' });
      await recordAll();
    }
    // Each job asked twice in all: when it parked, and once when its moment came.
    expect([...acquires.values()]).toEqual(Array(10).fill(2));
    const after = sim.calls.slice(callsBefore).filter((c) => c.api === 'graph');
    expect(after).toHaveLength(10);
    expect(after.every((c) => c.status === 200)).toBe(true);
  });

  it('holds at most 91 writes per second to one ad account whatever the number of writers', async () => {
    const sim = await simulator(twoAccounts(20, { mutationQps: 10_000 }));
    const connections = [new Redis(testRedisUrl()), new Redis(testRedisUrl()), new Redis(testRedisUrl())];
    try {
      // Three workers, each with its own Redis connection, pacer and Graph client, 10 writers each.
      const workers = connections.map((c) => ({ pacer: new AccountPacer(c, keys), graph: graphClient(sim) }));
      const moments: number[] = [];
      let next = 0;
      const total = 200;
      await Promise.all(
        workers.flatMap((w) =>
          Array.from({ length: 10 }, async () => {
            for (let n = next++; n < total; n = next++) {
              const now = Date.now();
              // No pause here: a moment is always given.
              const waitMs = (await w.pacer.reserveWrite('act_1', now))!;
              moments.push(now + waitMs);
              if (waitMs > 0) await sleep(waitMs);
              await w.graph.updateTargeting(String(1001 + (n % 20)), TARGETING, { adAccountId: 'act_1' });
            }
          }),
        ),
      );
      expect(moments).toHaveLength(total);
      expect(peakPerSecond(moments)).toBeLessThanOrEqual(MAX_WRITES_PER_SECOND);
      expect(sim.state.writes).toHaveLength(total);
      // Reads take no write moment: act_1's next write is not pushed back by them.
      const before = Number(await redis.hget(keys.accountPace('act_1'), 'lastSend'));
      await workers[0]!.pacer.acquire('act_1', {});
      expect(Number(await redis.hget(keys.accountPace('act_1'), 'lastSend'))).toBe(before);
    } finally {
      for (const c of connections) c.disconnect();
    }
  });

  it('paces the Graph client as the worker wires it: each POST waits for its write moment; throttling errors pause whom they stop', async () => {
    const sim = await simulator(twoAccounts(5, {}));
    const { clock, pacer } = rig(sim);
    const throttles: Array<Promise<unknown>> = [];
    const graph = graphClient(sim, {
      beforeWrite: (id) => pacer.beforeWrite(id),
      onThrottled: (err, id) => throttles.push(pacer.afterThrottle(id!, err)),
    });
    const start = clock.now;
    for (let i = 0; i < 5; i++) await graph.updateTargeting(String(1001 + i), TARGETING, { adAccountId: 'act_1' });
    // Five writes on one clock moment: four waits of 11 ms, spent before sending.
    expect(clock.now - start).toBe(44);
    await graph.getAdset('1001', { adAccountId: 'act_1' });
    await graph.listAds('1001', { adAccountId: 'act_1' });
    expect(clock.now - start).toBe(44);
    expect(sim.state.writes).toHaveLength(5);

    sim.addFault({
      match: { method: 'POST', objectId: '2001' },
      response: { kind: 'graph-error', code: 613, message: '(#613) Calls to this api have exceeded the rate limit.' },
    });
    await thrown(graph.updateTargeting('2001', TARGETING, { adAccountId: 'act_2' }));
    const [outcome] = (await Promise.all(throttles)) as Array<{ kind: { severity: string }; pausedMs: number }>;
    expect(outcome).toEqual({
      kind: { scope: 'account', severity: 'alert', defaultWaitMs: 3_600_000 },
      pausedMs: 3_600_000,
    });
    expect(await pacer.pausedFor('act_2')).toBe(3_600_000);
    expect(await pacer.pausedFor('act_1')).toBe(0);
  });
});
