import type { RateBudget, RateTier, ScenarioAdAccount, UsageHeaderSet } from './types.js';

/** Meta's ad-account score: a read costs 1 point, a write 3 (meta-graph-api.md §7). */
export const READ_COST = 1;
export const WRITE_COST = 3;
const DEFAULT_MUTATION_QPS = 100;

/**
 * Meta's documented tiers (meta-graph-api.md §7, §15): the score decays over 300 s; Limited access
 * allows 60 points and blocks 300 s once reached, Full access 9000 points and 60 s.
 */
export const RATE_TIERS: Record<RateTier['tier'], Required<Omit<RateBudget, 'headers'>>> = {
  limited: { maxPoints: 60, windowMs: 300_000, blockMs: 300_000 },
  full: { maxPoints: 9000, windowMs: 300_000, blockMs: 60_000 },
};

/** A scenario's budget with a named tier turned into its numbers. */
export function resolveBudget(budget: RateBudget | RateTier | undefined): RateBudget | undefined {
  if (!budget) return undefined;
  if ('tier' in budget) return { ...RATE_TIERS[budget.tier], ...(budget.headers ? { headers: budget.headers } : {}) };
  return budget;
}

/** An ad account's score: `points` as of `at` (it decays from there). */
interface Score {
  points: number;
  at: number;
}

export type Admission = { ok: true } | { ok: false; reason: 'budget' | 'qps'; resetSeconds: number };

export interface AccountUsage {
  /** percent of the budget spent in the current window (1 when the account has no budget) */
  pct: number;
  /**
   * seconds until the score is back to zero (the newest spend has decayed), or until the block ends;
   * 0 when nothing is spent. A refused call's answer says instead when the call would fit.
   */
  resetSeconds: number;
  /** seconds the account stays blocked (0 when not blocked; only budgets with a fixed block) */
  blockedSeconds: number;
  /** the usage headers this account's answers carry */
  headers: UsageHeaderSet;
}

/**
 * Per-ad-account score (reads 1 point, writes 3) plus a mutations-per-second cap.
 *
 * Assumption: Meta says the score "decays" over 300 s without saying how; here it drains evenly, the
 * whole maximum in `windowMs` (`maxPoints / windowMs` points per ms), like a leaky bucket. A score at
 * its maximum is back to zero `windowMs` later.
 *
 * With a fixed block (`blockMs`): the call that would take the score past its maximum is refused and
 * blocks the account for `blockMs`. Assumption: every call made during the block restarts it (Meta:
 * "Continuing to make calls will continue to increase your call count"; how much it extends is not
 * documented) and is not charged to the score, which keeps decaying during the block.
 *
 * Without `blockMs` (older scenarios): a refused call is not charged and waits only until it fits.
 */
export class RateLedger {
  private readonly scores = new Map<string, Score>();
  private readonly posts = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  reset(): void {
    this.scores.clear();
    this.posts.clear();
    this.blockedUntil.clear();
  }

  /** Decides whether a call may run and, if so, charges it. */
  admit(account: string, cfg: ScenarioAdAccount | undefined, isWrite: boolean): Admission {
    const now = this.now();
    const budget = resolveBudget(cfg?.rateBudget);
    if (budget?.blockMs !== undefined && this.blockedMs(account, now) > 0) {
      this.blockedUntil.set(account, now + budget.blockMs);
      return { ok: false, reason: 'budget', resetSeconds: Math.ceil(budget.blockMs / 1000) };
    }
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
    if (budget) {
      const score = this.score(account, budget, now);
      const over = score.points + cost - budget.maxPoints;
      if (over > 0) {
        if (budget.blockMs === undefined)
          return {
            ok: false,
            reason: 'budget',
            resetSeconds: Math.max(1, Math.ceil(this.drainMs(over, budget) / 1000)),
          };
        this.blockedUntil.set(account, now + budget.blockMs);
        return { ok: false, reason: 'budget', resetSeconds: Math.ceil(budget.blockMs / 1000) };
      }
      score.points += cost;
    }
    if (isWrite) this.posts.get(account)?.push(now);
    return { ok: true };
  }

  usage(account: string, cfg: ScenarioAdAccount | undefined): AccountUsage {
    const budget = resolveBudget(cfg?.rateBudget);
    if (!budget) return { pct: 1, resetSeconds: 0, blockedSeconds: 0, headers: 'all' };
    const now = this.now();
    const used = this.score(account, budget, now).points;
    const blocked = this.blockedMs(account, now);
    // Meta's reset_time_duration is the time until the account's score resets (meta-graph-api.md §7).
    const wait = Math.max(blocked, this.drainMs(used, budget));
    return {
      pct: blocked > 0 ? Math.max(100, (used / budget.maxPoints) * 100) : (used / budget.maxPoints) * 100,
      resetSeconds: Math.ceil(wait / 1000),
      blockedSeconds: Math.ceil(blocked / 1000),
      headers: budget.headers ?? 'all',
    };
  }

  private blockedMs(account: string, now: number): number {
    return Math.max(0, (this.blockedUntil.get(account) ?? 0) - now);
  }

  /** The account's score decayed to `now` (kept, so a charge adds to it). */
  private score(account: string, budget: RateBudget, now: number): Score {
    const s = this.scores.get(account) ?? { points: 0, at: now };
    s.points = Math.max(0, s.points - ((now - s.at) * budget.maxPoints) / budget.windowMs);
    s.at = now;
    this.scores.set(account, s);
    return s;
  }

  /** How long the score takes to lose `points`. */
  private drainMs(points: number, budget: RateBudget): number {
    return (points * budget.windowMs) / budget.maxPoints;
  }
}
