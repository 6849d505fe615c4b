import {
  AccountPacer,
  AdsetJournal,
  CampaignStateStore,
  DemandCheckStats,
  DemandHistory,
  ClosrtechClient,
  configSecrets,
  GraphClient,
  Keyspace,
  RegionTable,
  RunStore,
  DEFAULT_TIMING,
  QUEUES,
  type Campaign,
  type ClosrtechConfig,
  type FacebookConfig,
  type Logger,
  type NotifyConfig,
  type RetryPolicy,
  type RetryTiming,
  type WorkerConfig,
} from '@closrads/core';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { FRESH_READ_MS, ListedPageReader } from './listed-reads';

/** Everything the processors need, wired once in main.ts (or by a test) and passed down. */
export interface WorkerDeps {
  redis: Redis;
  keys: Keyspace;
  store: RunStore;
  /** Per-ad-set change records, the watch schedule and the run-side records (queue/adset-journal.ts). */
  journal: AdsetJournal;
  /** Each campaign's last completed run and hold, for the guardrails and the demand checks. */
  campaignState: CampaignStateStore;
  /** Per-state demand as read, for the dashboard's history. */
  demandHistory: DemandHistory;
  /** Demand checks and reads, for /metrics. */
  demandStats: DemandCheckStats;
  pacer: AccountPacer;
  graph: GraphClient;
  /** Re-reads of stale listing pages, shared by the jobs of this process (listed-reads.ts). */
  listedPages: ListedPageReader;
  closrtech: ClosrtechClient;
  regions: RegionTable;
  campaigns: Campaign[];
  worker: WorkerConfig;
  notify: NotifyConfig;
  flow: FlowProducer;
  queues: { updateAdset: Queue; finalizeReport: Queue; deliverReport: Queue; planSync: Queue; watchAds: Queue };
  timing: RetryTiming;
  /** Retries of Graph reads while planning (listing ad sets). */
  planningRetry: RetryPolicy;
  logger: Logger;
  /** Secrets to scrub from anything the worker stores or prints. */
  secrets: string[];
}

export interface WorkerDepsInput {
  redis: Redis;
  prefix: string;
  campaigns: Campaign[];
  closrtech: ClosrtechConfig;
  facebook: FacebookConfig;
  worker: WorkerConfig;
  notify: NotifyConfig;
  logger: Logger;
  timing?: RetryTiming;
  planningRetry?: RetryPolicy;
  closrtechRetry?: RetryPolicy;
  /** Per-call timeout for both upstream APIs. */
  httpTimeoutMs?: number;
  /** How long the listing's copy of an ad set may be written from (FRESH_READ_MS; tests widen it). */
  freshReadMs?: number;
}

export function createWorkerDeps(input: WorkerDepsInput): WorkerDeps {
  const keys = new Keyspace(input.prefix);
  const connection = input.redis;
  const queueOpts = { connection, prefix: keys.bullPrefix };
  const pacer = new AccountPacer(input.redis, keys);
  const logger = input.logger;
  const graph = new GraphClient(input.facebook, {
    timeoutMs: input.httpTimeoutMs,
    logger,
    onUsage: (reading) => {
      pacer.record(reading).catch((err: unknown) => logger.warn({ err }, 'could not record Graph usage'));
    },
    // Every POST takes its own moment of its ad account, whatever job or worker sends it.
    beforeWrite: (adAccountId, taken) => pacer.beforeWrite(adAccountId, taken),
    onThrottled: (error, adAccountId) => {
      if (!adAccountId) return;
      pacer
        .afterThrottle(adAccountId, error)
        .then(({ kind, pausedMs }) => {
          const facts = { adAccountId, code: error.code, subcode: error.subcode, pausedMs };
          if (kind.severity === 'alert')
            logger.error(
              facts,
              "Meta's abuse prevention throttled this ad account; it is paused, and a person should look at the calls made to it",
            );
          else if (kind.scope === 'app')
            logger.warn(facts, "Meta's application rate limit reached; every ad account paused");
        })
        .catch((err: unknown) => logger.warn({ err }, 'could not record a throttling error'));
    },
  });
  const regions = RegionTable.load();
  return {
    redis: input.redis,
    keys,
    store: new RunStore(input.redis, keys),
    journal: new AdsetJournal(input.redis, keys),
    campaignState: new CampaignStateStore(input.redis, keys),
    demandHistory: new DemandHistory(input.redis, keys),
    demandStats: new DemandCheckStats(input.redis, keys),
    pacer,
    graph,
    listedPages: new ListedPageReader(
      { graph, redis: input.redis, keys, regions, logger },
      input.freshReadMs ?? FRESH_READ_MS,
    ),
    closrtech: new ClosrtechClient(input.closrtech, {
      logger,
      timeoutMs: input.httpTimeoutMs,
      retry: input.closrtechRetry,
    }),
    regions,
    campaigns: input.campaigns,
    worker: input.worker,
    notify: input.notify,
    flow: new FlowProducer(queueOpts),
    queues: {
      planSync: new Queue(QUEUES.planSync, queueOpts),
      updateAdset: new Queue(QUEUES.updateAdset, queueOpts),
      finalizeReport: new Queue(QUEUES.finalizeReport, queueOpts),
      deliverReport: new Queue(QUEUES.deliverReport, queueOpts),
      watchAds: new Queue(QUEUES.watchAds, queueOpts),
    },
    timing: input.timing ?? DEFAULT_TIMING,
    planningRetry: input.planningRetry ?? { attempts: 3, baseDelayMs: 2000, maxDelayMs: 5 * 60_000 },
    logger,
    secrets: configSecrets(input),
  };
}
