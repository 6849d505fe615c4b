import type { DefaultJobOptions } from 'bullmq';
import { z } from 'zod';

/**
 * The job catalog: queue names, payload schemas and default options. Payloads hold ids, names and
 * numbers only; never a credential (job data is plain text in Redis and visible in the board).
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
  step: z.preprocess((v) => (v === 'update' ? 'start' : v === 'verify' ? 'await-look' : v), z.enum(['start', 'write', 'await-look'])).default('start'),
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

const DAY_S = 24 * 3600;

/** Completed jobs are kept a week, failed ones a month, so the board can retry them. */
const retention = { removeOnComplete: { age: 7 * DAY_S }, removeOnFail: { age: 30 * DAY_S } } satisfies DefaultJobOptions;

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
    updateAdset: { ...retention, attempts: 4, backoff: backoff(timing.adsetRetryDelayMs), ignoreDependencyOnFailure: true },
    deliverReport: { ...retention, attempts: 5, backoff: backoff(timing.baseRetryDelayMs * 5) },
    /** The watch parks itself between looks and survives upstream errors; attempts cover Redis trouble. */
    watchAds: { removeOnComplete: { age: DAY_S }, removeOnFail: { age: 30 * DAY_S }, attempts: 20, backoff: { type: 'fixed', delay: timing.baseRetryDelayMs } },
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
