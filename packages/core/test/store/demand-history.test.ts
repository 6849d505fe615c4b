import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { DemandHistory, Keyspace, dailyDemand, decodeDemand, encodeDemand, type DemandPoint } from '../../src';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';

const DAY = 24 * 3600 * 1000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const demand = (o: Record<string, number>) => new Map(Object.entries(o));

describe('demand encoding', () => {
  it('is sorted, leaves zeros out, and reads back', () => {
    expect(encodeDemand(demand({ TX: 4, CA: 5, FL: 0 }))).toBe('CA=5,TX=4');
    expect(decodeDemand('CA=5,TX=4')).toEqual({ CA: 5, TX: 4 });
    expect(decodeDemand('')).toEqual({});
    expect(encodeDemand(demand({ OH: 1.5 }))).toBe('OH=1.5');
  });
});

describe('DemandHistory (real Redis)', () => {
  const prefix = uniquePrefix('demand');
  const keys = new Keyspace(prefix);
  let redis: Redis;
  let history: DemandHistory;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    history = new DemandHistory(redis, keys);
  });
  afterAll(async () => {
    redis.disconnect();
    await deleteUnder(testRedisUrl(), prefix);
  });

  it('stores a reading only when it differs from the previous one', async () => {
    expect(await history.record('Veterans', demand({ CA: 5, TX: 4 }), T0)).toBe(true);
    for (let i = 1; i <= 96; i++)
      expect(await history.record('Veterans', demand({ TX: 4, CA: 5 }), T0 + i * 15 * 60_000)).toBe(false);
    expect(await history.record('Veterans', demand({ CA: 5 }), T0 + DAY)).toBe(true);
    expect(await redis.zcard(keys.demandHistory('Veterans'))).toBe(2);
    expect(await history.since('Veterans', T0 + 2 * DAY)).toEqual([{ at: T0 + DAY, demand: { CA: 5 } }]);
    expect(await history.since('Veterans', T0)).toEqual([
      { at: T0, demand: { CA: 5, TX: 4 } },
      { at: T0 + DAY, demand: { CA: 5 } },
    ]);
  });

  it('drops readings older than 95 days but keeps the one in effect when the window starts', async () => {
    await history.record('Old', demand({ CA: 1 }), T0);
    await history.record('Old', demand({ CA: 2 }), T0 + DAY);
    await history.record('Old', demand({ CA: 3 }), T0 + 2 * DAY);
    await history.record('Old', demand({ CA: 4 }), T0 + 100 * DAY);
    const left = await history.since('Old', 0);
    expect(left.map((p) => p.demand.CA)).toEqual([3, 4]);
    expect(await redis.pttl(keys.demandHistory('Old'))).toBeGreaterThan(90 * DAY);
  });
});

describe('dailyDemand', () => {
  it('gives each day the highest demand in effect, carrying the previous reading over', () => {
    const now = T0 + 3 * DAY + 3600_000;
    const points: DemandPoint[] = [
      { at: T0 + 3600_000, demand: { CA: 5 } },
      { at: T0 + DAY + 3600_000, demand: { CA: 2, TX: 7 } },
      { at: T0 + DAY + 7200_000, demand: { CA: 1 } },
    ];
    expect(dailyDemand(points, 5, now)).toEqual([
      { day: '2026-10-31' },
      { day: '2026-11-01', demand: { CA: 5 } },
      { day: '2026-11-02', demand: { CA: 5, TX: 7 } },
      { day: '2026-11-03', demand: { CA: 1 } },
      { day: '2026-11-04', demand: { CA: 1 } },
    ]);
  });
});
