import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  CampaignStateStore,
  Keyspace,
  buildReport,
  type AdsetResult,
  type CampaignPlanSummary,
  type Outcome,
} from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';

const plan = (status: CampaignPlanSummary['status'], activeStates: string[]): CampaignPlanSummary => ({
  name: 'Veterans',
  status,
  activeStates,
  unmappedStates: [],
  adsetCount: 1,
  ...(status === 'held' ? { holdReason: 'held' } : {}),
});
const line = (outcome: string): AdsetResult & { campaign: string } => ({
  campaign: 'Veterans',
  id: '201',
  name: 'a',
  facebookCampaignId: '9001',
  outcome: outcome as Outcome,
  added: [],
  removed: [],
});
const report = (
  runId: string,
  startedAt: string,
  p: CampaignPlanSummary,
  results: Array<AdsetResult & { campaign: string }> = [],
  dryRun = false,
) =>
  buildReport({
    meta: { runId, trigger: 'demand-change', dryRun, startedAt },
    plan: [p],
    results,
    finishedAt: new Date(startedAt),
  });

describe('CampaignStateStore (real Redis)', () => {
  const prefix = uniquePrefix('cstate');
  let redis: Redis;
  let state: CampaignStateStore;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    state = new CampaignStateStore(redis, new Keyspace(prefix));
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteUnder(testRedisUrl(), prefix);
  });

  it('keeps the last completed run per mode; a hold and an abort leave it as it was', async () => {
    await state.recordReport(
      report('r-20261201-100000-aaaa', '2026-12-01T10:00:00.000Z', plan('completed', ['CA', 'TX']), [line('updated')]),
    );
    await state.recordReport(report('r-20261201-110000-bbbb', '2026-12-01T11:00:00.000Z', plan('held', ['CA'])));
    await state.recordReport(report('r-20261201-113000-cccc', '2026-12-01T11:30:00.000Z', plan('aborted', [])));
    expect(await state.lastCompleted('Veterans', 'live')).toEqual({
      runId: 'r-20261201-100000-aaaa',
      startedMs: Date.parse('2026-12-01T10:00:00.000Z'),
      activeStates: ['CA', 'TX'],
      deferred: false,
    });
    expect(await state.held('Veterans', 'live')).toEqual({ runId: 'r-20261201-110000-bbbb', activeStates: ['CA'] });
    expect(await state.lastCompleted('Veterans', 'dry')).toBeUndefined();
  });

  it('marks a run that deferred an ad set, and a newer completed run ends the hold', async () => {
    await state.recordReport(
      report('r-20261201-120000-dddd', '2026-12-01T12:00:00.000Z', plan('completed', ['CA']), [line('deferred')]),
    );
    expect(await state.lastCompleted('Veterans', 'live')).toMatchObject({
      runId: 'r-20261201-120000-dddd',
      deferred: true,
    });
    expect(await state.held('Veterans', 'live')).toBeUndefined();
  });

  it('never lets an older run that finishes late replace a newer one', async () => {
    await state.recordReport(
      report('r-20261201-090000-eeee', '2026-12-01T09:00:00.000Z', plan('completed', ['NY']), [line('updated')]),
    );
    expect((await state.lastCompleted('Veterans', 'live'))?.runId).toBe('r-20261201-120000-dddd');
  });
});
