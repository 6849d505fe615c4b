import ky from 'ky';
import type { ClosrtechConfig } from '../config';
import { parseDemandBody, type Demand } from '../domain/demand';
import { ClosrtechRefusedError, ClosrtechUnavailableError, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { redactUrl } from '../redact';
import { withRetry, type RetryPolicy } from './retry';

export interface ClosrtechClientOptions {
  timeoutMs?: number;
  retry?: RetryPolicy;
  logger?: Logger;
}

/** 3 attempts, waiting 4 s then 8 s: the original tool's policy, which CLOSRTECH has lived with. */
export const CLOSRTECH_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 4000, maxDelayMs: 16_000 };

/**
 * Reads demand per state from CLOSRTECH's `demand.php`. Credentials travel in the query string (the
 * only way the endpoint accepts them), so every URL is redacted before it reaches a log or an error.
 */
export class ClosrtechClient {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly config: ClosrtechConfig,
    private readonly opts: ClosrtechClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retry = opts.retry ?? CLOSRTECH_RETRY;
  }

  /**
   * Demand per USPS code for one CLOSRTECH campaign.
   * Throws ClosrtechUnavailableError (after retries), ClosrtechRefusedError (4xx, not retried) or
   * DemandDataError (an answer that is not a valid demand object, not retried).
   */
  async fetchDemand(campaign: string): Promise<Demand> {
    const body = await withRetry(
      () => this.fetchOnce(campaign),
      this.retry,
      (err, attempt, delayMs) =>
        this.opts.logger?.warn({ campaign, attempt, delayMs, err: errorMessage(err) }, 'CLOSRTECH call failed, retrying'),
    );
    return parseDemandBody(body);
  }

  private async fetchOnce(campaign: string): Promise<string> {
    const url = new URL(this.config.url);
    url.searchParams.set('campaign', campaign);
    url.searchParams.set('email', this.config.email);
    url.searchParams.set('pass', this.config.password);
    const safeUrl = redactUrl(url.toString());
    let response: Response;
    try {
      response = await ky.get(url, { timeout: this.timeoutMs, retry: 0, throwHttpErrors: false });
    } catch (err) {
      const what = (err as Error).name === 'TimeoutError' ? `timed out after ${this.timeoutMs / 1000} s` : 'could not be reached';
      throw new ClosrtechUnavailableError(`CLOSRTECH ${what} (${safeUrl})`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch {
      throw new ClosrtechUnavailableError(`CLOSRTECH answer was cut off before its end (${safeUrl})`);
    }
    if (response.status >= 500 || response.status === 429) {
      throw new ClosrtechUnavailableError(`CLOSRTECH answered HTTP ${response.status} (${safeUrl})`);
    }
    if (response.status >= 400) {
      const reason = shortText(text) || response.statusText || 'no reason given';
      throw new ClosrtechRefusedError(response.status, `CLOSRTECH refused the request (HTTP ${response.status}): ${reason}`);
    }
    return text;
  }
}

/** A one-line excerpt of an error body (CLOSRTECH sends plain text such as "No access to this campaign"). */
function shortText(text: string): string {
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}
