/**
 * NOTIFY_ON: which reports and follow-ups go to Slack and email. With demand checks every 15 minutes
 * a quiet setting must stay quiet; the stored report, the dashboard and /metrics see every run anyway.
 *
 * - `always`: every report and every follow-up.
 * - `changes`: a run that wrote or would write, held, reverted, failed or aborted anything, or whose
 *   verdict is not `ok`; follow-ups of a report that went out, and follow-ups that bring a problem.
 * - `problems`: a run whose verdict is not `ok`; follow-ups of a report that went out, and follow-ups
 *   that bring a problem (a revert, a failure, an ad set that needs a person).
 */
import { resultOf, type AdsetResult, type NotifyOn, type RunReport, type Verdict } from '@closrads/core';

/** The contract's verdict of a stored report (report/verdict.ts decides it; nothing is re-decided here). */
export function verdictOf(report: RunReport): Verdict {
  return resultOf(report).verdict;
}

/** The run changed, or would have changed, something on Facebook, or something stopped it. */
function changedAnything(report: RunReport): boolean {
  return report.campaigns.some(
    (c) =>
      c.status !== 'completed' ||
      c.counts.updated > 0 ||
      c.counts.wouldUpdate > 0 ||
      c.counts.reverted > 0 ||
      c.counts.failed > 0,
  );
}

export function shouldSendReport(report: RunReport, notifyOn: NotifyOn): boolean {
  if (notifyOn === 'always') return true;
  if (verdictOf(report) !== 'ok') return true;
  return notifyOn === 'changes' && changedAnything(report);
}

/** A follow-up line that is bad news on its own. */
export function isProblem(adset: AdsetResult): boolean {
  return adset.outcome === 'failed' || adset.outcome === 'reverted' || adset.needsAttention === true;
}

export function shouldSendFollowUp(opts: {
  notifyOn: NotifyOn;
  reportWasSent: boolean;
  changes: readonly { adset: AdsetResult }[];
}): boolean {
  if (opts.notifyOn === 'always' || opts.reportWasSent) return true;
  return opts.changes.some((c) => isProblem(c.adset));
}
