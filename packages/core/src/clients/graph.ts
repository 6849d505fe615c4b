import { createHmac } from 'node:crypto';
import ky, { type KyInstance } from 'ky';
import { z } from 'zod';
import type { FacebookConfig } from '../config';
import type { Targeting } from '../domain/targeting';
import { GraphApiError } from '../errors';
import type { Logger } from '../logger';
import { redactText, redactUrl } from '../redact';
import { classifyGraphError } from './graph-errors';
import { readUsage, throttleWaitMs, type UsageReading } from './usage';

const AdsetSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  effective_status: z.string(),
  targeting: z.record(z.string(), z.unknown()),
});
export type Adset = z.output<typeof AdsetSchema>;

const IssueSchema = z.looseObject({
  error_code: z.number().optional(),
  error_summary: z.string().optional(),
  error_message: z.string().optional(),
  level: z.string().optional(),
});
const AdSchema = z.looseObject({
  id: z.string(),
  name: z.string().default(''),
  status: z.string(),
  effective_status: z.string(),
  issues_info: z.array(IssueSchema).optional(),
});
export type Ad = z.output<typeof AdSchema>;

const pageOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    data: z.array(item),
    paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
  });

/** A write counts as done only when Meta says so; `success: false` is an error. */
const SuccessSchema = z.looseObject({ success: z.union([z.literal(true), z.literal('true')], { error: 'Meta did not confirm the write (success is not true)' }) });

const ErrorBodySchema = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().optional(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
    error_user_title: z.string().optional(),
    error_user_msg: z.string().optional(),
  }),
});

export const ADSET_LIST_FIELDS = 'id,name,effective_status,targeting';
const AD_FIELDS = 'id,name,status,effective_status,issues_info';

export interface GraphClientOptions {
  timeoutMs?: number;
  /** Items per page asked for when listing (the server may return fewer). */
  pageSize?: number;
  /** Called with the usage headers of every answer, for pacing. */
  onUsage?: (reading: UsageReading) => void;
  /** Awaited right before each POST charged to an ad account (keeps writes under Meta's rate). */
  beforeWrite?: (adAccountId: string) => Promise<unknown>;
  /** Called with every throttling error and the ad account it was charged to, before it is thrown. */
  onThrottled?: (err: GraphApiError, adAccountId: string | undefined) => void;
  logger?: Logger;
}

interface CallContext {
  /** The ad account the call is charged to, so usage and throttling are tracked per account. */
  adAccountId?: string;
}

/**
 * The few Graph API calls the product makes, over plain HTTP. The token goes in the query of GETs and
 * the body of POSTs, never in a message: every URL that reaches a log or an error is redacted.
 * No retries here: callers decide (planning retries reads, ad set jobs retry through BullMQ).
 */
export class GraphClient {
  private readonly http: KyInstance;
  private readonly proof?: string;
  private readonly pageSize: number;

  constructor(
    private readonly config: FacebookConfig,
    private readonly opts: GraphClientOptions = {},
  ) {
    this.http = ky.create({
      prefixUrl: `${config.graphUrl}/${config.apiVersion}/`,
      timeout: opts.timeoutMs ?? 30_000,
      retry: 0,
      throwHttpErrors: false,
    });
    this.proof = config.appSecret ? createHmac('sha256', config.appSecret).update(config.accessToken).digest('hex') : undefined;
    this.pageSize = opts.pageSize ?? 100;
  }

  /** Every ad set of a Facebook campaign, following the cursor until Meta gives no `next`. */
  async listAdsets(campaignId: string, ctx: CallContext = {}): Promise<Adset[]> {
    return this.listAll(`${campaignId}/adsets`, { fields: ADSET_LIST_FIELDS }, AdsetSchema, ctx);
  }

  async getAdset(adsetId: string, ctx: CallContext = {}): Promise<Adset> {
    return this.call('GET', adsetId, { query: { fields: ADSET_LIST_FIELDS } }, AdsetSchema, ctx);
  }

  /** Replaces the whole targeting object of an ad set (Meta does not merge targeting). */
  async updateTargeting(adsetId: string, targeting: Targeting, ctx: CallContext = {}): Promise<void> {
    await this.call('POST', adsetId, { form: { targeting: JSON.stringify(targeting) } }, SuccessSchema, ctx);
  }

  async listAds(adsetId: string, ctx: CallContext = {}): Promise<Ad[]> {
    return this.listAll(`${adsetId}/ads`, { fields: AD_FIELDS }, AdSchema, ctx);
  }

  async setAdStatus(adId: string, status: 'ACTIVE' | 'PAUSED', ctx: CallContext = {}): Promise<void> {
    await this.call('POST', adId, { form: { status } }, SuccessSchema, ctx);
  }

  /** Facts about the configured token (validity, expiry, scopes). */
  async debugToken(): Promise<Record<string, unknown>> {
    const body = await this.call(
      'GET',
      'debug_token',
      { query: { input_token: this.config.accessToken } },
      z.looseObject({ data: z.record(z.string(), z.unknown()) }),
      {},
    );
    return body.data;
  }

  async me(): Promise<{ id: string; name?: string }> {
    return this.call('GET', 'me', { query: { fields: 'id,name' } }, z.looseObject({ id: z.string(), name: z.string().optional() }), {});
  }

  /** Targeting search for US regions by name (used to regenerate the region-key table). */
  async searchRegions(q: string): Promise<Array<{ key: string; name: string; country_code?: string }>> {
    const body = await this.call(
      'GET',
      'search',
      { query: { type: 'adgeolocation', location_types: '["region"]', country_code: 'US', q, limit: '100' } },
      z.looseObject({ data: z.array(z.looseObject({ key: z.coerce.string(), name: z.string(), country_code: z.string().optional() })) }),
      {},
    );
    return body.data;
  }

  private async listAll<T extends z.ZodType>(path: string, query: Record<string, string>, item: T, ctx: CallContext): Promise<Array<z.output<T>>> {
    const schema = pageOf(item);
    const out: Array<z.output<T>> = [];
    const seen = new Set<string>();
    let after: string | undefined;
    // Re-issue with `after` against our own base URL rather than following `next`: the token stays out of
    // anything we might log, and a page may be short or even empty while more remain.
    for (;;) {
      const page = await this.call('GET', path, { query: { ...query, limit: String(this.pageSize), ...(after ? { after } : {}) } }, schema, ctx);
      out.push(...(page.data as Array<z.output<T>>));
      after = page.paging?.cursors?.after;
      if (!page.paging?.next || !after) return out;
      // An upstream that hands back a cursor it already gave would keep us listing forever.
      if (seen.has(after)) {
        throw new GraphApiError('invalid', { metaMessage: `Graph API repeated a paging cursor while listing ${path}; listing stopped` });
      }
      seen.add(after);
    }
  }

  private async call<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    params: { query?: Record<string, string>; form?: Record<string, string> },
    schema: T,
    ctx: CallContext,
  ): Promise<z.output<T>> {
    const auth: Record<string, string> = { access_token: this.config.accessToken, ...(this.proof ? { appsecret_proof: this.proof } : {}) };
    const query = method === 'GET' ? { ...params.query, ...auth } : { ...params.query };
    const request = `${method} ${redactUrl(`${this.config.graphUrl}/${this.config.apiVersion}/${path}`)}`;
    if (method === 'POST' && ctx.adAccountId && this.opts.beforeWrite) await this.opts.beforeWrite(ctx.adAccountId);
    let response: Response;
    try {
      response = await this.http(path, {
        method,
        searchParams: query,
        ...(method === 'POST' ? { body: new URLSearchParams({ ...params.form, ...auth }) } : {}),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new GraphApiError('transient', { metaMessage: timedOut ? 'Graph API call timed out' : 'Graph API could not be reached', request });
    }
    const usage = readUsage(response.headers, ctx.adAccountId);
    if (usage) this.opts.onUsage?.(usage);
    let text: string;
    try {
      text = await response.text();
    } catch {
      // The connection dropped in the middle of the answer: transport trouble, worth another attempt.
      throw new GraphApiError('transient', { httpStatus: response.status, metaMessage: 'Graph API answer was cut off before its end', request });
    }
    const json = parseJson(text);

    const errorBody = ErrorBodySchema.safeParse(json);
    if (errorBody.success) {
      const e = errorBody.data.error;
      const errorClass = classifyGraphError({ code: e.code, subcode: e.error_subcode, isTransient: e.is_transient, httpStatus: response.status });
      const error = new GraphApiError(errorClass, {
        code: e.code,
        subcode: e.error_subcode,
        httpStatus: response.status,
        type: e.type,
        metaMessage: redactText(e.message ?? 'Graph API error'),
        userTitle: e.error_user_title,
        userMessage: e.error_user_msg,
        retryAfterMs: errorClass === 'throttle' ? throttleWaitMs(response.headers) : undefined,
        request,
      });
      if (errorClass === 'throttle') this.opts.onThrottled?.(error, ctx.adAccountId);
      throw error;
    }
    if (json === undefined || response.status >= 400) {
      // No error object: an HTML page from a proxy, a truncated or empty body. Server-side trouble is
      // worth retrying; a 4xx without Meta's error shape is not.
      const errorClass = classifyGraphError({ httpStatus: response.status });
      const what = text.trim() === '' ? 'an empty body' : json === undefined ? 'a body that is not JSON' : 'an unexpected body';
      const error = new GraphApiError(errorClass, { httpStatus: response.status, metaMessage: `Graph API answered HTTP ${response.status} with ${what}`, request });
      if (errorClass === 'throttle') this.opts.onThrottled?.(error, ctx.adAccountId);
      throw error;
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new GraphApiError('invalid', {
        httpStatus: response.status,
        metaMessage: `Graph API answer has an unexpected shape (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`,
        request,
      });
    }
    this.opts.logger?.debug({ request, status: response.status }, 'graph call');
    return parsed.data;
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
