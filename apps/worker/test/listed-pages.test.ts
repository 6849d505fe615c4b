import { afterEach, describe, expect, it } from 'vitest';
import { ListedAdsetSchema, QUEUES, stateKeysOf, type RunReport } from '@closrads/core';
import type { Scenario } from '@closrads/simulator';
import { campaign, startHarness, type Harness } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, ad, adset, keyOf } from '@closrads/test-support/scenarios';

/**
 * A job that runs when the listing's copy of its ad set is older than the freshness window reads the
 * ad set's listing page again (one call per page, shared by the page's jobs) instead of the ad set
 * alone, and writes from that fresh read: an edit made in Ads Manager after planning is kept.
 */

const VET = campaign({
  name: 'Veterans',
  closrtechCampaign: 'VET',
  adAccountId: 'act_1',
  facebookCampaignIds: ['9001'],
});
const ADSETS = 30;
/** The simulator's page size here: 30 ad sets come in 3 pages. */
const PAGE = 10;
const ids = Array.from({ length: ADSETS }, (_, i) => String(5000 + i));

function scenario(): Scenario {
  return {
    closrtech: { email: CREDENTIALS.email, password: CREDENTIALS.password, campaigns: { VET: { CA: 5, TX: 3 } } },
    graph: {
      accessToken: TOKEN,
      pageCap: PAGE,
      adAccounts: { act_1: {} },
      campaigns: { '9001': { adAccountId: 'act_1', name: 'VET' } },
      adsets: ids.map((id) => adset(id, '9001', ['NY'])),
      ads: ids.map((id, i) => ad(String(7000 + i), id)),
    },
  };
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Polls until `check` holds; the bound is only a guard against a hang, not a timing assumption. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

/**
 * Plans a run while the ad set workers are paused, then ages every listed copy past the freshness
 * window (as if the jobs started long after planning) and lets `meanwhile` act before the jobs run.
 */
async function runWithStaleListing(hh: Harness, meanwhile: () => Promise<void>): Promise<RunReport> {
  const worker = hh.system.running!.workers.find((w) => w.name === QUEUES.updateAdset)!;
  await worker.pause(true);
  const report = hh.system.run({ dryRun: false }, 120_000);
  const { deps } = hh.system;
  await until(async () => (await deps.queues.updateAdset.getWaitingCount()) === ADSETS, 'every ad set job is queued');
  const runId = (await deps.queues.updateAdset.getWaiting(0, 0))[0]!.data.runId as string;
  const key = deps.keys.listedTargeting(runId);
  const listed = await deps.redis.hgetall(key);
  expect(Object.keys(listed)).toHaveLength(ADSETS);
  const longAgo = Date.now() - 2 * deps.listedPages.freshReadMs;
  const aged = Object.fromEntries(
    Object.entries(listed).map(([id, raw]) => [
      id,
      JSON.stringify({ ...ListedAdsetSchema.parse(JSON.parse(raw)), readAt: longAgo }),
    ]),
  );
  await deps.redis.hset(key, aged);
  await meanwhile();
  hh.sim.clearCalls();
  await worker.resume();
  return report;
}

const pageReads = (hh: Harness) =>
  hh.sim.calls.filter((c) => c.method === 'GET' && c.objectId === '9001' && c.edge === 'adsets');
const adsetReads = (hh: Harness) =>
  hh.sim.calls.filter((c) => c.method === 'GET' && ids.includes(c.objectId ?? '') && !c.edge);

/** Edits an ad set as a person in Ads Manager would: through the Graph API, the whole targeting. */
async function editInAdsManager(
  hh: Harness,
  id: string,
  change: (t: Record<string, unknown>) => Record<string, unknown>,
) {
  const form = new URLSearchParams({
    access_token: TOKEN,
    targeting: JSON.stringify(change(structuredClone(hh.sim.state.adsets[id]!.targeting))),
  });
  expect((await fetch(`${hh.sim.graphUrl}/v25.0/${id}`, { method: 'POST', body: form })).status).toBe(200);
}

describe('a stale listing is read again by the page', () => {
  it('reads each page once for its jobs, reads no ad set alone, and keeps an Ads Manager edit made after planning', async () => {
    // A wide window, so the re-read pages stay fresh for every job of the page on any machine.
    const hh = (h = await startHarness({
      scenario: scenario(),
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      freshReadMs: 10 * 60_000,
    }));
    const edited = ids[17]!;
    const report = await runWithStaleListing(hh, () => editInAdsManager(hh, edited, (t) => ({ ...t, age_max: 44 })));

    expect(report.campaigns[0]!.adsets.filter((a) => a.outcome === 'updated')).toHaveLength(ADSETS);
    expect(pageReads(hh)).toHaveLength(ADSETS / PAGE);
    expect(adsetReads(hh)).toHaveLength(0);
    // The page reads followed the listing's own cursors: the first page without one, then after each page.
    expect(pageReads(hh).filter((c) => c.query.after === undefined)).toHaveLength(1);
    const writes = hh.sim.calls.filter((c) => c.method === 'POST' && ids.includes(c.objectId ?? ''));
    expect(writes).toHaveLength(ADSETS);
    // The write was computed from the page read after the edit: the edit is still there.
    expect(hh.sim.state.adsets[edited]!.targeting.age_max).toBe(44);
    for (const id of ids)
      expect(stateKeysOf(hh.sim.state.adsets[id]!.targeting).sort()).toEqual([keyOf('CA'), keyOf('TX')].sort());
  });

  it('reads the ad set alone when its page cannot be read again, and still keeps the edit', async () => {
    const hh = (h = await startHarness({
      scenario: scenario(),
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      freshReadMs: 10 * 60_000,
    }));
    const edited = ids[3]!;
    const report = await runWithStaleListing(hh, async () => {
      await editInAdsManager(hh, edited, (t) => ({ ...t, age_max: 44 }));
      // The first page read again is refused, as Graph refuses a cursor whose item is gone.
      hh.sim.addFault({
        match: { api: 'graph', method: 'GET', objectId: '9001', edge: 'adsets' },
        times: 1,
        response: { kind: 'graph-error', code: 100, message: 'The cursor is invalid or its item no longer exists.' },
      });
    });

    expect(report.campaigns[0]!.adsets.filter((a) => a.outcome === 'updated')).toHaveLength(ADSETS);
    expect(adsetReads(hh).length).toBeGreaterThan(0);
    expect(hh.sim.state.adsets[edited]!.targeting.age_max).toBe(44);
    expect(hh.logs.some((l) => l.includes('listing page could not be read again'))).toBe(true);
  });

  it('writes the page read back to the run’s copies, so the jobs of other workers find them fresh', async () => {
    const hh = (h = await startHarness({
      scenario: scenario(),
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      freshReadMs: 10 * 60_000,
    }));
    let runId = '';
    let copies: Record<string, string> = {};
    const report = await runWithStaleListing(hh, async () => {
      const { deps } = hh.system;
      runId = (await deps.queues.updateAdset.getWaiting(0, 0))[0]!.data.runId as string;
      copies = await deps.redis.hgetall(deps.keys.listedTargeting(runId));
      // What a job of another worker process would do with the second page: read it once.
      const second = ListedAdsetSchema.parse(JSON.parse(copies[ids[PAGE]!]!));
      const before = Date.now();
      const read = await deps.listedPages.read(
        {
          runId,
          facebookCampaignId: '9001',
          adAccountId: 'act_1',
          adsetId: ids[PAGE]!,
          regionKeys: [keyOf('CA'), keyOf('TX')],
        },
        second.page!,
      );
      expect(read?.readAt).toBeGreaterThanOrEqual(before);
      const after = await deps.redis.hgetall(deps.keys.listedTargeting(runId));
      const fresh = ids.filter((id) => ListedAdsetSchema.parse(JSON.parse(after[id]!)).readAt >= before);
      // Exactly the second page's ad sets were brought up to date, with the same page reference.
      expect(fresh).toEqual(ids.slice(PAGE, 2 * PAGE));
      for (const id of fresh) expect(ListedAdsetSchema.parse(JSON.parse(after[id]!)).page).toEqual(second.page);
    });
    expect(report.campaigns[0]!.adsets.filter((a) => a.outcome === 'updated')).toHaveLength(ADSETS);
    expect(Object.keys(copies)).toHaveLength(ADSETS);
  });
});
