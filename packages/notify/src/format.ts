/**
 * What the three renderers (text, email, Slack) share on top of core's vocabulary
 * (report/vocabulary.ts: outcome words and counts): status colours, sentences and ordering, so the
 * channels never disagree about what a run's status is.
 */
import {
  OUTCOME_LABEL,
  campaignCounts,
  campaignVerdict,
  emptyCounts,
  resultOf,
  VERDICT_WORD,
  type AdIssue,
  type AdsetResult,
  type CampaignReport,
  type Outcome,
  type OutcomeCounts,
  type RunReport,
  type Verdict,
} from '@closrads/core';
import { oneLine } from './escape';

export type ReportStatus = 'clean' | 'warning' | 'failure';

/** Default number of notable ad set lines per campaign before "… and N more". */
export const DEFAULT_MAX_ADSETS_PER_CAMPAIGN = 50;

/** The verdict's words (report/verdict.ts), per colour. */
export const STATUS_WORD: Record<ReportStatus, string> = {
  clean: VERDICT_WORD.ok,
  warning: VERDICT_WORD.attention,
  failure: VERDICT_WORD.failed,
};

/** Lower rank is shown first: what a person must act on comes before what merely changed. */
const OUTCOME_RANK: Record<Outcome, number> = {
  failed: 0,
  reverted: 1,
  skipped_preflight: 2,
  superseded: 3,
  deferred: 3,
  skipped_changed: 3,
  updated: 4,
  would_update: 5,
  unchanged: 6,
};

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "a, b and c" */
export function joinAnd(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** YYYY-MM-DD in UTC; falls back to the raw value when it is not a date. */
export function runDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** HH:MM UTC */
export function runTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(11, 16)} UTC`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Thu 26 Nov 2026", built by hand so the output never depends on the host's locale. */
export function longDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "41 s", "3 min 5 s"; empty when either end is missing or unparsable. */
export function duration(startIso: string, endIso: string): string {
  const ms = new Date(endIso).getTime() - new Date(startIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}

/**
 * The date of a run known only by its id (follow-ups carry no timestamps). Run ids look like
 * r-YYYYMMDD-HHMMSS-xxxx; anything else yields the id itself so the subject stays unambiguous.
 */
export function dateFromRunId(runId: string): string {
  const m = /(?:^|-)(\d{4})(\d{2})(\d{2})-\d{6}/.exec(runId);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : runId;
}

function needsAttentionCount(c: CampaignReport): number {
  return c.adsets.reduce((n, a) => n + (a.needsAttention ? 1 : 0), 0);
}

/** The renderers' colour scheme per verdict: the verdict itself comes from report/verdict.ts only. */
const STATUS_OF_VERDICT: Record<Verdict, ReportStatus> = { ok: 'clean', attention: 'warning', failed: 'failure' };

export function campaignStatus(c: CampaignReport): ReportStatus {
  return STATUS_OF_VERDICT[campaignVerdict(c)];
}

/** Green for `ok`, orange for `attention`, red for `failed`: the report's verdict, never re-decided here. */
export function reportStatus(report: RunReport): ReportStatus {
  return STATUS_OF_VERDICT[resultOf(report).verdict];
}

/** A follow-up's status: its verdict when it carries one, else what `success` says. */
export function followUpStatus(f: { success: boolean; verdict?: Verdict }): ReportStatus {
  return STATUS_OF_VERDICT[f.success ? (f.verdict ?? 'ok') : 'failed'];
}

/** How a follow-up names the run's result now, per status. */
export const FOLLOW_UP_WORDS: Record<ReportStatus, string> = {
  clean: 'run now OK',
  warning: 'run now needs attention',
  failure: 'run still FAILED',
};

/** The one sentence of a follow-up (email box, Slack status line). */
export function followUpSentence(changed: number, status: ReportStatus): string {
  const now: Record<ReportStatus, string> = {
    clean: 'The run is now OK.',
    warning: 'The run now needs attention.',
    failure: 'The run still FAILED.',
  };
  return `${plural(changed, 'ad set')} changed after a late retry. ${now[status]}`;
}

/** "completed", "ABORTED" or "HELD": what a campaign's own status is called in every channel. */
export function campaignStatusWord(c: Pick<CampaignReport, 'status'>): string {
  return c.status === 'completed' ? 'completed' : String(c.status).toUpperCase();
}

/** Why a campaign did not complete (abort or hold reason), when it says. */
export function campaignStopReason(c: CampaignReport): string | undefined {
  return c.abortReason ?? c.holdReason;
}

interface RunFigures {
  counts: OutcomeCounts;
  aborted: number;
  /** Campaigns held by their guardrails (nothing written, approval needed). */
  held: number;
  needsAttention: number;
}

function figures(report: RunReport): RunFigures {
  const counts = emptyCounts();
  let aborted = 0;
  let held = 0;
  let needsAttention = 0;
  for (const c of report.campaigns) {
    const k = campaignCounts(c);
    for (const key of Object.keys(counts) as Array<keyof OutcomeCounts>) counts[key] += k[key];
    if (c.status === 'aborted') aborted += 1;
    if (c.status === 'held') held += 1;
    needsAttention += needsAttentionCount(c);
  }
  return { counts, aborted, held, needsAttention };
}

/** Short tally for subject lines and notification previews, e.g. "1 failed, 1 campaign aborted". */
export function subjectTally(report: RunReport): string {
  const { counts: k, aborted, held } = figures(report);
  const issues: string[] = [];
  if (k.failed) issues.push(`${k.failed} failed`);
  if (k.reverted) issues.push(`${k.reverted} reverted`);
  if (aborted) issues.push(`${plural(aborted, 'campaign')} aborted`);
  if (held) issues.push(`${plural(held, 'campaign')} held`);
  if (k.skippedPreflight) issues.push(`${k.skippedPreflight} skipped pre-flight`);
  if (k.superseded) issues.push(`${k.superseded} superseded`);
  if (issues.length) return issues.join(', ');
  if (!report.success) return 'run did not succeed';
  if (k.updated) return `${k.updated} updated`;
  if (k.wouldUpdate) return `${k.wouldUpdate} would update`;
  return 'no changes needed';
}

/**
 * One sentence for the coloured summary box / Slack status line, e.g. "2 ad sets failed and 1 was
 * rolled back because its ads broke; 1 campaign was aborted. Otherwise 40 ad sets were updated and 3
 * were already correct."
 */
export function statusSentence(report: RunReport): string {
  const status = reportStatus(report);
  const { counts: k, aborted, held, needsAttention } = figures(report);
  const was = (n: number) => (n === 1 ? 'was' : 'were');
  const its = (n: number) => (n === 1 ? 'its' : 'their');

  // Only the first ad set phrase names the noun: "2 ad sets failed, 1 was rolled back, ...".
  const adsetPhrases: Array<[number, string]> = [
    [k.failed, 'failed'],
    [k.reverted, `${was(k.reverted)} rolled back because ${its(k.reverted)} ads broke`],
    [needsAttention, `could not be restored and ${needsAttention === 1 ? 'needs' : 'need'} a person`],
    [k.skippedPreflight, `${was(k.skippedPreflight)} skipped at pre-flight because of broken ads`],
    [k.superseded, `${was(k.superseded)} left to a newer run`],
    [k.deferred, `${was(k.deferred)} deferred while an earlier change is watched`],
  ];
  const present = adsetPhrases.filter(([n]) => n > 0);
  const issues = present.map(([n, text], i) => (i === 0 ? `${plural(n, 'ad set')} ${text}` : `${n} ${text}`));
  const adsetPart = joinAnd(issues);
  const campaignPart = joinAnd([
    ...(aborted ? [`${plural(aborted, 'campaign')} ${was(aborted)} aborted`] : []),
    ...(held ? [`${plural(held, 'campaign')} ${was(held)} held by ${held === 1 ? 'its' : 'their'} guardrails`] : []),
  ]);
  const problems = [adsetPart, campaignPart].filter(Boolean).join('; ');

  const changed =
    report.dryRun || k.wouldUpdate > 0
      ? `${plural(k.wouldUpdate, 'ad set')} would be updated and ${k.unchanged} ${k.unchanged === 1 ? 'is' : 'are'} already correct`
      : `${plural(k.updated, 'ad set')} ${was(k.updated)} updated and ${k.unchanged} ${was(k.unchanged)} already correct`;

  // An `ok` run can still have left ad sets to a newer run: said after the changes, not as a problem.
  if (status === 'clean') return `All campaigns ran without issues: ${changed}${problems ? `; ${problems}` : ''}.`;
  if (status === 'warning') return `No failures, but ${problems}. Otherwise ${changed}.`;
  if (!problems) return `The run did not complete successfully. ${capitalize(changed)}.`;
  return `${capitalize(problems)}. Otherwise ${changed}.`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function isNotable(a: AdsetResult): boolean {
  return a.outcome !== 'unchanged';
}

/** Notable ad sets, most urgent first (a failed rollback counts as failed); stable within a rank. */
export function rankOf(a: AdsetResult): number {
  return a.needsAttention ? -1 : (OUTCOME_RANK[a.outcome] ?? OUTCOME_RANK.superseded);
}

export function notableAdsets(c: CampaignReport): AdsetResult[] {
  const rank = rankOf;
  return c.adsets
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => isNotable(a))
    .sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i)
    .map(({ a }) => a);
}

export interface NotableSlice {
  shown: AdsetResult[];
  hidden: AdsetResult[];
}

export function sliceNotable(c: CampaignReport, max: number): NotableSlice {
  const all = notableAdsets(c);
  const limit = Math.max(0, Math.floor(max));
  return { shown: all.slice(0, limit), hidden: all.slice(limit) };
}

/** "12 failed, 300 updated" for the ad sets left out of a list. */
export function describeHidden(hidden: AdsetResult[]): string {
  const byOutcome = new Map<Outcome, number>();
  for (const a of hidden) byOutcome.set(a.outcome, (byOutcome.get(a.outcome) ?? 0) + 1);
  return [...byOutcome.entries()]
    .sort((x, y) => OUTCOME_RANK[x[0]] - OUTCOME_RANK[y[0]])
    .map(([o, n]) => `${n} ${OUTCOME_LABEL[o]}`)
    .join(', ');
}

/** "Ad name (id) — WITH_ISSUES: text" */
export function describeAd(ad: AdIssue, max = 200): string {
  const status = ad.effectiveStatus && ad.issue !== ad.effectiveStatus ? `${ad.effectiveStatus}: ` : '';
  const code = ad.errorCode !== undefined && !ad.issue.includes(String(ad.errorCode)) ? ` [${ad.errorCode}]` : '';
  return `${oneLine(ad.name, 80)} (${ad.id}) — ${oneLine(`${status}${ad.issue}`, max)}${code}`;
}

/** The "why" of an ad set outcome in one short phrase, without the ad list. */
export function adsetReason(a: AdsetResult): string {
  const parts: string[] = [];
  if (a.needsAttention) parts.push('NEEDS ATTENTION: original targeting could not be restored');
  if (a.outcome === 'reverted' && a.rolledBack === true && !a.needsAttention) parts.push('original targeting restored');
  if (a.outcome === 'reverted' && a.rolledBack === false && !a.needsAttention) parts.push('rollback did not complete');
  if (a.outcome === 'deferred')
    parts.push(
      a.reason ??
        (a.deferredBy
          ? `an earlier change by run ${a.deferredBy} is still watched`
          : 'an earlier change is still watched'),
    );
  if (a.review === 'pending') parts.push("Meta's review of its ads is not finished");
  for (const w of a.warnings ?? []) parts.push(`warning: ${w}`);
  if (a.outcome === 'superseded')
    parts.push(a.supersededBy ? `newer run ${a.supersededBy} owns it` : 'a newer run owns it');
  if (a.error) parts.push(oneLine(a.error, 400));
  return parts.join('; ');
}
