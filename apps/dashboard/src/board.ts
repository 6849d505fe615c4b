import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { QUEUES, type Logger, type QueueName } from '@closrads/core';
import type { Queue } from 'bullmq';
import { Router } from 'express';
import { boardGuard } from './board-guard';

/** Key names that must never be shown, wherever they sit in job data or a return value. */
const SECRET_KEY = /token|passw|secret|authori[sz]ation|api[-_]?key|cookie|^pass$|^auth$|smtpurl|webhookurl/i;

/**
 * Job data holds no secret by design (see packages/core/src/queue/jobs.ts); this is defence in depth
 * in case a future payload or return value carries one.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '***' : redactSecrets(v, depth + 1);
  }
  return out;
}

const DESCRIPTIONS: Record<QueueName, string> = {
  'plan-sync': 'Reads demand and lists ad sets; adds one update-adset job per ad set under the run',
  'update-adset': 'Rewrites one ad set’s state targeting (retry a failed one here)',
  'finalize-report': 'Parent of a run: builds and stores the report once its children are done',
  'deliver-report': 'Sends the report to Slack / email',
  'watch-ads': 'Watches the ads of written ad sets while Meta reviews them; heals or rolls back',
};

/**
 * Bull Board over every queue of the product, so a run's flow tree (finalize → plan → ad sets) is
 * complete. Retrying completed jobs is allowed: re-running `finalize-report` rebuilds a report.
 * Only reads, retries and promotes get through (board-guard.ts). The adapters cannot hide the other
 * buttons: `readOnlyMode` is their only switch and it hides Retry too, so those buttons stay and
 * answer with the guard's 403 message.
 */
export function createBoard(
  queues: Record<QueueName, Queue>,
  basePath: string,
  opts: { dryRun: boolean; logger?: Logger },
): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  const adapters = [
    QUEUES.finalizeReport,
    QUEUES.planSync,
    QUEUES.updateAdset,
    QUEUES.watchAds,
    QUEUES.deliverReport,
  ].map((name) => {
    // allowCompletedRetries works at runtime but is missing from the 9.10.1 option type.
    const options = {
      description: DESCRIPTIONS[name],
      allowRetries: true,
      allowCompletedRetries: true,
    } as ConstructorParameters<typeof BullMQAdapter>[1];
    const adapter = new BullMQAdapter(queues[name], options);
    adapter.setFormatter('data', (data: unknown) => redactSecrets(data));
    adapter.setFormatter('returnValue', (value: unknown) => redactSecrets(value));
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'closrads',
        environment: opts.dryRun
          ? { label: 'dry-run default', color: '#555' }
          : { label: 'live by default', color: '#a61b1b' },
        showWorkers: true,
      },
    },
  });
  const board = Router();
  board.use(boardGuard(opts.logger), serverAdapter.getRouter() as Router);
  return board;
}
