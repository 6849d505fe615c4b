import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors';

export interface RetryPolicy {
  /** Total attempts, the first one included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time after that. */
  baseDelayMs: number;
  /** Upper bound for a single wait, including waits the upstream asks for. */
  maxDelayMs: number;
}

/**
 * Runs `fn` until it succeeds, it throws a non-retryable error, or attempts run out.
 * A retryable error may carry its own wait (`retryAfterMs`, e.g. from rate-limit headers), which wins
 * over the exponential delay when longer.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const retryable = err instanceof AppError && err.retryable;
      if (!retryable || attempt >= policy.attempts) throw err;
      const asked = retryAfterOf(err);
      const exponential = policy.baseDelayMs * 2 ** (attempt - 1);
      const delay = Math.min(policy.maxDelayMs, Math.max(exponential, asked ?? 0));
      onRetry?.(err, attempt, delay);
      await sleep(delay);
    }
  }
}

function retryAfterOf(err: unknown): number | undefined {
  const details = (err as { details?: { retryAfterMs?: unknown } }).details;
  return typeof details?.retryAfterMs === 'number' ? details.retryAfterMs : undefined;
}
