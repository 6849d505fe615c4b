/**
 * A failed ad set job as a structured record: what went wrong (kind, Meta's code and subcode),
 * whether trying again could help, and the message for a person. The job records it when it gives
 * up, so the report never has to read a code back out of an error message.
 */
import { z } from 'zod';
import { GraphApiError, TargetingConflictError, type GraphErrorClass } from '../errors';
import { classifyJobError } from '../queue/error-policy';
import type { ReportLine } from './assemble';

/**
 * Why an ad set failed. Graph API errors keep Meta's class (transient, throttle, auth, permission,
 * invalid); `conflict`: the ad set cannot be managed safely as it is; `refused`: the product refused
 * to go on (job data that does not match its run, an incomplete read, a token already rejected);
 * `programming`: a bug of ours (the error policy's word, queue/error-policy.ts); `other`: anything
 * else (a network error outside the clients, say); `unrecorded`: the job ended without recording
 * why (it stalled too often, say): only its queue's reason is known.
 */
export const ADSET_FAILURE_KINDS = [
  'transient',
  'throttle',
  'auth',
  'permission',
  'invalid',
  'conflict',
  'refused',
  'programming',
  'other',
  'unrecorded',
] as const;
export type AdsetFailureKind = (typeof ADSET_FAILURE_KINDS)[number];
// Every class of Graph API error is a kind of failure as it is.
const GRAPH_KINDS: Record<GraphErrorClass, AdsetFailureKind> = {
  transient: 'transient',
  throttle: 'throttle',
  auth: 'auth',
  permission: 'permission',
  invalid: 'invalid',
};

export const AdsetFailureSchema = z.object({
  campaign: z.string(),
  adsetId: z.string(),
  adsetName: z.string(),
  facebookCampaignId: z.string(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  kind: z.enum(ADSET_FAILURE_KINDS),
  /** What the report says; free of secrets (scrubbed before it is recorded). */
  message: z.string(),
  /** Meta's `error.code` / `error_subcode`, when the failure came from the Graph API. */
  code: z.number().int().optional(),
  subcode: z.number().int().optional(),
  retryable: z.boolean(),
});
export type AdsetFailure = z.output<typeof AdsetFailureSchema>;

/** The facts of a failure, from the error itself (`message` is what the job failed with, scrubbed). */
export function describeFailure(
  err: unknown,
  message: string,
  opts: { refused?: boolean } = {},
): Pick<AdsetFailure, 'kind' | 'message' | 'code' | 'subcode' | 'retryable'> {
  if (err instanceof GraphApiError) {
    return {
      kind: GRAPH_KINDS[err.errorClass],
      message,
      retryable: err.retryable,
      ...(err.code !== undefined ? { code: err.code } : {}),
      ...(err.subcode ? { subcode: err.subcode } : {}),
    };
  }
  if (err instanceof TargetingConflictError) return { kind: 'conflict', message, retryable: false };
  const policy = classifyJobError(err);
  if (policy === 'programming') return { kind: 'programming', message, retryable: false };
  if (opts.refused || policy === 'permanent') return { kind: 'refused', message, retryable: false };
  return { kind: 'other', message, retryable: true };
}

/** The report line of a failed ad set. */
export function failureLine(f: AdsetFailure): ReportLine {
  return {
    campaign: f.campaign,
    id: f.adsetId,
    name: f.adsetName,
    facebookCampaignId: f.facebookCampaignId,
    outcome: 'failed',
    added: f.added,
    removed: f.removed,
    error: f.message || 'failed without a reason',
    ...(f.code !== undefined ? { errorCode: f.code } : {}),
    ...(f.subcode !== undefined ? { errorSubcode: f.subcode } : {}),
  };
}

/** Reads a stored record; anything that is not one counts as none. */
export function parseAdsetFailure(raw: string | null | undefined): AdsetFailure | undefined {
  if (!raw) return undefined;
  try {
    const parsed = AdsetFailureSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
