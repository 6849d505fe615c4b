import {
  COUNT_OF,
  OUTCOMES,
  VERDICTS,
  campaignVerdict,
  countWorkerProcesses,
  resultOf,
  type QueueName,
  type ReportSummary,
  type RunStore,
} from '@closrads/core';
import type { Queue } from 'bullmq';

/**
 * Prometheus text exposition for `/metrics`. Metric names (all gauges unless noted):
 *
 *   closrads_queue_jobs{queue,state}                      jobs per queue and state (waiting, active, delayed, failed, completed, waiting-children, prioritized, paused)
 *   closrads_queue_completed_total{queue}        counter  jobs completed, from BullMQ metrics (0 unless workers collect metrics)
 *   closrads_queue_failed_total{queue}           counter  jobs failed, likewise
 *   closrads_workers{queue}                               connected workers per queue
 *   closrads_worker_processes                             connected worker processes (one runs a worker per queue)
 *   closrads_last_run_timestamp_seconds                   finish time of the newest finished run (live or dry)
 *   closrads_last_run_success                             1 when that run's `success` is true, else 0
 *   closrads_last_run_verdict{verdict}                    1 for that run's verdict (ok, attention, failed), 0 for the others
 *   closrads_last_run_dry_run                             1 when that run was a dry run
 *   closrads_last_live_run_success                        `success` of the newest finished live run
 *   closrads_last_live_run_verdict{verdict}               its verdict, one-hot like closrads_last_run_verdict
 *   closrads_last_success_timestamp_seconds               finish time of the newest successful live run
 *   closrads_runs_in_progress                             started runs without a report (among the recent ones)
 *   closrads_campaign_last_run_timestamp_seconds{campaign}      finish time of the newest run that covered the campaign (live or dry)
 *   closrads_campaign_last_success_timestamp_seconds{campaign}  finish time of the newest live run in which the campaign succeeded
 *                                                              (completed, not held or aborted, no failed ad set)
 *   closrads_campaign_adsets{campaign,outcome}                  ad sets by outcome in the campaign's newest run
 *
 * Last-success figures count live runs only: a dry run changes nothing on Facebook, so it must never
 * make a stale live sync look fresh. Success is the report's own (report/verdict.ts), as everywhere.
 *
 * Alert example: `time() - closrads_last_success_timestamp_seconds > 86400` (or on a campaign), plus
 * `absent(closrads_last_success_timestamp_seconds)` and `closrads_worker_processes == 0`. BullMQ's own exportPrometheusMetrics() repeats
 * HELP/TYPE lines per queue, which a scrape of several queues rejects, so the families are built here.
 */

/** How many recent runs the run figures look at (a few weeks of daily runs plus manual ones). */
const RUN_SCAN = 200;

export class Exposition {
  private readonly lines: string[] = [];
  family(
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: Array<[Record<string, string>, number]>,
  ): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }
  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? String(v) : 'NaN';
}

const seconds = (iso: string) => Date.parse(iso) / 1000;

export async function renderMetrics(queues: Record<QueueName, Queue>, store: RunStore): Promise<string> {
  const entries = Object.entries(queues) as Array<[QueueName, Queue]>;
  // One look at the connected clients serves both the per-queue and the per-process worker figures.
  const presence = await countWorkerProcesses(queues);
  const perQueue = await Promise.all(
    entries.map(async ([name, q]) => {
      const [counts, completed, failed] = await Promise.all([
        q.getJobCounts(),
        q.getMetrics('completed', 0, 0),
        q.getMetrics('failed', 0, 0),
      ]);
      return {
        name,
        counts,
        completed: completed.meta.count,
        failed: failed.meta.count,
        workers: presence.byQueue[name] ?? 0,
      };
    }),
  );
  const runs = await store.listRuns(RUN_SCAN);
  const reports = runs.map((r) => r.report).filter((r): r is ReportSummary => r !== undefined);

  const out = new Exposition();
  out.family(
    'closrads_queue_jobs',
    'gauge',
    'Jobs per queue and state',
    perQueue.flatMap((q) =>
      Object.entries(q.counts).map(([state, n]): [Record<string, string>, number] => [{ queue: q.name, state }, n]),
    ),
  );
  out.family(
    'closrads_queue_completed_total',
    'counter',
    'Jobs completed (BullMQ metrics; needs worker metrics enabled)',
    perQueue.map((q) => [{ queue: q.name }, q.completed]),
  );
  out.family(
    'closrads_queue_failed_total',
    'counter',
    'Jobs failed (BullMQ metrics; needs worker metrics enabled)',
    perQueue.map((q) => [{ queue: q.name }, q.failed]),
  );
  out.family(
    'closrads_workers',
    'gauge',
    'Connected workers per queue',
    perQueue.map((q) => [{ queue: q.name }, q.workers]),
  );

  out.family('closrads_worker_processes', 'gauge', 'Connected worker processes', [[{}, presence.processes]]);

  const live = reports.filter((r) => !r.dryRun);
  const last = reports[0];
  const lastLive = live[0];
  const lastSuccess = live.find((r) => resultOf(r).success);
  const oneHot = (r: ReportSummary): Array<[Record<string, string>, number]> =>
    VERDICTS.map((verdict) => [{ verdict }, resultOf(r).verdict === verdict ? 1 : 0]);
  out.family(
    'closrads_last_run_timestamp_seconds',
    'gauge',
    'Finish time of the newest finished run (live or dry)',
    last ? [[{}, seconds(last.finishedAt)]] : [],
  );
  out.family(
    'closrads_last_run_success',
    'gauge',
    '1 when the newest finished run succeeded',
    last ? [[{}, resultOf(last).success ? 1 : 0]] : [],
  );
  out.family('closrads_last_run_verdict', 'gauge', "1 for the newest finished run's verdict", last ? oneHot(last) : []);
  out.family(
    'closrads_last_run_dry_run',
    'gauge',
    '1 when the newest finished run was a dry run',
    last ? [[{}, last.dryRun ? 1 : 0]] : [],
  );
  out.family(
    'closrads_last_live_run_success',
    'gauge',
    '1 when the newest finished live run succeeded',
    lastLive ? [[{}, resultOf(lastLive).success ? 1 : 0]] : [],
  );
  out.family(
    'closrads_last_live_run_verdict',
    'gauge',
    "1 for the newest finished live run's verdict",
    lastLive ? oneHot(lastLive) : [],
  );
  out.family(
    'closrads_last_success_timestamp_seconds',
    'gauge',
    'Finish time of the newest successful live run',
    lastSuccess ? [[{}, seconds(lastSuccess.finishedAt)]] : [],
  );
  out.family('closrads_runs_in_progress', 'gauge', 'Recent runs without a report yet', [
    [{}, runs.filter((r) => !r.report).length],
  ]);

  const lastRun = new Map<string, ReportSummary>();
  const lastOk = new Map<string, ReportSummary>();
  for (const report of reports) {
    for (const c of report.campaigns) {
      if (!lastRun.has(c.name)) lastRun.set(c.name, report);
      if (!lastOk.has(c.name) && !report.dryRun && campaignVerdict(c) !== 'failed') lastOk.set(c.name, report);
    }
  }
  out.family(
    'closrads_campaign_last_run_timestamp_seconds',
    'gauge',
    'Finish time of the newest run that covered the campaign (live or dry)',
    [...lastRun].map(([campaign, r]) => [{ campaign }, seconds(r.finishedAt)]),
  );
  out.family(
    'closrads_campaign_last_success_timestamp_seconds',
    'gauge',
    'Finish time of the newest live run in which the campaign succeeded',
    [...lastOk].map(([campaign, r]) => [{ campaign }, seconds(r.finishedAt)]),
  );
  out.family(
    'closrads_campaign_adsets',
    'gauge',
    "Ad sets by outcome in the campaign's newest run",
    [...lastRun].flatMap(([campaign, r]) => {
      const c = r.campaigns.find((x) => x.name === campaign);
      return OUTCOMES.map((outcome): [Record<string, string>, number] => [
        { campaign, outcome },
        c?.counts[COUNT_OF[outcome]] ?? 0,
      ]);
    }),
  );
  return out.toString();
}
