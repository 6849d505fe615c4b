import {
  FinalizeReportData,
  abortedPlan,
  assembleReport,
  deliverySlot,
  failureLine,
  foldLines,
  jobIds,
  jobOptions,
  JOB_NAMES,
  newFold,
  overlayLines,
  QUEUES,
  AdsetJobResult as AdsetJobResultSchema,
  PlanSyncResult as PlanSyncResultSchema,
  UpdateAdsetData,
  resultLine,
  type CampaignPlanSummary,
  type LineFold,
  type ReportLine,
} from '@closrads/core';
import { renderTextFollowUp, renderTextSummary } from '@closrads/notify';
import { Job } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { watchAdset } from '../protection/watcher';
import { notifyAllowed } from '../notify-gate';
import { childPages, hashPages } from '../report-pages';

export type ReportChannel = 'email' | 'slack';

type Log = WorkerDeps['logger'];

/**
 * Makes the run's report from its children (the plan and every ad set, failed ones included), stores
 * it, prints the summary, and hands it to the delivery queue. Runs again when an ad set is retried
 * after the report was made, or when the watch learns something new: the stored report is then
 * brought up to date and a follow-up is sent. The results are read page by page and folded into
 * the one assembly (report/assemble.ts), which decides the report, its revision and its follow-up.
 */
export function createFinalizeReportProcessor(
  deps: WorkerDeps,
  out: (text: string) => void = (t) => process.stdout.write(`${t}\n`),
) {
  return async (job: Job): Promise<{ runId: string; success: boolean; revision: number }> => {
    const data = FinalizeReportData.parse(job.data);
    const log = deps.logger.child({ job: job.name, jobId: job.id, runId: data.runId });
    const [meta, previous] = await Promise.all([deps.store.getMeta(data.runId), deps.store.getReport(data.runId)]);
    const { fold, plan, planFailure } = await gatherLines(deps, job, data.runId, log);
    const requested = meta?.campaigns.length
      ? meta.campaigns
      : deps.campaigns.filter((c) => c.enabled).map((c) => c.name);

    const { report, revision, followUp, changed } = assembleReport({
      meta: {
        runId: data.runId,
        trigger: data.trigger,
        dryRun: data.dryRun,
        startedAt: meta?.startedAt ?? new Date(data.requestedAt).toISOString(),
        ...(meta?.undoOf ? { undoOf: meta.undoOf } : {}),
      },
      plan: plan ?? abortedPlan(requested, planFailure),
      lines: fold,
      previous,
      now: new Date(),
      dashboardUrl: deps.notify.dashboardPublicUrl ? `${deps.notify.dashboardPublicUrl}/runs/${data.runId}` : undefined,
    });
    // What the report's appearance promises happens first: the summary (or follow-up) is printed and
    // the campaigns' state recorded before the report is stored, so whoever sees the stored report
    // (enqueue --wait, a test, the next demand check) can count on them.
    if (!previous) await printOnce(deps, data.runId, deliverySlot('stdout'), () => out(renderTextSummary(report)));
    else if (followUp)
      await printOnce(deps, data.runId, deliverySlot('stdout', revision), () => out(renderTextFollowUp(followUp)));
    // An undo follows no demand: the campaign's last completed run stays the one undone, so a demand
    // check does not re-apply the same demand minutes later; a change of demand (or the daily run) does.
    if (report.trigger !== 'undo') await deps.campaignState.recordReport(report);
    if (changed) await deps.store.saveReport(report);

    if (!previous) {
      log.info(
        {
          success: report.success,
          verdict: report.verdict,
          campaigns: report.campaigns.map((c) => ({ name: c.name, status: c.status, counts: c.counts })),
        },
        'run finished',
      );
      await enqueueDeliveries(deps, data.runId, 'report', 1);
    } else if (followUp) {
      log.info(
        { revision, changed: followUp.changes.length, success: report.success },
        'run report brought up to date after a late retry',
      );
      await enqueueDeliveries(deps, data.runId, 'followup', revision);
    }
    return { runId: data.runId, success: report.success, revision };
  };
}

/**
 * Every line of the run, folded page by page: ad sets found in step while planning, the children's
 * results, failed children (each by its recorded failure), and over them the watch's newer word.
 */
async function gatherLines(
  deps: WorkerDeps,
  job: Job,
  runId: string,
  log: Log,
): Promise<{ fold: LineFold; plan?: CampaignPlanSummary[]; planFailure?: string }> {
  // The watch's word is taken as it stands when the finalizer starts, as raw text (compact), before
  // the children: a failed child's line tells that the watch is checking, and what the watch learns
  // after this moment comes as the next revision.
  const watched = new Map<string, string>();
  for await (const page of hashPages(deps.redis, deps.keys.runWatchResults(runId)))
    for (const [id, raw] of page) watched.set(id, raw);
  const fold = newFold();
  let plan: CampaignPlanSummary[] | undefined;
  let planFailure: string | undefined;
  for await (const page of hashPages(deps.redis, deps.keys.unchangedAdsets(runId))) {
    foldLines(
      fold,
      page.map(([, raw]) => AdsetJobResultSchema.parse(JSON.parse(raw))),
    );
  }
  for await (const page of childPages(job, 'processed')) {
    for (const [key, value] of page) {
      const child = await childLine(deps, key, value, log);
      if (child.plan) plan = child.plan;
      if (child.line) foldLines(fold, [child.line]);
    }
  }
  const seen = new Set<string>();
  for await (const page of childPages(job, 'ignored')) {
    for (const [key, reason] of page) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (queueOfKey(key) === QUEUES.planSync) planFailure = String(reason);
      else foldLines(fold, [await failedAdset(deps, key, String(reason))]);
    }
  }
  // Parsed, not cast: a line that does not read (another version's) is left out, and the ad set
  // keeps the line its own job gave.
  for (const raw of watched.values()) {
    const later = AdsetJobResultSchema.safeParse(parseJson(raw));
    if (later.success) overlayLines(fold, [later.data]);
  }
  return { fold, plan, planFailure };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * A finished child's result, parsed: the plan, or an ad set's line. Results were checked when their
 * job returned; one that no longer reads (stored by another version) fails only its own line of the
 * report, not the report.
 */
async function childLine(
  deps: WorkerDeps,
  key: string,
  value: unknown,
  log: Log,
): Promise<{ plan?: CampaignPlanSummary[]; line?: ReportLine }> {
  const unreadable = (issues: unknown) => log.error({ child: key, issues }, 'a job result does not match its schema');
  if (queueOfKey(key) === QUEUES.planSync) {
    const parsed = PlanSyncResultSchema.safeParse(value);
    if (parsed.success) return { plan: parsed.data.campaigns };
    unreadable(parsed.error.issues.slice(0, 3));
    return {};
  }
  const parsed = AdsetJobResultSchema.safeParse(value);
  if (parsed.success) return { line: parsed.data };
  unreadable(parsed.error.issues.slice(0, 3));
  return { line: await failedAdset(deps, key, 'its result could not be read') };
}

/** `{prefix}:update-adset:adset-…` → `update-adset`. */
function queueOfKey(key: string): string {
  const parts = key.split(':');
  return parts[parts.length - 2] ?? '';
}

/**
 * A failed ad set job, turned into its line of the report: from the failure the job recorded when
 * it gave up, or (when it could record none: it stalled too often, say) from its data and the
 * queue's reason. A job that died after claiming the ad set has not finished its change: the watch
 * takes it over, and the report says so until the watch has its word.
 */
async function failedAdset(deps: WorkerDeps, key: string, reason: string): Promise<ReportLine> {
  const id = key.split(':').pop() ?? '';
  const child = await Job.fromId(deps.queues.updateAdset, id);
  const parsed = UpdateAdsetData.safeParse(child?.data);
  if (!parsed.success)
    return {
      campaign: '',
      id,
      name: id,
      facebookCampaignId: '',
      outcome: 'failed',
      added: [],
      removed: [],
      error: reason || 'failed without a reason',
    };
  const data = parsed.data;
  if (!data.dryRun) {
    const entry = await deps.journal.get(data.adsetId);
    if (entry && entry.runId === data.runId && entry.phase !== 'done') {
      if (entry.phase === 'writing') {
        const unsure = { ...entry, phase: 'unsure' as const, nextLookAt: Date.now() };
        await deps.journal.save(unsure);
        await watchAdset(deps, unsure, Date.now());
      }
      if (entry.phase === 'writing' || entry.phase === 'unsure') {
        return {
          ...resultLine(entry, {
            outcome: 'failed',
            error: `${reason}; the watch is checking whether its write landed, and the report will follow`,
          }),
          campaign: entry.campaign,
        };
      }
      return resultLine(entry, entry.result ?? { outcome: 'updated', review: 'pending' });
    }
  }
  const recorded = (await deps.store.getFailures(data.runId, [data.adsetId])).get(data.adsetId);
  return failureLine(
    recorded ?? {
      campaign: data.campaign,
      adsetId: data.adsetId,
      adsetName: data.adsetName,
      facebookCampaignId: data.facebookCampaignId,
      added: data.added,
      removed: data.removed,
      kind: 'unrecorded',
      message: reason,
      retryable: true,
    },
  );
}

async function printOnce(deps: WorkerDeps, runId: string, channel: string, print: () => void): Promise<void> {
  const first = await deps.redis.hsetnx(
    deps.keys.deliveries(runId),
    channel,
    JSON.stringify({ status: 'sent', at: new Date().toISOString() }),
  );
  if (first === 1) print();
}

/** One delivery job per configured channel, when NOTIFY_ON lets it through; the job id makes a second enqueue a no-op. */
export async function enqueueDeliveries(
  deps: WorkerDeps,
  runId: string,
  kind: 'report' | 'followup',
  revision: number,
): Promise<void> {
  const channels: ReportChannel[] = [];
  if (deps.notify.email) channels.push('email');
  if (deps.notify.slackWebhookUrl) channels.push('slack');
  if (channels.length === 0) return;
  if (!(await notifyAllowed(deps, runId, kind, revision))) return;
  const opts = jobOptions(deps.timing).deliverReport;
  await deps.queues.deliverReport.addBulk(
    channels.map((channel) => ({
      name: JOB_NAMES.deliverReport,
      data: { runId, channel, kind, revision },
      opts: { ...opts, jobId: jobIds.deliver(runId, channel, revision) },
    })),
  );
}
