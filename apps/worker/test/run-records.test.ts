import { describe, expect, it } from 'vitest';
import type { RunMeta } from '@closrads/core';
import { RunRecords } from '../src/processors/run-records';

const meta = (runId: string): RunMeta => ({
  runId,
  trigger: 'manual',
  dryRun: false,
  campaigns: [],
  startedAt: '2026-01-01T00:00:00.000Z',
});

describe('RunRecords', () => {
  it('remembers a run’s record and its plan per campaign', () => {
    const records = new RunRecords();
    expect(records.get('r1', 'c')).toEqual({});
    records.remember('r1', 'c', { meta: meta('r1'), plannedKeys: ['3847'] });
    records.remember('r1', 'd', { plannedKeys: ['3843'] });
    expect(records.get('r1', 'c')).toEqual({ meta: meta('r1'), plannedKeys: ['3847'] });
    expect(records.get('r1', 'd')).toEqual({ meta: meta('r1'), plannedKeys: ['3843'] });
    expect(records.get('r1', 'e')).toEqual({ meta: meta('r1'), plannedKeys: undefined });
  });

  it('keeps nothing Redis did not hold (an unknown run stays unknown)', () => {
    const records = new RunRecords();
    records.remember('r1', 'c', {});
    expect(records.get('r1', 'c')).toEqual({ meta: undefined, plannedKeys: undefined });
  });

  it('forgets the oldest run past its bound', () => {
    const records = new RunRecords();
    for (let i = 0; i < 17; i++) records.remember(`r${i}`, 'c', { meta: meta(`r${i}`) });
    expect(records.get('r0', 'c')).toEqual({});
    expect(records.get('r16', 'c').meta?.runId).toBe('r16');
  });
});
