import type { RecordedCall } from '@closrads/simulator';
import { describe, expect, it } from 'vitest';
import { adsetsWrittenTwice, writePeakPerAccount } from '../src/run-case';

const call = (over: Partial<RecordedCall>): RecordedCall => ({
  api: 'graph',
  method: 'POST',
  path: '/x',
  query: {},
  body: {},
  status: 200,
  at: 0,
  ...over,
});

describe('writes per ad account in any 1 s (from the simulator log)', () => {
  it('counts within a sliding second, per ad account, POSTs only', () => {
    const calls = [
      // act_a: 3 POSTs within 999 ms, a 4th exactly 1 s after the first (outside its window)
      ...[0, 400, 999, 1000].map((at) => call({ adAccountId: 'act_a', at, objectId: `23${at}` })),
      // act_b: 2 POSTs and many GETs at once
      ...[10, 20].map((at) => call({ adAccountId: 'act_b', at })),
      ...Array.from({ length: 10 }, (_, i) => call({ adAccountId: 'act_b', method: 'GET', at: 15 + i })),
    ];
    expect(writePeakPerAccount(calls)).toEqual({ writes: 3, adAccountId: 'act_a' });
  });

  it('sees a burst that calendar seconds would split in two', () => {
    const calls = [
      ...[900, 950, 1050, 1100].map((at) => call({ adAccountId: 'act_a', at })),
      call({ adAccountId: 'act_a', at: 2500 }),
    ];
    expect(writePeakPerAccount(calls).writes).toBe(4);
  });

  it('is zero without writes', () => {
    expect(writePeakPerAccount([call({ method: 'GET' })]).writes).toBe(0);
  });
});

describe('ad sets written twice', () => {
  it('counts accepted ad set writes only (not throttled or refused ones, not ads)', () => {
    const calls = [
      call({ objectId: '2301', at: 1 }),
      call({ objectId: '2301', at: 2, throttled: true, status: 400 }),
      call({ objectId: '2302', at: 3 }),
      call({ objectId: '2302', at: 4 }),
      call({ objectId: '6001', at: 5 }),
      call({ objectId: '6001', at: 6 }),
    ];
    expect(adsetsWrittenTwice(calls)).toBe(1);
  });
});
