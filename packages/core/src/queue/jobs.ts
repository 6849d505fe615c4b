import type { DefaultJobOptions } from 'bullmq';
import { z } from 'zod';
import type { DemandCheckVerdict } from '../domain/demand-change';
import type { CampaignPlanSummary } from '../report/assemble';
import { OUTCOMES, type AdIssue, type AdsetResult } from '../report/types';

/**
 * The job catalog: queue names, each job's data and result schemas, default options and concurrency
 * (JOBS and QUEUE_SETTINGS below). The worker registers one handler per job from it; results are
 * parsed with their schema, never cast. Payloads hold ids, names and numbers only; never a credential
 * (job data is plain text in Redis and visible in the board).
 */
export const QUEUES = {
  planSync: 'plan-sync',
  updateAdset: 'update-adset',
  finalizeReport: 'finalize-report',
  deliverReport: 'deliver-report',
  watchAds: 'watch-ads',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export const ALL_QUEUES: QueueName[] = Object.values(QUEUES);

export const JOB_NAMES = {
  /** Produced by the job scheduler; turns into a run. */
  scheduledSync: 'scheduled-sync',
  /** Produced by the demand-check scheduler; reads demand and starts a run only where it changed. */
  demandCheck: 'demand-check',
  planSync: 'plan-sync',
  updateAdset: 'update-adset',
  finalizeReport: 'finalize-report',
  deliverReport: 'deliver-report',
  /** Looks at the ads of a Facebook campaign's watched ad sets while Meta reviews them. */
  watchCampaign: 'watch-campaign',
} as const;

export const RunTriggerSchema = z.enum(['schedule', 'manual', 'demand-change', 'undo']);

export const ScheduledSyncData = z.object({ dryRun: z.boolean() });
export type ScheduledSyncData = z.output<typeof ScheduledSyncData>;

export const DemandCheckData = z.object({ dryRun: z.boolean() });
export type DemandCheckData = z.output<typeof DemandCheckData>;

export const PlanSyncData = z.object({
  runId: z.string(),
  trigger: RunTriggerSchema,
  dryRun: z.boolean(),
  /** Campaign names to plan; empty means every enabled campaign. */
  campaigns: z.array(z.string()),
  /** Campaign names approved past their guardrails for this one run (`pnpm enqueue --approve`). */
  approve: z.array(z.string()).default([]),
  requestedAt: z.number(),
  /** For an undo run: the run whose changes it puts back. */
  undoOf: z.string().optional(),
});
export type PlanSyncData = z.output<typeof PlanSyncData>;

export const FinalizeReportData = z.object({
  runId: z.string(),
  trigger: RunTriggerSchema,
  dryRun: z.boolean(),
  requestedAt: z.number(),
});
export type FinalizeReportData = z.output<typeof FinalizeReportData>;

export const UpdateAdsetData = z.object({
  runId: z.string(),
  campaign: z.string(),
  adsetId: z.string(),
  adsetName: z.string(),
  facebookCampaignId: z.string(),
  adAccountId: z.string(),
  dryRun: z.boolean(),
  protection: z.boolean(),
  /** The region keys demand asks for. */
  regionKeys: z.array(z.string()),
  /** USPS codes the update adds / removes, as planned (shown in the board and for failures). */
  added: z.array(z.string()),
  removed: z.array(z.string()),
  plannedAt: z.number(),
  /** When listing started: a write by this product after it makes the listed copy stale. */
  listedAt: z.number().optional(),
  /**
   * The job's step, the only truth of where it is (BullMQ process-step pattern): `start` runs the gates
   * and pre-flight and claims the ad set; `write` sends the write (a resumed job re-reads the ad set to
   * learn whether an earlier attempt's write landed); `await-look` waits for the watch's first look.
   * Gates run only in `start`: once a write is recorded the job always finishes its protection.
   */
  step: z
    .preprocess(
      (v) => (v === 'update' ? 'start' : v === 'verify' ? 'await-look' : v),
      z.enum(['start', 'write', 'await-look']),
    )
    .default('start'),
  /** Throttled answers met so far (they do not spend attempts, up to a cap). */
  throttled: z.number().int().default(0),
  /**
   * Undo: the state keys the undone run wrote. The ad set is put back only while it still has exactly
   * these; otherwise it changed since, and is left alone (`skipped_changed`).
   */
  expectKeys: z.array(z.string()).optional(),
  /** Undo: the run whose change of this ad set is put back. */
  undoOf: z.string().optional(),
  /** The moment the ad account's pacer reserved for this job (it was parked until then). */
  reservedAt: z.number().optional(),
});
export type UpdateAdsetData = z.output<typeof UpdateAdsetData>;

export const WatchCampaignData = z.object({
  facebookCampaignId: z.string(),
  adAccountId: z.string(),
});
export type WatchCampaignData = z.output<typeof WatchCampaignData>;

export const DeliverReportData = z.object({
  runId: z.string(),
  channel: z.enum(['email', 'slack']),
  kind: z.enum(['report', 'followup']),
  revision: z.number().int(),
});
export type DeliverReportData = z.output<typeof DeliverReportData>;

// Results. Loose objects: a field the schema does not name is kept, not dropped, on its way to the report.

const AdIssueSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  effectiveStatus: z.string(),
  issue: z.string(),
  errorCode: z.number().optional(),
}) satisfies z.ZodType<AdIssue>;

/** One ad set's line of the report, as an ad set job (or planning, for those already in step) returns it. */
export const AdsetJobResult = z.looseObject({
  campaign: z.string(),
  id: z.string(),
  name: z.string(),
  facebookCampaignId: z.string(),
  outcome: z.enum(OUTCOMES),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  error: z.string().optional(),
  errorCode: z.number().optional(),
  errorSubcode: z.number().optional(),
  ads: z.array(AdIssueSchema).optional(),
  rolledBack: z.boolean().optional(),
  supersededBy: z.string().optional(),
  needsAttention: z.boolean().optional(),
  review: z.enum(['pending', 'passed']).optional(),
  warnings: z.array(z.string()).optional(),
  deferredBy: z.string().optional(),
  reason: z.string().optional(),
}) satisfies z.ZodType<AdsetResult & { campaign: string }>;
export type AdsetJobResult = AdsetResult & { campaign: string };

const CampaignPlanSummarySchema = z.looseObject({
  name: z.string(),
  status: z.enum(['completed', 'aborted', 'held']),
  abortReason: z.string().optional(),
  holdReason: z.string().optional(),
  activeStates: z.array(z.string()),
  unmappedStates: z.array(z.string()),
  adsetCount: z.number(),
}) satisfies z.ZodType<CampaignPlanSummary>;

/** What planning concluded per campaign; the finalizer builds the report from it. */
export const PlanSyncResult = z.looseObject({
  runId: z.string(),
  campaigns: z.array(CampaignPlanSummarySchema),
}) satisfies z.ZodType<PlanSyncResult>;
export interface PlanSyncResult {
  runId: string;
  campaigns: CampaignPlanSummary[];
}

/** A scheduler tick: the run it started. */
export const ScheduledSyncResult = z.looseObject({ runId: z.string() }) satisfies z.ZodType<ScheduledSyncResult>;
export interface ScheduledSyncResult {
  runId: string;
}

const DEMAND_CHECK_VERDICTS = [
  'first-run',
  'changed',
  'deferred',
  'in-step',
  'in-flight',
  'held',
] as const satisfies readonly DemandCheckVerdict[];
export const DemandCheckResult = z.looseObject({
  /** Set when another check was running: this one did nothing. */
  overlapped: z.literal(true).optional(),
  campaigns: z.array(
    z.looseObject({
      name: z.string(),
      verdict: z.enum([...DEMAND_CHECK_VERDICTS, 'unreadable']),
      reason: z.string().optional(),
    }),
  ),
  /** The demand-change run started for the campaigns out of step. */
  runId: z.string().optional(),
}) satisfies z.ZodType<DemandCheckResult>;
export interface DemandCheckResult {
  overlapped?: true;
  campaigns: Array<{ name: string; verdict: DemandCheckVerdict | 'unreadable'; reason?: string }>;
  runId?: string;
}

export const FinalizeReportResult = z.looseObject({
  runId: z.string(),
  success: z.boolean(),
  revision: z.number().int(),
}) satisfies z.ZodType<FinalizeReportResult>;
export interface FinalizeReportResult {
  runId: string;
  success: boolean;
  revision: number;
}

export const DeliverReportResult = z.looseObject({
  channel: z.string(),
  status: z.enum(['sent', 'skipped']),
}) satisfies z.ZodType<DeliverReportResult>;
export interface DeliverReportResult {
  channel: string;
  status: 'sent' | 'skipped';
}

export const WatchCampaignResult = z.looseObject({ retired: z.literal(true) }) satisfies z.ZodType<WatchCampaignResult>;
export interface WatchCampaignResult {
  retired: true;
}

/** One job of the catalog: the queue it runs on, the schema of its data and of its result. */
export interface JobSpec<D extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  queue: QueueName;
  name: string;
  data: D;
  result: R;
}

/** Every job the product runs, by name. */
export const JOBS = {
  scheduledSync: {
    queue: QUEUES.planSync,
    name: JOB_NAMES.scheduledSync,
    data: ScheduledSyncData,
    result: ScheduledSyncResult,
  },
  demandCheck: {
    queue: QUEUES.planSync,
    name: JOB_NAMES.demandCheck,
    data: DemandCheckData,
    result: DemandCheckResult,
  },
  planSync: { queue: QUEUES.planSync, name: JOB_NAMES.planSync, data: PlanSyncData, result: PlanSyncResult },
  updateAdset: {
    queue: QUEUES.updateAdset,
    name: JOB_NAMES.updateAdset,
    data: UpdateAdsetData,
    result: AdsetJobResult,
  },
  finalizeReport: {
    queue: QUEUES.finalizeReport,
    name: JOB_NAMES.finalizeReport,
    data: FinalizeReportData,
    result: FinalizeReportResult,
  },
  deliverReport: {
    queue: QUEUES.deliverReport,
    name: JOB_NAMES.deliverReport,
    data: DeliverReportData,
    result: DeliverReportResult,
  },
  watchCampaign: {
    queue: QUEUES.watchAds,
    name: JOB_NAMES.watchCampaign,
    data: WatchCampaignData,
    result: WatchCampaignResult,
  },
} as const satisfies Record<string, JobSpec>;
export type JobKey = keyof typeof JOBS;

/** What each job's handler returns (its result schema checks it at run time). */
export interface JobResults {
  scheduledSync: ScheduledSyncResult;
  demandCheck: DemandCheckResult;
  planSync: PlanSyncResult;
  updateAdset: AdsetJobResult;
  finalizeReport: FinalizeReportResult;
  deliverReport: DeliverReportResult;
  watchCampaign: WatchCampaignResult;
}

/** The catalog entry of a job on a queue, by its name; undefined for a name the product never adds. */
export function jobSpecOf(queue: string, name: string): JobSpec | undefined {
  return Object.values(JOBS).find((spec) => spec.queue === queue && spec.name === name);
}

/**
 * Each queue's worker: its default job options (a key of `jobOptions`), how many jobs run at once
 * (`configured`: WORKER_CONCURRENCY), and whether its jobs resume from a persisted step (they may then
 * stall many times without failing: their protection has to finish).
 */
export const QUEUE_SETTINGS = {
  [QUEUES.planSync]: { options: 'planSync', concurrency: 2, resumable: false },
  [QUEUES.updateAdset]: { options: 'updateAdset', concurrency: 'configured', resumable: true },
  [QUEUES.finalizeReport]: { options: 'finalizeReport', concurrency: 2, resumable: false },
  [QUEUES.deliverReport]: { options: 'deliverReport', concurrency: 2, resumable: false },
  [QUEUES.watchAds]: { options: 'watchAds', concurrency: 4, resumable: true },
} as const satisfies Record<
  QueueName,
  { options: keyof ReturnType<typeof jobOptions>; concurrency: number | 'configured'; resumable: boolean }
>;

const DAY_S = 24 * 3600;

/** Completed jobs are kept a week, failed ones a month, so the board can retry them. */
const retention = {
  removeOnComplete: { age: 7 * DAY_S },
  removeOnFail: { age: 30 * DAY_S },
} satisfies DefaultJobOptions;

/** Delays that tests and the benchmark shrink; production uses the defaults. */
export interface RetryTiming {
  /** First backoff of an ad set job after a transient error (doubles per attempt). */
  adsetRetryDelayMs: number;
  /** First backoff of planning, finalizing and delivery. */
  baseRetryDelayMs: number;
}
export const DEFAULT_TIMING: RetryTiming = { adsetRetryDelayMs: 5000, baseRetryDelayMs: 2000 };

export function jobOptions(timing: RetryTiming = DEFAULT_TIMING) {
  const backoff = (delay: number) => ({ type: 'exponential', delay, jitter: 0.3 }) as const;
  return {
    planSync: { ...retention, attempts: 3, backoff: backoff(timing.baseRetryDelayMs) },
    finalizeReport: { ...retention, attempts: 5, backoff: backoff(timing.baseRetryDelayMs) },
    /** A failed ad set neither blocks nor fails the report: its failure is recorded for the finalizer. */
    updateAdset: {
      ...retention,
      attempts: 4,
      backoff: backoff(timing.adsetRetryDelayMs),
      ignoreDependencyOnFailure: true,
    },
    deliverReport: { ...retention, attempts: 5, backoff: backoff(timing.baseRetryDelayMs * 5) },
    /** The watch parks itself between looks and survives upstream errors; attempts cover Redis trouble. */
    watchAds: {
      removeOnComplete: { age: DAY_S },
      removeOnFail: { age: 30 * DAY_S },
      attempts: 20,
      backoff: { type: 'fixed', delay: timing.baseRetryDelayMs },
    },
  } satisfies Record<string, DefaultJobOptions & { ignoreDependencyOnFailure?: boolean }>;
}

/** Job ids: they carry the run id, never contain `:` and are never only digits. */
export const jobIds = {
  plan: (runId: string) => `plan-${runId}`,
  finalize: (runId: string) => `finalize-${runId}`,
  adset: (runId: string, adsetId: string) => `adset-${runId}-${adsetId}`,
  deliver: (runId: string, channel: string, revision: number) => `deliver-${runId}-${channel}-r${revision}`,
  /** One watch job per Facebook campaign at a time; `generation` tells successive ones apart. */
  watch: (facebookCampaignId: string, generation: string) => `watch-${facebookCampaignId}-${generation}`,
};
