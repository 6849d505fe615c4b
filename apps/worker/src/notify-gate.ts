import { RUN_RETENTION_S, followUpOf } from '@closrads/core';
import { shouldSendFollowUp, shouldSendReport } from '@closrads/notify';
import type { WorkerDeps } from './deps';

/**
 * NOTIFY_ON at the door of the delivery queue: whether a report or follow-up of this run goes to the
 * channels. A report kept back is marked, so its quiet follow-ups stay quiet too.
 */
export async function notifyAllowed(
  deps: WorkerDeps,
  runId: string,
  kind: 'report' | 'followup',
  revision: number,
): Promise<boolean> {
  const notifyOn = deps.notify.notifyOn;
  if (notifyOn === 'always') return true;
  const report = await deps.store.getReport(runId);
  // No stored report to judge by: deliver, as the channels would rather say too much than nothing.
  if (!report) return true;
  if (kind === 'report') {
    const send = shouldSendReport(report, notifyOn);
    if (!send) {
      await deps.redis.set(deps.keys.notifySkipped(runId), notifyOn, 'EX', RUN_RETENTION_S);
      deps.logger.info({ runId, notifyOn }, 'report not sent to the channels (NOTIFY_ON)');
    }
    return send;
  }
  const reportWasSent = (await deps.redis.exists(deps.keys.notifySkipped(runId))) === 0;
  const send = shouldSendFollowUp({ notifyOn, reportWasSent, changes: followUpOf(report, revision).changes });
  if (!send) deps.logger.info({ runId, revision, notifyOn }, 'follow-up not sent to the channels (NOTIFY_ON)');
  return send;
}
