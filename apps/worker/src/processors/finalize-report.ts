import {
  FinalizeReportData,
  buildReport,
  failureLine,
  jobIds,
  jobOptions,
  JOB_NAMES,
  QUEUES,
  AdsetJobResult as AdsetJobResultSchema,
  PlanSyncResult as PlanSyncResultSchema,
  UpdateAdsetData,
  resultLine,
  type AdsetResult,
  type CampaignPlanSummary,
  type FollowUp,
  type RunReport,
} from '@closrads/core';
import { renderTextSummary, renderTextFollowUp } from '@closrads/notify';
import { Job } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { watchAdset } from '../protection/watcher';
import type { AdsetJobResult } from './update-adset';
import { notifyAllowed } from '../notify-gate';

export type ReportChannel = 'email' | 'slack';

/**
 * Builds the run's report from its children (the plan and every ad set, failed ones included), stores
 * it, prints the summary, and hands it to the delivery queue. Runs again when an ad set is retried
 * after the report was made: the stored report is then brought up to date and a follow-up is sent.
 */
export function createFinalizeReportProcessor(deps: WorkerDeps, out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)) {
  return async (job: Job): Promise<{ runId: string; success: boolean; revision: number }> => {
    const data = FinalizeReportData.parse(job.data);
    const log = deps.logger.child({ job: job.name, jobId: job.id, runId: data.runId });
    const [values, failures, meta, previous, unchanged, watched] = await Promise.all([
      job.getChildrenValues<unknown>(),
      job.getIgnoredChildrenFailures(),
      deps.store.getMeta(data.runId),
      deps.store.getReport(data.runId),
      deps.redis.hvals(deps.keys.unchangedAdsets(data.runId)),
      deps.journal.results(data.runId),
    ]);

    let plan: CampaignPlanSummary[] | undefined;
    const results: AdsetJobResult[] = unchanged.map((raw) => AdsetJobResultSchema.parse(JSON.parse(raw)));
    for (const [key, value] of Object.entries(values)) {
      // Results were checked when their job returned; one that no longer reads (stored by another
      // version) fails only its own line of the report, not the report.
      const unreadable = (issues: unknown) => log.error({ child: key, issues }, 'a job result does not match its schema');
      if (queueOfKey(key) === QUEUES.planSync) {
        const parsed = PlanSyncResultSchema.safeParse(value);
        if (parsed.success) plan = parsed.data.campaigns;
        else unreadable(parsed.error.issues.slice(0, 3));
      } else {
        const parsed = AdsetJobResultSchema.safeParse(value);
        if (parsed.success) results.push(parsed.data);
        else {
          unreadable(parsed.error.issues.slice(0, 3));
          results.push(await failedAdset(deps, key, 'its result could not be read'));
        }
      }
    }
    let planFailure: string | undefined;
    for (const [key, reason] of Object.entries(failures)) {
      if (queueOfKey(key) === QUEUES.planSync) planFailure = reason;
      else results.push(await failedAdset(deps, key, reason));
    }
    // What the watch learned after an ad set job returned (or after it died) is the newer word.
    for (let i = 0; i < results.length; i++) {
      const later = watched.get(results[i]!.id);
      if (later && later.campaign === results[i]!.campaign) results[i] = later;
    }
    if (!plan) {
      const names = meta?.campaigns.length ? meta.campaigns : deps.campaigns.filter((c) => c.enabled).map((c) => c.name);
      const reason = `planning failed: ${planFailure ?? 'no planning result'}`;
      plan = names.map((name) => ({ name, status: 'aborted', abortReason: reason, activeStates: [], unmappedStates: [], adsetCount: 0 }));
    }

    const report: RunReport = buildReport({
      meta: {
        runId: data.runId,
        trigger: data.trigger,
        dryRun: data.dryRun,
        startedAt: meta?.startedAt ?? new Date(data.requestedAt).toISOString(),
        ...(meta?.undoOf ? { undoOf: meta.undoOf } : {}),
      },
      plan,
      results,
      finishedAt: previous ? new Date(previous.finishedAt) : new Date(),
      dashboardUrl: deps.notify.dashboardPublicUrl ? `${deps.notify.dashboardPublicUrl}/runs/${data.runId}` : undefined,
    });
    const changes = previous ? changedAdsets(previous, report) : [];
    const revision = !previous ? 1 : changes.length > 0 ? (previous.revision ?? 1) + 1 : (previous.revision ?? 1);
    report.revision = revision;
    if (previous) {
      report.lateChanges = [...(previous.lateChanges ?? []), ...(changes.length > 0 ? changes.map((c) => ({ revision, ...c })) : [])];
      if (changes.length > 0) report.updatedAt = new Date().toISOString();
    }
    // What the report's appearance promises happens first: the summary (or follow-up) is printed and
    // the campaigns' state recorded before the report is stored, so whoever sees the stored report
    // (enqueue --wait, a test, the next demand check) can count on them.
    const followUp: FollowUp | undefined =
      previous && changes.length > 0
        ? { runId: data.runId, revision, dryRun: report.dryRun, success: report.success, verdict: report.verdict, dashboardUrl: report.dashboardUrl, changes }
        : undefined;
    if (!previous) await printOnce(deps, data.runId, 'stdout', () => out(renderTextSummary(report)));
    else if (followUp) await printOnce(deps, data.runId, `stdout-r${revision}`, () => out(renderTextFollowUp(followUp)));
    // An undo follows no demand: the campaign's last completed run stays the one undone, so a demand
    // check does not re-apply the same demand minutes later; a change of demand (or the daily run) does.
    if (report.trigger !== 'undo') await deps.campaignState.recordReport(report);
    if (!previous || changes.length > 0) await deps.store.saveReport(report);

    if (!previous) {
      log.info({ success: report.success, verdict: report.verdict, campaigns: report.campaigns.map((c) => ({ name: c.name, status: c.status, counts: c.counts })) }, 'run finished');
      await enqueueDeliveries(deps, data.runId, 'report', 1);
    } else if (followUp) {
      log.info({ revision, changed: changes.length, success: report.success }, 'run report brought up to date after a late retry');
      await enqueueDeliveries(deps, data.runId, 'followup', revision);
    }
    return { runId: data.runId, success: report.success, revision };
  };
}

/** `{prefix}:update-adset:adset-…` → `update-adset`. */
function queueOfKey(key: string): string {
  const parts = key.split(':');
  return parts[parts.length - 2] ?? '';
}

/**
 * A failed ad set job, turned into its line of the report: from the failure the job recorded when it
 * gave up, or (when it could record none: it stalled too often, say) from its data and the queue's
 * reason. A job that died after claiming the ad set has not finished its change: the watch takes it
 * over, and the report says so until the watch has its word.
 */
async function failedAdset(deps: WorkerDeps, key: string, reason: string): Promise<AdsetJobResult> {
  const id = key.split(':').pop() ?? '';
  const child = await Job.fromId(deps.queues.updateAdset, id);
  const parsed = UpdateAdsetData.safeParse(child?.data);
  if (parsed.success && !parsed.data.dryRun) {
    const entry = await deps.journal.get(parsed.data.adsetId);
    if (entry && entry.runId === parsed.data.runId && entry.phase !== 'done') {
      if (entry.phase === 'writing') {
        const unsure = { ...entry, phase: 'unsure' as const, nextLookAt: Date.now() };
        await deps.journal.save(unsure);
        await watchAdset(deps, unsure, Date.now());
      }
      if (entry.phase === 'writing' || entry.phase === 'unsure') {
        return { ...resultLine(entry, { outcome: 'failed', error: `${reason}; the watch is checking whether its write landed, and the report will follow` }), campaign: entry.campaign };
      }
      return resultLine(entry, entry.result ?? { outcome: 'updated', review: 'pending' });
    }
  }
  const recorded = parsed.success ? (await deps.store.getFailures(parsed.data.runId, [parsed.data.adsetId])).get(parsed.data.adsetId) : undefined;
  if (recorded) return failureLine(recorded);
  const base: AdsetResult = parsed.success
    ? { id: parsed.data.adsetId, name: parsed.data.adsetName, facebookCampaignId: parsed.data.facebookCampaignId, outcome: 'failed', added: parsed.data.added, removed: parsed.data.removed }
    : { id, name: id, facebookCampaignId: '', outcome: 'failed', added: [], removed: [] };
  return { ...base, campaign: parsed.success ? parsed.data.campaign : '', error: reason || 'failed without a reason' };
}

/** Ad sets whose outcome, review or need of a person changed since the stored report. */
function changedAdsets(previous: RunReport, next: RunReport): FollowUp['changes'] {
  const before = new Map(previous.campaigns.flatMap((c) => c.adsets.map((a) => [`${c.name}/${a.id}`, a] as const)));
  const changed = (was: AdsetResult, now: AdsetResult) => was.outcome !== now.outcome || was.review !== now.review || Boolean(was.needsAttention) !== Boolean(now.needsAttention);
  return next.campaigns.flatMap((c) =>
    c.adsets.flatMap((a) => {
      const was = before.get(`${c.name}/${a.id}`);
      return was && changed(was, a) ? [{ campaign: c.name, adset: a, previousOutcome: was.outcome, ...(was.review ? { previousReview: was.review } : {}) }] : [];
    }),
  );
}

async function printOnce(deps: WorkerDeps, runId: string, channel: string, print: () => void): Promise<void> {
  const first = await deps.redis.hsetnx(deps.keys.deliveries(runId), channel, JSON.stringify({ status: 'sent', at: new Date().toISOString() }));
  if (first === 1) print();
}

/** One delivery job per configured channel, when NOTIFY_ON lets it through; the job id makes a second enqueue a no-op. */
export async function enqueueDeliveries(deps: WorkerDeps, runId: string, kind: 'report' | 'followup', revision: number): Promise<void> {
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
