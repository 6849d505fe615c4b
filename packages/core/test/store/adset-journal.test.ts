import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { AdsetJournal, Keyspace, type AdsetWatch } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';

const redis = new Redis(testRedisUrl());
const prefixes: string[] = [];
afterEach(async () => {
  for (const p of prefixes.splice(0)) await deleteUnder(testRedisUrl(), p);
});
afterAll(() => redis.disconnect());

function setup(): { journal: AdsetJournal; keys: Keyspace } {
  const prefix = uniquePrefix('journal');
  prefixes.push(prefix);
  const keys = new Keyspace(prefix);
  return { journal: new AdsetJournal(redis, keys), keys };
}

const entry = (runId: string, phase: AdsetWatch['phase'] = 'writing'): AdsetWatch => ({
  runId,
  campaign: 'c',
  adsetId: '2301',
  adsetName: 'a',
  facebookCampaignId: '1201',
  adAccountId: 'act_1',
  protection: false,
  phase,
  beforeStates: [],
  afterKeys: ['3847'],
  added: ['CA'],
  removed: [],
  warnings: [],
  claimedAt: 1,
  looks: 0,
  restoreAttempts: 0,
});
const change = { before: ['3843'], after: ['3847'] };

describe('AdsetJournal.claim with the run change', () => {
  it('claims a free ad set and records what the run changes, in one call', async () => {
    const { journal } = setup();
    const claim = await journal.claim(entry('r1'), change);
    expect(claim.claimed).toBe(true);
    expect((await journal.get('2301'))?.runId).toBe('r1');
    expect((await journal.runChanges('r1')).get('2301')).toEqual(change);
  });

  it('records nothing for a run that finds the ad set held by another change', async () => {
    const { journal } = setup();
    await journal.claim(entry('r1'), change);
    const claim = await journal.claim(entry('r2'), { before: ['3847'], after: ['3843'] });
    expect(claim).toMatchObject({ claimed: false, heldBy: { runId: 'r1' } });
    expect((await journal.runChanges('r2')).size).toBe(0);
    expect((await journal.runChanges('r1')).get('2301')).toEqual(change);
  });

  it('records the change again when the ad set is already this run’s (a resumed claim)', async () => {
    const { journal } = setup();
    await journal.claim(entry('r1'));
    expect((await journal.runChanges('r1')).size).toBe(0);
    const claim = await journal.claim(entry('r1'), change);
    expect(claim).toMatchObject({ claimed: false, resumed: { runId: 'r1' } });
    expect((await journal.runChanges('r1')).get('2301')).toEqual(change);
  });

  it('takes over a finished change', async () => {
    const { journal } = setup();
    await journal.claim(entry('r1'));
    await journal.save(entry('r1', 'done'));
    expect((await journal.claim(entry('r2'), change)).claimed).toBe(true);
    expect((await journal.runChanges('r2')).get('2301')).toEqual(change);
  });
});
