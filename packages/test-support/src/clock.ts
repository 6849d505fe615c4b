/**
 * A clock the test moves: `now()` reads it and `sleep(ms)` advances it at once, so code that takes a
 * clock and a way to wait (the pacer, the simulator's budgets) is tested without real time passing.
 */
export interface ManualClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  advance(ms: number): void;
  set(at: number): void;
}

export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let at = start;
  return {
    now: () => at,
    sleep: async (ms) => {
      at += Math.max(0, ms);
    },
    advance: (ms) => {
      at += ms;
    },
    set: (t) => {
      at = t;
    },
  };
}
