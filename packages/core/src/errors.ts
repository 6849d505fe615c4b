/**
 * The product's error hierarchy. Every error says whether trying again can help (`retryable`);
 * the job processors turn non-retryable errors into BullMQ UnrecoverableErrors at their boundary.
 * Messages never carry secrets: URLs are redacted before they reach an error.
 */
export abstract class AppError extends Error {
  abstract readonly retryable: boolean;
}

/** Thrown at process start when configuration is invalid; lists every problem found. */
export class ConfigError extends AppError {
  override name = 'ConfigError' as const;
  readonly retryable = false;
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** CLOSRTECH could not be reached or answered 5xx / 429: worth another attempt. */
export class ClosrtechUnavailableError extends AppError {
  override name = 'ClosrtechUnavailableError' as const;
  readonly retryable = true;
}

/** CLOSRTECH refused the request (403 and other 4xx): retrying will not help. */
export class ClosrtechRefusedError extends AppError {
  override name = 'ClosrtechRefusedError' as const;
  readonly retryable = false;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** CLOSRTECH answered, but with data that cannot be trusted (not JSON, wrong shape, all zeros…). */
export class DemandDataError extends AppError {
  override name = 'DemandDataError' as const;
  readonly retryable = false;
}

/** What the report says when Meta rejects the access token: the operator's next step is in it. */
export const TOKEN_REJECTED_REASON =
  'the Facebook access token is invalid or expired; issue a new System User token and set FB_ACCESS_TOKEN';

/** How the product reacts to a Graph API error. */
export type GraphErrorClass = 'transient' | 'throttle' | 'auth' | 'permission' | 'invalid';

/** An error answer from the Graph API, classified by `error.code` / `error_subcode`. */
export class GraphApiError extends AppError {
  override name = 'GraphApiError' as const;
  readonly retryable: boolean;
  constructor(
    readonly errorClass: GraphErrorClass,
    readonly details: {
      code?: number;
      subcode?: number;
      httpStatus?: number;
      type?: string;
      /** Meta's message, or a description of the transport failure. */
      metaMessage: string;
      userTitle?: string;
      userMessage?: string;
      /** For throttling: how long Meta asks us to wait before calling this ad account again. */
      retryAfterMs?: number;
      /** The request, with the access token redacted. */
      request?: string;
    },
  ) {
    super(formatGraphError(details));
    this.retryable = errorClass === 'transient' || errorClass === 'throttle';
  }

  get code(): number | undefined {
    return this.details.code;
  }
  get subcode(): number | undefined {
    return this.details.subcode;
  }
}

function formatGraphError(d: GraphApiError['details']): string {
  const id = d.code === undefined ? '' : `(#${d.code}${d.subcode ? `/${d.subcode}` : ''}) `;
  const user = d.userMessage ?? d.userTitle;
  const text = user && !d.metaMessage.includes(user) ? `${d.metaMessage}: ${user}` : d.metaMessage;
  return `${id}${text}`;
}

/** An ad set that cannot be managed safely as it is (for example it also targets the whole US). */
export class TargetingConflictError extends AppError {
  override name = 'TargetingConflictError' as const;
  readonly retryable = false;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * An upstream answered with a redirect. None is followed: a redirect from the Graph API would re-send
 * the token to another host, and one from CLOSRTECH would make another host's body our demand.
 */
export class UpstreamRedirectError extends AppError {
  override name = 'UpstreamRedirectError' as const;
  readonly retryable = false;
  constructor(
    readonly upstream: 'CLOSRTECH' | 'Graph API' | 'Slack webhook',
    readonly status: number,
    target: string,
  ) {
    super(`${upstream} answered with a redirect (HTTP ${status} to ${target}); redirects are not followed`);
  }
}

/** Redis refused a write needed to start a run (out of memory, read-only replica…); nothing of it is kept. */
export class RunNotStartedError extends AppError {
  override name = 'RunNotStartedError' as const;
  readonly retryable = false;
}

/**
 * The reason Redis gave, in one line. A refused MULTI fails as EXECABORT; the command errors that
 * caused it (OOM, READONLY) are the useful part.
 */
export function redisRefusal(err: unknown): string {
  const previous = (err as { previousErrors?: unknown }).previousErrors;
  const first = Array.isArray(previous) && previous[0] instanceof Error ? previous[0].message : errorMessage(err);
  return first.replace(/\s+/g, ' ').trim();
}
