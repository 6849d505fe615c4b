/**
 * The one place that decides a run's result. Every output (text summary, email, Slack, dashboard,
 * `/metrics`, `/healthz`, exit codes) reads `success` and `verdict` from here or from the stored report,
 * so no two places can disagree about what a run came to.
 *
 * Contract: `success` is true when no campaign was aborted or held and no ad set failed. `verdict` is
 * `failed` when `success` is false, `attention` when something was reverted, skipped at pre-flight or
 * needs a person, else `ok`.
 */

export const VERDICTS = ['ok', 'attention', 'failed'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** The parts of an ad set line the verdict looks at (outcome names are plain strings so new ones slot in). */
export interface VerdictAdset {
  outcome: string;
  needsAttention?: boolean;
}

/** The parts of a campaign the verdict looks at; works on a whole report and on a stored summary alike. */
export interface VerdictCampaign {
  status: string;
  counts?: { failed?: number; reverted?: number; skippedPreflight?: number };
  adsets?: readonly VerdictAdset[];
}

export interface RunResult {
  success: boolean;
  verdict: Verdict;
}

/** Outcomes that make the verdict `attention`: a person should look, though nothing failed. */
const ATTENTION_OUTCOMES: ReadonlySet<string> = new Set(['reverted', 'skipped_preflight']);

function countOf(c: VerdictCampaign, outcome: string, key: 'failed' | 'reverted' | 'skippedPreflight'): number {
  const listed = (c.adsets ?? []).filter((a) => a.outcome === outcome).length;
  // A summary carries counts but no ad set lines; a report carries both. Trust whichever is larger.
  return Math.max(listed, c.counts?.[key] ?? 0);
}

/**
 * Only `completed` counts as done: `aborted` and `held` (and any status added later) make the run
 * unsuccessful, because their campaigns' targeting was not brought in step.
 */
function campaignSucceeded(c: VerdictCampaign): boolean {
  return c.status === 'completed' && countOf(c, 'failed', 'failed') === 0;
}

function campaignNeedsAttention(c: VerdictCampaign): boolean {
  if (countOf(c, 'reverted', 'reverted') > 0 || countOf(c, 'skipped_preflight', 'skippedPreflight') > 0) return true;
  return (c.adsets ?? []).some((a) => a.needsAttention === true || ATTENTION_OUTCOMES.has(a.outcome));
}

/**
 * `success` and `verdict` of a run from its campaigns. Outcomes not named here (`unchanged`,
 * `superseded`, `deferred`, `skipped_changed`, ...) count as neither failure nor attention.
 */
export function decideRunResult(campaigns: readonly VerdictCampaign[]): RunResult {
  const success = campaigns.every(campaignSucceeded);
  if (!success) return { success, verdict: 'failed' };
  return { success, verdict: campaigns.some(campaignNeedsAttention) ? 'attention' : 'ok' };
}

/** The verdict of one campaign, by the same rules as the run's (for per-campaign badges). */
export function campaignVerdict(c: VerdictCampaign): Verdict {
  return decideRunResult([c]).verdict;
}

/**
 * The result of a stored report or summary. Reports stored before `verdict` existed get it derived
 * from their campaigns; an explicit `success: false` is never overruled.
 */
export function resultOf(report: {
  success: boolean;
  verdict?: Verdict;
  campaigns: readonly VerdictCampaign[];
}): RunResult {
  if (report.verdict && (VERDICTS as readonly string[]).includes(report.verdict)) {
    return { success: report.success, verdict: report.success ? report.verdict : 'failed' };
  }
  const derived = decideRunResult(report.campaigns);
  return report.success ? derived : { success: false, verdict: 'failed' };
}

/** How each output names a verdict, so the words are the same everywhere. */
export const VERDICT_WORD: Record<Verdict, string> = {
  ok: 'OK',
  attention: 'Needs attention',
  failed: 'FAILED',
};

/** Exit code of a finished run for `pnpm enqueue --wait` (and undo): 0 unless `success` is false. */
export function exitCodeOf(result: Pick<RunResult, 'success'>): 0 | 1 {
  return result.success ? 0 : 1;
}
