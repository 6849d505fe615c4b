import { describe, expect, it } from 'vitest';
import { decideDemandCheck, sameStates, type DemandCheckInput } from '../../src';

const last = (activeStates: string[], deferred = false) => ({ activeStates, deferred });

describe('demand check decision', () => {
  const cases: Array<{ what: string; input: DemandCheckInput; verdict: string; sync: boolean; clearHold?: boolean }> = [
    {
      what: 'same states as the last completed run: nothing',
      input: { activeStates: ['CA', 'TX'], lastCompleted: last(['CA', 'TX']), inFlight: false },
      verdict: 'in-step',
      sync: false,
    },
    {
      what: 'a state more: sync',
      input: { activeStates: ['CA', 'NY', 'TX'], lastCompleted: last(['CA', 'TX']), inFlight: false },
      verdict: 'changed',
      sync: true,
    },
    {
      what: 'a state less: sync',
      input: { activeStates: ['CA'], lastCompleted: last(['CA', 'TX']), inFlight: false },
      verdict: 'changed',
      sync: true,
    },
    {
      what: 'no completed run yet: sync',
      input: { activeStates: ['CA'], inFlight: false },
      verdict: 'first-run',
      sync: true,
    },
    {
      what: 'an ad set deferred last time: sync although demand is the same',
      input: { activeStates: ['CA'], lastCompleted: last(['CA'], true), inFlight: false },
      verdict: 'deferred',
      sync: true,
    },
    {
      what: 'a run in flight: never a second one',
      input: { activeStates: ['NY'], lastCompleted: last(['CA']), inFlight: true },
      verdict: 'in-flight',
      sync: false,
    },
    {
      what: 'held on this very demand: no repeated held run',
      input: {
        activeStates: ['CA'],
        lastCompleted: last(['CA', 'FL', 'NY']),
        held: { activeStates: ['CA'] },
        inFlight: false,
      },
      verdict: 'held',
      sync: false,
    },
    {
      what: 'held with no completed run yet, same demand: no run',
      input: { activeStates: ['CA'], held: { activeStates: ['CA'] }, inFlight: false },
      verdict: 'held',
      sync: false,
    },
    {
      what: 'held, but demand moved again: sync (the guardrails decide anew)',
      input: {
        activeStates: ['CA', 'TX'],
        lastCompleted: last(['CA', 'FL', 'NY']),
        held: { activeStates: ['CA'] },
        inFlight: false,
      },
      verdict: 'changed',
      sync: true,
    },
    {
      what: 'held, demand back to the last completed run: nothing, and the hold is over',
      input: {
        activeStates: ['CA', 'FL', 'NY'],
        lastCompleted: last(['CA', 'FL', 'NY']),
        held: { activeStates: ['CA'] },
        inFlight: false,
      },
      verdict: 'in-step',
      sync: false,
      clearHold: true,
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const d = decideDemandCheck(c.input);
      expect(d.verdict).toBe(c.verdict);
      expect(d.sync).toBe(c.sync);
      expect(d.clearHold).toBe(c.clearHold ?? false);
    });
  }

  it('compares states as sets', () => {
    expect(sameStates(['CA', 'TX'], ['TX', 'CA'])).toBe(true);
    expect(sameStates(['CA'], ['CA', 'TX'])).toBe(false);
    expect(sameStates([], [])).toBe(true);
  });
});
