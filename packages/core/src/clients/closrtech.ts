import ky from 'ky';
import type { ClosrtechConfig } from '../config';
import { configDefaults } from '../config';
import { parseDemandBody, type Demand } from '../domain/demand';
import {
  ClosrtechRefusedError,
  ClosrtechUnavailableError,
  DemandDataError,
  UpstreamRedirectError,
  errorMessage,
} from '../errors';
import type { Logger } from '../logger';
import { configSecrets, redactUrl, scrubSecrets } from '../redact';
import {
  BodyReadError,
  exchangeDeadline,
  formatBytes,
  isRedirect,
  readBoundedText,
  redirectTarget,
} from './bounded-body';
import { withRetry, type RetryPolicy } from './retry';

export interface ClosrtechClientOptions {
  /** Bound on one whole exchange, the body included. */
  timeoutMs?: number;
  retry?: RetryPolicy;
  logger?: Logger;
  /** Largest answer read (default DEMAND_MAX_BYTES). */
  maxBytes?: number;
}

/** 3 attempts, waiting 4 s then 8 s: the original tool's policy, which CLOSRTECH has lived with. */
export const CLOSRTECH_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 4000, maxDelayMs: 16_000 };

/**
 * A demand answer is one small object per state: about 60 codes of a few dozen bytes each is a few
 * kilobytes. 64 KB leaves room for verbose objects (`stock` and the like); anything larger is not a
 * demand answer and is not read further.
 */
export const DEMAND_MAX_BYTES = 64 * 1024;

/**
 * Reads demand per state from CLOSRTECH's `demand.php`. Credentials travel in the query string (the
 * only way the endpoint accepts them), so every URL is redacted and every text CLOSRTECH sends back is
 * scrubbed of them (in any encoding) before it reaches a log or an error.
 */
export class ClosrtechClient {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly maxBytes: number;
  private readonly secrets: string[];

  constructor(
    private readonly config: ClosrtechConfig,
    private readonly opts: ClosrtechClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? configDefaults('worker').httpTimeoutMs;
    this.retry = opts.retry ?? CLOSRTECH_RETRY;
    this.maxBytes = opts.maxBytes ?? DEMAND_MAX_BYTES;
    this.secrets = configSecrets({ closrtech: config });
  }

  /**
   * Demand per USPS code for one CLOSRTECH campaign.
   * Throws ClosrtechUnavailableError (after retries), ClosrtechRefusedError (4xx, not retried),
   * UpstreamRedirectError (3xx, not followed) or DemandDataError (an answer that is not a valid demand
   * object, or larger than its cap; not retried).
   */
  async fetchDemand(campaign: string): Promise<Demand> {
    const body = await withRetry(
      () => this.fetchOnce(campaign),
      this.retry,
      (err, attempt, delayMs) =>
        this.opts.logger?.warn(
          { campaign, attempt, delayMs, err: errorMessage(err) },
          'CLOSRTECH call failed, retrying',
        ),
    );
    try {
      return parseDemandBody(body);
    } catch (err) {
      // The excerpt of the body in the message is upstream text: it may echo the credentials.
      if (err instanceof DemandDataError) throw new DemandDataError(scrubSecrets(err.message, this.secrets));
      throw err;
    }
  }

  private async fetchOnce(campaign: string): Promise<string> {
    const url = new URL(this.config.url);
    url.searchParams.set('campaign', campaign);
    url.searchParams.set('email', this.config.email);
    url.searchParams.set('pass', this.config.password);
    const safeUrl = redactUrl(url.toString());
    // One deadline for the whole exchange: headers and body (a body that drips forever is cut here).
    const deadline = exchangeDeadline(this.timeoutMs);
    try {
      return await this.exchange(url, safeUrl, deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  private async exchange(url: URL, safeUrl: string, signal: AbortSignal): Promise<string> {
    const timedOut = `timed out after ${this.timeoutMs / 1000} s`;
    let response: Response;
    try {
      response = await ky.get(url, { timeout: false, signal, retry: 0, throwHttpErrors: false, redirect: 'manual' });
    } catch {
      throw new ClosrtechUnavailableError(
        `CLOSRTECH ${signal.aborted ? timedOut : 'could not be reached'} (${safeUrl})`,
      );
    }
    if (isRedirect(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw new UpstreamRedirectError('CLOSRTECH', response.status, redirectTarget(response));
    }
    let text: string;
    try {
      text = await readBoundedText(response, this.maxBytes, signal);
    } catch (err) {
      const failure = err instanceof BodyReadError ? err.failure : 'cut-off';
      if (failure === 'too-large') {
        throw new DemandDataError(
          `CLOSRTECH answered with more than ${formatBytes(this.maxBytes)}, which no demand answer needs; not read further, targeting left as it is`,
        );
      }
      throw new ClosrtechUnavailableError(
        `CLOSRTECH ${failure === 'timeout' ? `answer ${timedOut}` : 'answer was cut off before its end'} (${safeUrl})`,
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new ClosrtechUnavailableError(`CLOSRTECH answered HTTP ${response.status} (${safeUrl})`);
    }
    if (response.status >= 400) {
      const reason = shortText(scrubSecrets(text, this.secrets)) || response.statusText || 'no reason given';
      throw new ClosrtechRefusedError(
        response.status,
        `CLOSRTECH refused the request (HTTP ${response.status}): ${scrubSecrets(reason, this.secrets)}`,
      );
    }
    return text;
  }
}

/** A one-line excerpt of an error body (CLOSRTECH sends plain text such as "No access to this campaign"). */
function shortText(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}
