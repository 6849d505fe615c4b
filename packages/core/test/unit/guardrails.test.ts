import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARDRAILS, checkGuardrails, type Guardrails } from '../../src';

const SIX = ['CA', 'FL', 'NY', 'OH', 'TX', 'WA'];

describe('guardrails', () => {
  const cases: Array<{
    what: string;
    guardrails?: Guardrails;
    now: string[];
    last?: string[];
    hold: boolean;
    reason?: RegExp;
  }> = [
    {
      what: 'the defaults hold a drop from 6 states to 2',
      now: ['CA', 'TX'],
      last: SIX,
      hold: true,
      reason: /drop 4 of the 6 states.*66\.7 %.*50 %.*FL, NY, OH, WA would go/,
    },
    { what: 'the defaults let a drop of exactly half through', now: ['CA', 'FL', 'TX'], last: SIX, hold: false },
    { what: 'added states never count as a drop', now: [...SIX, 'GA', 'NV'], last: SIX, hold: false },
    { what: 'no earlier live run: no drop check', now: ['CA'], last: undefined, hold: false },
    { what: 'an earlier live run with no state: no drop check', now: ['CA'], last: [], hold: false },
    {
      what: 'minStates holds too few states',
      guardrails: { minStates: 3, maxDropPercent: 100 },
      now: ['CA', 'TX'],
      hold: true,
      reason: /maps to 2 states \(CA, TX\), fewer than the minimum of 3/,
    },
    {
      what: 'minStates is met exactly',
      guardrails: { minStates: 2, maxDropPercent: 50 },
      now: ['CA', 'TX'],
      hold: false,
    },
    {
      what: 'maxDropPercent 100 never holds on a drop',
      guardrails: { minStates: 1, maxDropPercent: 100 },
      now: ['CA'],
      last: SIX,
      hold: false,
    },
    {
      what: 'maxDropPercent 0 holds any drop',
      guardrails: { minStates: 1, maxDropPercent: 0 },
      now: ['CA', 'FL', 'NY', 'OH', 'TX'],
      last: SIX,
      hold: true,
      reason: /drop 1 of the 6 states of the last live run \(16\.7 %/,
    },
    {
      what: 'a complete move to other states is a 100 % drop',
      now: ['GA', 'NV', 'AZ'],
      last: ['CA', 'TX'],
      hold: true,
      reason: /100 %/,
    },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const decision = checkGuardrails({
        campaign: 'Veterans',
        guardrails: c.guardrails ?? DEFAULT_GUARDRAILS,
        activeStates: c.now,
        lastLiveStates: c.last,
      });
      expect(decision.hold).toBe(c.hold);
      if (decision.hold) {
        expect(decision.reason).toMatch(c.reason!);
        expect(decision.reason).toContain('pnpm enqueue --campaign Veterans --approve');
      }
    });
  }

  it('quotes a campaign name that needs it in the approval hint', () => {
    const decision = checkGuardrails({
      campaign: "Joe's vets",
      guardrails: DEFAULT_GUARDRAILS,
      activeStates: ['CA'],
      lastLiveStates: SIX,
    });
    expect(decision.hold && decision.reason).toContain(`--campaign 'Joe'\\''s vets' --approve`);
  });
});
