/**
 * What a demand check does with one campaign, decided from the demand it just read and what the
 * campaign's runs left behind (contract, "Following demand").
 */

export type DemandCheckVerdict =
  /** No completed run in this mode yet. */
  | 'first-run'
  /** The mapped active states differ from those of the last completed run. */
  | 'changed'
  /** The last completed run deferred an ad set (an earlier change was still watched). */
  | 'deferred'
  /** Demand maps to the states of the last completed run: nothing to do. */
  | 'in-step'
  /** A run of this campaign is in flight: it will apply demand itself. */
  | 'in-flight'
  /** The campaign is held on exactly this demand: a person must approve it, not a check. */
  | 'held';

export interface DemandCheckInput {
  /** Mapped active states just read, sorted. */
  activeStates: readonly string[];
  lastCompleted?: { activeStates: readonly string[]; deferred: boolean };
  held?: { activeStates: readonly string[] };
  inFlight: boolean;
}

export interface DemandCheckDecision {
  verdict: DemandCheckVerdict;
  /** Start a run for this campaign. */
  sync: boolean;
  /** The hold is over: demand is back where the last completed run left it. */
  clearHold: boolean;
}

export function sameStates(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((s) => set.has(s));
}

export function decideDemandCheck(input: DemandCheckInput): DemandCheckDecision {
  const { activeStates, lastCompleted, held } = input;
  const inStep = lastCompleted !== undefined && sameStates(activeStates, lastCompleted.activeStates);
  const clearHold = held !== undefined && inStep;
  const decide = (verdict: DemandCheckVerdict, sync: boolean): DemandCheckDecision => ({ verdict, sync, clearHold });
  if (input.inFlight) return decide('in-flight', false);
  if (held && !inStep && sameStates(activeStates, held.activeStates)) return decide('held', false);
  if (!lastCompleted) return decide('first-run', true);
  if (lastCompleted.deferred) return decide('deferred', true);
  if (!inStep) return decide('changed', true);
  return decide('in-step', false);
}
