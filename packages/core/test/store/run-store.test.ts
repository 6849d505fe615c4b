import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Keyspace, RunStore, buildReport } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';

describe('RunStore (real Redis)', () => {
  const prefix = uniquePrefix('store');
  let redis: Redis;
  let store: RunStore;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    store = new RunStore(redis, new Keyspace(prefix));
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteUnder(testRedisUrl(), prefix);
  });

  it('lists runs newest first with small summaries, and keeps the full report for the run page', async () => {
    const adsets = Array.from({ length: 500 }, (_, i) => ({
      campaign: 'Veterans',
      id: String(i),
      name: `ad set ${i}`,
      facebookCampaignId: '9001',
      outcome: 'updated' as const,
      added: ['CA'],
      removed: [],
    }));
    for (const [runId, at] of [
      ['r-20261125-130000-aaaa', '2026-11-25T13:00:00.000Z'],
      ['r-20261126-130000-bbbb', '2026-11-26T13:00:00.000Z'],
    ] as const) {
      await store.recordStart({ runId, trigger: 'schedule', dryRun: false, campaigns: [], startedAt: at });
      const plan = [
        { name: 'Veterans', status: 'completed' as const, activeStates: ['CA'], unmappedStates: [], adsetCount: 500 },
      ];
      await store.saveReport(
        buildReport({
          meta: { runId, trigger: 'schedule', dryRun: false, startedAt: at },
          plan,
          results: adsets,
          finishedAt: new Date(at),
        }),
      );
    }
    await store.recordStart({
      runId: 'r-20261126-140000-cccc',
      trigger: 'manual',
      dryRun: true,
      campaigns: ['Veterans'],
      startedAt: '2026-11-26T14:00:00.000Z',
    });

    const runs = await store.listRuns(10);
    expect(runs.map((r) => r.meta.runId)).toEqual([
      'r-20261126-140000-cccc',
      'r-20261126-130000-bbbb',
      'r-20261125-130000-aaaa',
    ]);
    expect(runs[0]!.report).toBeUndefined();
    expect(runs[1]!.report!.campaigns[0]).toMatchObject({ name: 'Veterans', counts: { processed: 500, updated: 500 } });
    expect(runs[1]!.report!.campaigns[0]).not.toHaveProperty('adsets');
    expect(JSON.stringify(runs[1]!.report).length).toBeLessThan(1000);
    expect((await store.getReport('r-20261126-130000-bbbb'))!.campaigns[0]!.adsets).toHaveLength(500);
    expect((await store.latestFinished())!.runId).toBe('r-20261126-130000-bbbb');
  });
});
