/**
 * Guardrails against a demand answer that is valid but wrong: a CLOSRTECH glitch that leaves two
 * states would otherwise move a campaign's whole budget into those two states. Decided before any
 * write, from the states demand maps to and the states of the campaign's last completed live run.
 */

export interface Guardrails {
  /** Fewer mapped active states than this holds the campaign. */
  minStates: number;
  /** Losing more than this percentage of the last completed live run's states holds the campaign. */
  maxDropPercent: number;
}

export const DEFAULT_GUARDRAILS: Guardrails = { minStates: 1, maxDropPercent: 50 };

export interface GuardrailInput {
  campaign: string;
  guardrails: Guardrails;
  /** Mapped active states of this run, sorted. */
  activeStates: readonly string[];
  /** Mapped active states of the campaign's last completed live run; undefined when it has none. */
  lastLiveStates?: readonly string[];
}

export type GuardrailDecision = { hold: false } | { hold: true; reason: string; missing: string[] };

/** How an operator lets a held campaign through, once. */
export function approvalHint(campaign: string): string {
  return `to apply it anyway, run \`pnpm enqueue --campaign ${quoteArg(campaign)} --approve\` or press Approve on the dashboard`;
}

/** Holds the campaign when its demand maps to too few states, or drops too many of the last live run's. */
export function checkGuardrails(input: GuardrailInput): GuardrailDecision {
  const { campaign, guardrails, activeStates } = input;
  if (activeStates.length < guardrails.minStates) {
    return {
      hold: true,
      missing: [],
      reason: `demand maps to ${activeStates.length} ${states(activeStates.length)} (${list(activeStates)}), fewer than the minimum of ${guardrails.minStates}; targeting left as it is; ${approvalHint(campaign)}`,
    };
  }
  const last = input.lastLiveStates;
  if (!last || last.length === 0) return { hold: false };
  const now = new Set(activeStates);
  const missing = last.filter((s) => !now.has(s));
  const dropPercent = (missing.length / last.length) * 100;
  if (dropPercent > guardrails.maxDropPercent) {
    return {
      hold: true,
      missing,
      reason:
        `demand would drop ${missing.length} of the ${last.length} states of the last live run (${formatPercent(dropPercent)} %, more than the allowed ${guardrails.maxDropPercent} %): ` +
        `${list(missing)} would go, ${activeStates.length} ${states(activeStates.length)} would stay (${list(activeStates)}); targeting left as it is; ${approvalHint(campaign)}`,
    };
  }
  return { hold: false };
}

function states(n: number): string {
  return n === 1 ? 'state' : 'states';
}

function list(codes: readonly string[]): string {
  return codes.length > 0 ? codes.join(', ') : 'none';
}

function formatPercent(p: number): string {
  return Number.isInteger(p) ? String(p) : p.toFixed(1);
}

/** Shell-quotes a campaign name only when it needs it. */
function quoteArg(value: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
