/**
 * The one assembly of a run's report: the plan and the ad set lines (results, and failures turned
 * into lines by report/failures.ts) in; the report, its revision and its follow-up out. Pure (no Redis, no clock: the caller passes `now`), so the
 * finalizer, the watch's revisions and the delivery of a follow-up all come to the same answer.
 *
 * A run can have tens of thousands of ad sets, so the lines are folded in page by page
 * (`foldLines`); the fold keeps one line per ad set and nothing else.
 */
import type { RunMeta } from './run-store';
import type { AdsetResult, CampaignReport, CampaignStatus, FollowUp, RunReport } from './types';
import { decideRunResult } from './verdict';
import { countOutcomes } from './vocabulary';

/** What planning concluded for one campaign, before any ad set ran. */
export interface CampaignPlanSummary {
  name: string;
  status: CampaignStatus;
  abortReason?: string;
  holdReason?: string;
  activeStates: string[];
  unmappedStates: string[];
  adsetCount: number;
}

/** An ad set's line with the campaign it belongs to, as jobs, the planner and the watch hand it over. */
export type ReportLine = AdsetResult & { campaign: string };

export type ReportMeta = Pick<RunMeta, 'runId' | 'trigger' | 'dryRun' | 'startedAt' | 'undoOf'>;

/** The ad set lines gathered so far, one per campaign and ad set. */
export interface LineFold {
  readonly lines: Map<string, ReportLine>;
}

const lineKey = (l: Pick<ReportLine, 'campaign' | 'id'>): string => `${l.campaign}\u0000${l.id}`;

export function newFold(): LineFold {
  return { lines: new Map() };
}

/** Adds a page of lines (results, or failures turned into lines); a later line of an ad set replaces an earlier one. */
export function foldLines(fold: LineFold, lines: Iterable<ReportLine>): LineFold {
  for (const line of lines) fold.lines.set(lineKey(line), line);
  return fold;
}

/**
 * What the watch learned after an ad set's job returned (or died) is the newer word: it replaces
 * the line of an ad set the fold already has, and adds none (a job still waiting has no line yet).
 */
export function overlayLines(fold: LineFold, later: Iterable<ReportLine>): LineFold {
  for (const line of later) {
    const key = lineKey(line);
    if (fold.lines.has(key)) fold.lines.set(key, line);
  }
  return fold;
}

/** Planning never reported: every campaign the run was asked for is aborted with the reason. */
export function abortedPlan(campaigns: readonly string[], failure: string | undefined): CampaignPlanSummary[] {
  const abortReason = `planning failed: ${failure ?? 'no planning result'}`;
  return campaigns.map((name) => ({
    name,
    status: 'aborted',
    abortReason,
    activeStates: [],
    unmappedStates: [],
    adsetCount: 0,
  }));
}

export interface AssembleInput {
  meta: ReportMeta;
  plan: readonly CampaignPlanSummary[];
  lines: LineFold;
  /** The report stored before (a late retry or the watch brings it up to date), if any. */
  previous?: RunReport;
  /** The moment of this assembly: the first report's `finishedAt`, a revision's `updatedAt`. */
  now: Date;
  dashboardUrl?: string;
}

export interface AssembledReport {
  report: RunReport;
  /** 1 for the first report; one more for each assembly that changed an ad set's word. */
  revision: number;
  /** For a revision that changed something: the short notice for the channels. */
  followUp?: FollowUp;
  /** Whether the report is new or differs from `previous` (and so is to be stored and told). */
  changed: boolean;
}

/**
 * The report of the contract. A first assembly is revision 1. Each later one keeps the first
 * report's `finishedAt`, and when an ad set's outcome, review or need of a person changed, it is
 * the next revision, with `updatedAt`, those changes appended to `lateChanges`, and a follow-up.
 */
export function assembleReport(input: AssembleInput): AssembledReport {
  const previous = input.previous;
  const report = reportOf(
    input.meta,
    input.plan,
    input.lines,
    previous ? new Date(previous.finishedAt) : input.now,
    input.dashboardUrl,
  );
  if (!previous) {
    report.revision = 1;
    return { report, revision: 1, changed: true };
  }
  const changes = changedAdsets(previous, report);
  const before = previous.revision ?? 1;
  const revision = changes.length > 0 ? before + 1 : before;
  report.revision = revision;
  report.lateChanges = [...(previous.lateChanges ?? []), ...changes.map((c) => ({ revision, ...c }))];
  if (changes.length === 0)
    return {
      report: previous.updatedAt ? { ...report, updatedAt: previous.updatedAt } : report,
      revision,
      changed: false,
    };
  report.updatedAt = input.now.toISOString();
  return { report, revision, followUp: followUpOf(report, revision), changed: true };
}

/** The first report of a run (revision 1), finished at `finishedAt`. */
export function buildReport(input: {
  meta: ReportMeta;
  plan: readonly CampaignPlanSummary[];
  results: Iterable<ReportLine>;
  finishedAt: Date;
  dashboardUrl?: string;
}): RunReport {
  return assembleReport({
    meta: input.meta,
    plan: input.plan,
    lines: foldLines(newFold(), input.results),
    now: input.finishedAt,
    dashboardUrl: input.dashboardUrl,
  }).report;
}

/** The follow-up of one revision, from the report that carries it: the ad sets whose word changed then. */
export function followUpOf(report: RunReport, revision: number): FollowUp {
  const changes = (report.lateChanges ?? [])
    .filter((c) => c.revision === revision)
    .map(({ revision: _revision, ...change }) => change);
  return {
    runId: report.runId,
    revision,
    dryRun: report.dryRun,
    success: report.success,
    verdict: report.verdict,
    dashboardUrl: report.dashboardUrl,
    changes,
  };
}

function reportOf(
  meta: ReportMeta,
  plan: readonly CampaignPlanSummary[],
  fold: LineFold,
  finishedAt: Date,
  dashboardUrl: string | undefined,
): RunReport {
  const byCampaign = new Map<string, AdsetResult[]>();
  for (const { campaign, ...result } of fold.lines.values()) {
    const list = byCampaign.get(campaign);
    if (list) list.push(result);
    else byCampaign.set(campaign, [result]);
  }
  const campaigns: CampaignReport[] = plan.map((p) => {
    const adsets = (byCampaign.get(p.name) ?? []).sort(
      (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
    );
    return {
      name: p.name,
      status: p.status,
      ...(p.abortReason ? { abortReason: p.abortReason } : {}),
      ...(p.holdReason ? { holdReason: p.holdReason } : {}),
      activeStates: p.activeStates,
      unmappedStates: p.unmappedStates,
      counts: countOutcomes(adsets),
      adsets,
    };
  });
  const { success, verdict } = decideRunResult(campaigns);
  return {
    runId: meta.runId,
    trigger: meta.trigger,
    ...(meta.undoOf ? { undoOf: meta.undoOf } : {}),
    dryRun: meta.dryRun,
    startedAt: meta.startedAt,
    finishedAt: finishedAt.toISOString(),
    success,
    verdict,
    campaigns,
    ...(dashboardUrl ? { dashboardUrl } : {}),
  };
}

/** Ad sets whose outcome, review or need of a person changed since the stored report. */
function changedAdsets(previous: RunReport, next: RunReport): FollowUp['changes'] {
  const before = new Map(
    previous.campaigns.flatMap((c) => c.adsets.map((a) => [`${c.name}\u0000${a.id}`, a] as const)),
  );
  const changed = (was: AdsetResult, now: AdsetResult) =>
    was.outcome !== now.outcome ||
    was.review !== now.review ||
    Boolean(was.needsAttention) !== Boolean(now.needsAttention);
  return next.campaigns.flatMap((c) =>
    c.adsets.flatMap((a) => {
      const was = before.get(`${c.name}\u0000${a.id}`);
      return was && changed(was, a)
        ? [
            {
              campaign: c.name,
              adset: a,
              previousOutcome: was.outcome,
              ...(was.review ? { previousReview: was.review } : {}),
            },
          ]
        : [];
    }),
  );
}
