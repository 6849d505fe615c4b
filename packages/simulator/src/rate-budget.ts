import type { ScenarioAdAccount } from './types.js';

export const READ_COST = 1;
export const WRITE_COST = 3;
const DEFAULT_MUTATION_QPS = 100;

interface Spend {
  at: number;
  cost: number;
}

export type Admission =
  | { ok: true }
  | { ok: false; reason: 'budget' | 'qps'; resetSeconds: number };

export interface AccountUsage {
  /** percent of the budget spent in the current window (1 when the account has no budget) */
  pct: number;
  /** seconds until the next read would fit again (0 when it fits now) */
  resetSeconds: number;
}

/**
 * Per-ad-account sliding-window score (reads 1 point, writes 3, as Meta documents) plus a
 * mutations-per-second cap (613/5044001).
 * Assumption: a refused call is not charged, so a client that waits the advertised time always gets
 * back in. Meta says calls made while blocked keep the block going; the simulator is lenient here so
 * that pacing tests measure the client's waits, not a block it extended by one stray call.
 * Assumption: the window slides (each spend leaves after windowMs) where Meta says the score decays.
 */
export class RateLedger {
  private readonly spent = new Map<string, Spend[]>();
  private readonly posts = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  reset(): void {
    this.spent.clear();
    this.posts.clear();
  }

  /** Decides whether a call may run and, if so, charges it. */
  admit(account: string, cfg: ScenarioAdAccount | undefined, isWrite: boolean): Admission {
    const now = this.now();
    if (isWrite) {
      const qps = cfg?.mutationQps ?? DEFAULT_MUTATION_QPS;
      const recent = (this.posts.get(account) ?? []).filter((t) => t > now - 1000);
      this.posts.set(account, recent);
      if (recent.length >= qps) {
        const oldest = recent[0] ?? now;
        return { ok: false, reason: 'qps', resetSeconds: Math.max(1, Math.ceil((oldest + 1000 - now) / 1000)) };
      }
    }
    const cost = isWrite ? WRITE_COST : READ_COST;
    const budget = cfg?.rateBudget;
    if (budget) {
      const entries = this.window(account, budget.windowMs, now);
      const wait = this.msUntilFits(entries, budget.maxPoints, budget.windowMs, cost, now);
      if (wait > 0) return { ok: false, reason: 'budget', resetSeconds: Math.ceil(wait / 1000) };
      entries.push({ at: now, cost });
    }
    if (isWrite) this.posts.get(account)?.push(now);
    return { ok: true };
  }

  usage(account: string, cfg: ScenarioAdAccount | undefined): AccountUsage {
    const budget = cfg?.rateBudget;
    if (!budget) return { pct: 1, resetSeconds: 0 };
    const now = this.now();
    const entries = this.window(account, budget.windowMs, now);
    const used = entries.reduce((n, e) => n + e.cost, 0);
    const wait = this.msUntilFits(entries, budget.maxPoints, budget.windowMs, READ_COST, now);
    return { pct: (used / budget.maxPoints) * 100, resetSeconds: Math.ceil(wait / 1000) };
  }

  /** Entries still inside the window (pruned in place), oldest first. */
  private window(account: string, windowMs: number, now: number): Spend[] {
    const all = this.spent.get(account) ?? [];
    const live = all.filter((e) => e.at > now - windowMs);
    this.spent.set(account, live);
    return live;
  }

  /** Milliseconds until `cost` more points fit under `max`, as old spends slide out of the window. */
  private msUntilFits(entries: Spend[], max: number, windowMs: number, cost: number, now: number): number {
    let used = entries.reduce((n, e) => n + e.cost, 0);
    if (used + cost <= max) return 0;
    for (const e of entries) {
      used -= e.cost;
      if (used + cost <= max) return Math.max(1, e.at + windowMs - now);
    }
    // A single call costlier than the whole budget never fits; report one full window.
    return windowMs;
  }
}
