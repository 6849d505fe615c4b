import {
  DeliverReportData,
  deliverySlot,
  errorMessage,
  followUpOf,
  scrubSecrets,
  type RunReport,
} from '@closrads/core';
import {
  postSlack,
  renderEmail,
  renderFollowUpEmail,
  renderSlack,
  renderSlackFollowUp,
  sendEmail,
} from '@closrads/notify';
import { UnrecoverableError, type Job } from 'bullmq';
import type { WorkerDeps } from '../deps';

/**
 * Sends one run's report (or a follow-up) to one channel. A channel failing never touches the sync:
 * it is retried with backoff by this job's attempts, and when it finally fails the failure is logged
 * at error level and recorded with the run. A channel that already has this revision gets nothing.
 */
export function createDeliverReportProcessor(deps: WorkerDeps) {
  return async (job: Job): Promise<{ channel: string; status: 'sent' | 'skipped' }> => {
    const data = DeliverReportData.parse(job.data);
    const slot = deliverySlot(data.channel, data.kind === 'report' ? 1 : data.revision);
    const log = deps.logger.child({ job: job.name, jobId: job.id, runId: data.runId, channel: slot });
    const delivered = await deps.store.getDeliveries(data.runId);
    if (delivered[slot]?.status === 'sent') return { channel: slot, status: 'skipped' };

    const report = await deps.store.getReport(data.runId);
    if (!report) throw new UnrecoverableError(`no stored report for run ${data.runId}`);
    try {
      await send(deps, data, report);
    } catch (err) {
      const message = scrubSecrets(errorMessage(err), deps.secrets);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (lastAttempt) {
        log.error({ err: message }, 'report delivery failed for good');
        await deps.store.recordDelivery(data.runId, slot, {
          status: 'failed',
          at: new Date().toISOString(),
          error: message,
        });
      } else {
        log.warn({ err: message, attempt: job.attemptsMade + 1 }, 'report delivery failed, will retry');
      }
      throw new Error(message);
    }
    await deps.store.recordDelivery(data.runId, slot, { status: 'sent', at: new Date().toISOString() });
    log.info('report delivered');
    return { channel: slot, status: 'sent' };
  };
}

async function send(deps: WorkerDeps, data: DeliverReportData, report: RunReport): Promise<void> {
  const followUp = data.kind === 'followup' ? followUpOf(report, data.revision) : undefined;
  if (data.channel === 'email') {
    const email = deps.notify.email;
    if (!email) throw new UnrecoverableError('email is not configured on this worker');
    const message = followUp ? renderFollowUpEmail(followUp) : renderEmail(report);
    await sendEmail({ smtpUrl: email.smtpUrl, from: email.from, to: email.to }, message);
    return;
  }
  const webhook = deps.notify.slackWebhookUrl;
  if (!webhook) throw new UnrecoverableError('Slack is not configured on this worker');
  await postSlack(webhook, followUp ? renderSlackFollowUp(followUp) : renderSlack(report));
}
