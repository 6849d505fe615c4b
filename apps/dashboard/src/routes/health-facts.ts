import { resultOf, type ReportSummary, type RunSummary, type Verdict } from '@closrads/core';

export interface LastRunFact {
  runId: string;
  finishedAt: string;
  success: boolean;
  verdict: Verdict;
  dryRun: boolean;
}

function fact(r: ReportSummary): LastRunFact {
  const { success, verdict } = resultOf(r);
  return { runId: r.runId, finishedAt: r.finishedAt, success, verdict, dryRun: r.dryRun };
}

/**
 * What `/healthz` says about runs: the newest finished run and the newest finished live one (a dry run
 * says nothing about whether Facebook is in step), with the verdict every other output shows, and how
 * many recent runs have no report yet.
 */
export function lastRunFacts(runs: readonly RunSummary[]): {
  lastRun: LastRunFact | null;
  lastLiveRun: LastRunFact | null;
  runsWaiting: number;
} {
  const finished = runs.map((r) => r.report).filter((r): r is ReportSummary => r !== undefined);
  const last = finished[0];
  const lastLive = finished.find((r) => !r.dryRun);
  return {
    lastRun: last ? fact(last) : null,
    lastLiveRun: lastLive ? fact(lastLive) : null,
    runsWaiting: runs.filter((r) => !r.report).length,
  };
}
