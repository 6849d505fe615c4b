import {
  createLogger,
  configDefaults,
  startRun,
  waitForReport,
  workerConnection,
  type Campaign,
  type Logger,
  type NotifyConfig,
  type RetryPolicy,
  type RetryTiming,
  type RunReport,
  type StartRunRequest,
} from '@closrads/core';
import type { Simulator } from '@closrads/simulator';
import { createWorkerDeps, type WorkerDeps } from '@closrads/worker/deps';
import { startWorkers, type RunningWorkers, type STALL_SETTINGS } from '@closrads/worker/workers';

const WORKER_DEFAULTS = configDefaults('worker');

export type LocalNotifyConfig = Omit<NotifyConfig, 'notifyOn'> & Partial<Pick<NotifyConfig, 'notifyOn'>>;

export interface LocalSystemOptions {
  redisUrl: string;
  prefix: string;
  simulator: Pick<Simulator, 'closrtechUrl' | 'graphUrl'>;
  campaigns: Campaign[];
  closrtechCredentials?: { email: string; password: string };
  accessToken?: string;
  appSecret?: string;
  concurrency?: number;
  verifyDelayMs?: number;
  /** Channels; NOTIFY_ON defaults to `always` as in production. */
  notify?: LocalNotifyConfig;
  timing?: RetryTiming;
  planningRetry?: RetryPolicy;
  closrtechRetry?: RetryPolicy;
  httpTimeoutMs?: number;
  stall?: Partial<typeof STALL_SETTINGS>;
  logger?: Logger;
  /** Where the finalizer prints the summary (stdout by default). */
  out?: (text: string) => void;
  /** How long the listing's copy of an ad set may be written from (default FRESH_READ_MS). */
  freshReadMs?: number;
  /** Start no worker (a test drives them itself). */
  withoutWorkers?: boolean;
}

export interface LocalSystem {
  deps: WorkerDeps;
  running?: RunningWorkers;
  /** Starts a run exactly as `pnpm enqueue` does and waits for its report. */
  run(req: Partial<StartRunRequest>, timeoutMs?: number): Promise<RunReport>;
  close(): Promise<void>;
}

/**
 * Workers wired against a simulator, in this process: what `pnpm demo`, the tests and the benchmark
 * run. Production wiring (apps/worker/src/main.ts) differs only in where configuration comes from.
 * Development tooling: production code never imports this package (it brings the simulator).
 */
export function startLocalSystem(opts: LocalSystemOptions): LocalSystem {
  const redis = workerConnection(opts.redisUrl);
  const logger = opts.logger ?? createLogger({ level: 'silent' });
  const creds = opts.closrtechCredentials ?? { email: 'demo@example.com', password: 'demo-password' };
  const deps = createWorkerDeps({
    redis,
    prefix: opts.prefix,
    campaigns: opts.campaigns,
    closrtech: { url: opts.simulator.closrtechUrl, ...creds },
    facebook: {
      graphUrl: opts.simulator.graphUrl,
      apiVersion: 'v25.0',
      accessToken: opts.accessToken ?? 'sim-token',
      appSecret: opts.appSecret,
    },
    // The defaults of WORKER_CONCURRENCY, VERIFY_DELAY_MS… as production has them, then the overrides.
    worker: {
      ...WORKER_DEFAULTS,
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.verifyDelayMs !== undefined ? { verifyDelayMs: opts.verifyDelayMs } : {}),
      ...(opts.httpTimeoutMs !== undefined ? { httpTimeoutMs: opts.httpTimeoutMs } : {}),
    },
    notify: {
      notifyOn: 'always',
      ...(opts.notify ?? { slackWebhookUrl: undefined, email: undefined, dashboardPublicUrl: undefined }),
    },
    logger,
    timing: opts.timing,
    planningRetry: opts.planningRetry,
    closrtechRetry: opts.closrtechRetry,
    httpTimeoutMs: opts.httpTimeoutMs,
    freshReadMs: opts.freshReadMs,
  });
  const running = opts.withoutWorkers ? undefined : startWorkers(deps, { stall: opts.stall, out: opts.out });
  return {
    deps,
    running,
    run: async (req, timeoutMs = 60_000) => {
      const runId = await startRun(
        { flow: deps.flow, store: deps.store, timing: deps.timing },
        {
          trigger: req.trigger ?? 'manual',
          dryRun: req.dryRun ?? false,
          campaigns: req.campaigns ?? [],
          approve: req.approve,
          runId: req.runId,
          at: req.at,
          ...(req.undoOf ? { undoOf: req.undoOf } : {}),
        },
      );
      const report = await waitForReport(deps.store, runId, timeoutMs, 50);
      if (!report) throw new Error(`run ${runId} produced no report within ${timeoutMs} ms`);
      return report;
    },
    close: async () => {
      await running?.close();
      await Promise.all([deps.flow.close(), ...Object.values(deps.queues).map((q) => q.close())]);
      await redis.quit().catch(() => undefined);
    },
  };
}
