import type { FaultResponse, FaultRule } from './types.js';

/** What a request looks like to the fault matcher. */
export interface FaultTarget {
  api: 'graph' | 'closrtech';
  method: string;
  objectId?: string;
  edge?: string;
  campaign?: string;
}

export interface FaultPlan {
  /** delays to wait before answering (a delay rule lets later rules and normal handling run after it) */
  delayMs: number;
  /** the answer that replaces normal handling, if any */
  terminal?: Exclude<FaultResponse, { kind: 'delay' }>;
}

interface LiveRule {
  rule: FaultRule;
  seen: number;
  left: number;
}

function matches(rule: FaultRule, t: FaultTarget): boolean {
  const m = rule.match;
  if (m.api !== undefined && m.api !== t.api) return false;
  if (m.method !== undefined && m.method !== t.method) return false;
  if (m.objectId !== undefined && m.objectId !== t.objectId) return false;
  if (m.edge !== undefined && m.edge !== t.edge) return false;
  if (m.campaign !== undefined && m.campaign !== t.campaign) return false;
  return true;
}

/** Ordered fault rules, each with its own use counter and match counter (for `nth`). */
export class FaultBook {
  private rules: LiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule: structuredClone(rule), seen: 0, left: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Rules still able to fire, with their remaining uses (for the admin route). */
  list(): Array<FaultRule & { left: number }> {
    return this.rules.filter((r) => r.left !== 0).map((r) => ({ ...r.rule, left: r.left }));
  }

  /** Consumes the rules that apply to this request and says what to do. */
  plan(target: FaultTarget): FaultPlan {
    const plan: FaultPlan = { delayMs: 0 };
    for (const live of this.rules) {
      if (live.left === 0 || !matches(live.rule, target)) continue;
      live.seen++;
      const nth = live.rule.match.nth;
      if (nth !== undefined && live.seen !== nth) continue;
      if (live.left > 0) live.left--;
      const r = live.rule.response;
      if (r.kind === 'delay') {
        plan.delayMs += r.ms;
        continue;
      }
      plan.terminal = r;
      break;
    }
    this.rules = this.rules.filter((r) => r.left !== 0);
    return plan;
  }
}
