import { configDefaults } from '../config';
import { z } from 'zod';
import type { FacebookConfig } from '../config';
import type { Targeting } from '../domain/targeting';
import { GraphApiError, UpstreamRedirectError } from '../errors';
import type { Logger } from '../logger';
import { appsecretProof, configSecrets, redactUrl, scrubSecrets } from '../redact';
import { BodyReadError, exchangeDeadline, formatBytes, isRedirect, redirectTarget } from './bounded-body';
import { httpExchange, type HttpAnswer } from './http-exchange';
import { MAX_THROTTLE_WAIT_MS, classifyGraphError, formatWait, isReduceDataError } from './graph-errors';
import { READ_POINTS, readUsage, throttleWaitMs, WRITE_POINTS, type UsageReading } from './usage';

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

/** An ad as the campaign's `ads` edge lists it: with the ad set it belongs to. */
const CampaignAdSchema = AdSchema.extend({ adset_id: z.coerce.string() });
export type CampaignAd = z.output<typeof CampaignAdSchema>;

const PagingSchema = z
  .looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() })
  .optional();

const AdsetSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  effective_status: z.string(),
  targeting: z.record(z.string(), z.unknown()),
  /** The ad set's ads by field expansion (absent when the ad set has none or they were not asked for). */
  ads: z.looseObject({ data: z.array(AdSchema), paging: PagingSchema }).optional(),
});
export type Adset = z.output<typeof AdsetSchema>;

const pageOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    data: z.array(item),
    paging: PagingSchema,
  });

/** A write counts as done only when Meta says so; `success: false` is an error. */
const SuccessSchema = z.looseObject({
  success: z.union([z.literal(true), z.literal('true')], {
    error: 'Meta did not confirm the write (success is not true)',
  }),
});

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

const AD_FIELDS = 'id,name,status,effective_status,issues_info';
/**
 * Ad sets are read with their ads by field expansion (Graph guide "field expansion"): pre-flight then
 * needs no call of its own. Meta allows at most 50 non-archived ads per ad set, hence the limit.
 */
export const ADS_PER_ADSET = 50;
export const ADSET_LIST_FIELDS = `id,name,effective_status,targeting,ads.limit(${ADS_PER_ADSET}){${AD_FIELDS}}`;
const CAMPAIGN_AD_FIELDS = `adset_id,${AD_FIELDS}`;

/** The ads listed by field expansion are all of them unless the nested edge says more remain. */
export function expandedAdsComplete(adset: Pick<Adset, 'ads'>): boolean {
  return !adset.ads?.paging?.next;
}

/**
 * Largest Graph answer read. A page of 100 ad sets with rich targeting (and their ads, expanded) is
 * well under a megabyte or two; past this an answer is not a page the product can use.
 */
export const GRAPH_MAX_BYTES = 8 * 1024 * 1024;
/** Meta caps the ad sets of one ad account at 5,000: no listing of ours can hold more. */
export const MAX_LISTED_ITEMS = 5000;
/** Smallest page asked for when Meta says a page asks for too much data (code 1). */
export const PAGE_SIZE_FLOOR = 25;
/** Pages a listing may take: 5,000 items at the smallest page size. */
export const MAX_LISTING_PAGES = Math.ceil(MAX_LISTED_ITEMS / PAGE_SIZE_FLOOR);
/** A campaign's ads: at most 50 non-archived ads per ad set (Meta), so 50 times the ad set bound. */
const MAX_LISTED_ADS = MAX_LISTED_ITEMS * ADS_PER_ADSET;
/** What bounds a listing: an edge of ad sets, or the ads of a whole campaign. */
interface ListingBound {
  items: number;
  pages: number;
  what: string;
}
const ADSET_BOUND: ListingBound = {
  items: MAX_LISTED_ITEMS,
  pages: MAX_LISTING_PAGES,
  what: `Meta holds at most ${MAX_LISTED_ITEMS} ad sets per ad account`,
};
const ADS_BOUND: ListingBound = {
  items: MAX_LISTED_ADS,
  pages: Math.ceil(MAX_LISTED_ADS / PAGE_SIZE_FLOOR),
  what: `at most ${ADS_PER_ADSET} ads per ad set`,
};

export interface GraphClientOptions {
  /** Bound on one whole exchange, the body included. */
  timeoutMs?: number;
  /** Largest answer read (default GRAPH_MAX_BYTES). */
  maxBytes?: number;
  /** Items per page asked for when listing (the server may return fewer). */
  pageSize?: number;
  /** Ads per page when listing a campaign's ads (small items, so larger pages). */
  adsPageSize?: number;
  /** Called with the usage headers of every answer, for pacing. */
  onUsage?: (reading: UsageReading) => void;
  /**
   * Awaited right before each POST charged to an ad account (keeps writes under Meta's rate), with the
   * write moment the caller took already, if it did.
   */
  beforeWrite?: (adAccountId: string, taken?: WriteMoment) => Promise<unknown>;
  /** Called with every throttling error and the ad account it was charged to, before it is thrown. */
  onThrottled?: (err: GraphApiError, adAccountId: string | undefined) => void;
  logger?: Logger;
}

/**
 * How one page of a listing was asked for: the cursor it followed (none for the first page) and the
 * page size. Asking the same again re-reads that page; Meta's cursors last while their item exists.
 */
export interface PageRef {
  after?: string;
  limit: number;
}

interface CallContext {
  /** The ad account the call is charged to, so usage and throttling are tracked per account. */
  adAccountId?: string;
  /** A POST's write moment, taken by the caller in a round trip it made anyway (see beforeWrite). */
  writeMoment?: WriteMoment;
}

/** A write moment taken ahead of the POST: when it was asked for, and the wait it came with (undefined: paused). */
export interface WriteMoment {
  askedAt: number;
  waitMs: number | undefined;
}

/**
 * The few Graph API calls the product makes, over plain HTTP (node:http, see http-exchange.ts). The
 * token goes in the query of GETs and the body of POSTs, never in a message: every URL that reaches a
 * log or an error is redacted. No redirect is followed: it would re-send the token and
 * appsecret_proof to wherever it points. No retries here: callers decide (planning retries reads,
 * ad set jobs retry through BullMQ).
 */
export class GraphClient {
  /** `{graphUrl}/{apiVersion}/`: every path is relative to it. */
  private readonly base: string;
  private readonly proof?: string;
  private readonly pageSize: number;
  private readonly adsPageSize: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  /** What Meta's texts must never carry back to us: an error may echo the request. */
  private readonly secrets: string[];

  constructor(
    private readonly config: FacebookConfig,
    private readonly opts: GraphClientOptions = {},
  ) {
    this.base = `${config.graphUrl}/${config.apiVersion}/`;
    this.proof = config.appSecret ? appsecretProof(config.accessToken, config.appSecret) : undefined;
    this.pageSize = opts.pageSize ?? 100;
    this.adsPageSize = opts.adsPageSize ?? 500;
    this.timeoutMs = opts.timeoutMs ?? configDefaults('worker').httpTimeoutMs;
    this.maxBytes = opts.maxBytes ?? GRAPH_MAX_BYTES;
    this.secrets = configSecrets({ facebook: config });
  }

  /**
   * Every ad set of a Facebook campaign with its ads, following the cursor until Meta gives no `next`.
   * `onPage` hears of each page as it arrives (planning notes when each ad set was read).
   */
  async listAdsets(
    campaignId: string,
    ctx: CallContext = {},
    onPage?: (page: Adset[], ref: PageRef) => void,
  ): Promise<Adset[]> {
    return this.listAll(`${campaignId}/adsets`, { fields: ADSET_LIST_FIELDS }, AdsetSchema, ctx, this.pageSize, onPage);
  }

  /**
   * One page of a Facebook campaign's ad sets, asked again as the listing asked it (`ref`): one call
   * reads up to a page of ad sets with their ads, where reading them one by one takes a call each.
   */
  async getAdsetsPage(campaignId: string, ref: PageRef, ctx: CallContext = {}): Promise<Adset[]> {
    const query = { fields: ADSET_LIST_FIELDS, limit: String(ref.limit), ...(ref.after ? { after: ref.after } : {}) };
    const page = await this.call('GET', `${campaignId}/adsets`, { query }, pageOf(AdsetSchema), ctx);
    return page.data;
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

  /**
   * Every ad of a Facebook campaign with the ad set it belongs to ("Ads under this campaign"): one paged
   * listing serves the watch of all its ad sets at once.
   */
  async listCampaignAds(campaignId: string, ctx: CallContext = {}): Promise<CampaignAd[]> {
    return this.listAll(
      `${campaignId}/ads`,
      { fields: CAMPAIGN_AD_FIELDS },
      CampaignAdSchema,
      ctx,
      this.adsPageSize,
      undefined,
      ADS_BOUND,
    );
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

  /** A campaign node (a Marketing API read): whether it exists for this token, and its ad account. */
  async getCampaign(
    campaignId: string,
  ): Promise<{ id: string; name?: string; account_id?: string; effective_status?: string }> {
    return this.call(
      'GET',
      campaignId,
      { query: { fields: 'id,name,account_id,effective_status' } },
      z.looseObject({
        id: z.coerce.string(),
        name: z.string().optional(),
        account_id: z.coerce.string().optional(),
        effective_status: z.string().optional(),
      }),
      {},
    );
  }

  async me(): Promise<{ id: string; name?: string }> {
    return this.call(
      'GET',
      'me',
      { query: { fields: 'id,name' } },
      z.looseObject({ id: z.string(), name: z.string().optional() }),
      {},
    );
  }

  /** Targeting search for US regions by name (used to regenerate the region-key table). */
  async searchRegions(q: string): Promise<Array<{ key: string; name: string; country_code?: string }>> {
    const body = await this.call(
      'GET',
      'search',
      { query: { type: 'adgeolocation', location_types: '["region"]', country_code: 'US', q, limit: '100' } },
      z.looseObject({
        data: z.array(z.looseObject({ key: z.coerce.string(), name: z.string(), country_code: z.string().optional() })),
      }),
      {},
    );
    return body.data;
  }

  /**
   * Every item of an edge, following Meta's cursor. Bounded: a listing stops with an error past
   * MAX_LISTED_ITEMS items or MAX_LISTING_PAGES pages (an upstream handing out new cursors forever),
   * and a page Meta finds too large (code 1, "reduce the amount of data") is asked again with half the
   * limit, down to PAGE_SIZE_FLOOR.
   */
  private async listAll<T extends z.ZodType>(
    path: string,
    query: Record<string, string>,
    item: T,
    ctx: CallContext,
    pageSize: number = this.pageSize,
    onPage?: (page: Array<z.output<T>>, ref: PageRef) => void,
    bound: ListingBound = ADSET_BOUND,
  ): Promise<Array<z.output<T>>> {
    const schema = pageOf(item);
    const out: Array<z.output<T>> = [];
    const seen = new Set<string>();
    let after: string | undefined;
    let limit = pageSize;
    // Re-issue with `after` against our own base URL rather than following `next`: the token stays out of
    // anything we might log, and a page may be short or even empty while more remain.
    for (let pages = 0; ;) {
      let page: z.output<typeof schema>;
      try {
        page = await this.call(
          'GET',
          path,
          { query: { ...query, limit: String(limit), ...(after ? { after } : {}) } },
          schema,
          ctx,
        );
      } catch (err) {
        if (err instanceof GraphApiError && isReduceDataError(err) && limit > PAGE_SIZE_FLOOR) {
          limit = Math.max(PAGE_SIZE_FLOOR, Math.floor(limit / 2));
          this.opts.logger?.warn(
            { path, limit },
            'Meta asked for less data per page; asking again with a smaller page',
          );
          continue;
        }
        throw err;
      }
      pages++;
      out.push(...(page.data as Array<z.output<T>>));
      onPage?.(page.data, { ...(after ? { after } : {}), limit });
      after = page.paging?.cursors?.after;
      if (!page.paging?.next || !after) return out;
      // An upstream that hands back a cursor it already gave would keep us listing forever.
      if (seen.has(after)) {
        throw new GraphApiError('invalid', {
          metaMessage: `Graph API repeated a paging cursor while listing ${path}; listing stopped`,
        });
      }
      if (out.length > bound.items || pages >= bound.pages) {
        throw new GraphApiError('invalid', {
          metaMessage: `Graph API listing of ${path} went on past ${pages} pages and ${out.length} items (${bound.what}); listing stopped`,
        });
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
    const auth: Record<string, string> = {
      access_token: this.config.accessToken,
      ...(this.proof ? { appsecret_proof: this.proof } : {}),
    };
    const query = method === 'GET' ? { ...params.query, ...auth } : { ...params.query };
    const request = `${method} ${redactUrl(`${this.config.graphUrl}/${this.config.apiVersion}/${path}`)}`;
    // A write waits for its moment on the ad account's pace (before the deadline starts).
    if (method === 'POST' && ctx.adAccountId && this.opts.beforeWrite)
      await this.opts.beforeWrite(ctx.adAccountId, ctx.writeMoment);
    // One deadline for the whole exchange: headers and body (a body that drips forever is cut here).
    const deadline = exchangeDeadline(this.timeoutMs);
    try {
      return await this.exchange({ method, path, params, query, auth, request }, schema, ctx, deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  /** Hands an answer's usage to the pacer, unless it asks for a wait beyond the cap (see `exchange`). */
  private reportUsage(usage: UsageReading, method: 'GET' | 'POST'): void {
    if (usage.waitMs > MAX_THROTTLE_WAIT_MS) return;
    this.opts.onUsage?.({
      ...usage,
      resetMs: Math.min(usage.resetMs, MAX_THROTTLE_WAIT_MS),
      points: method === 'POST' ? WRITE_POINTS : READ_POINTS,
    });
  }

  /** One request and its answer, under `signal` (the call's deadline). */
  private async exchange<T extends z.ZodType>(
    call: {
      method: 'GET' | 'POST';
      path: string;
      params: { form?: Record<string, string> };
      query: Record<string, string>;
      auth: Record<string, string>;
      request: string;
    },
    schema: T,
    ctx: CallContext,
    signal: AbortSignal,
  ): Promise<z.output<T>> {
    const { method, path, params, query, auth, request } = call;
    let response: HttpAnswer;
    try {
      const url = new URL(`${this.base}${path}`);
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      response = await httpExchange({
        method,
        url,
        signal,
        ...(method === 'POST' ? { form: new URLSearchParams({ ...params.form, ...auth }) } : {}),
      });
    } catch {
      throw new GraphApiError('transient', {
        metaMessage: signal.aborted ? 'Graph API call timed out' : 'Graph API could not be reached',
        request,
      });
    }
    if (isRedirect(response.status)) {
      response.discard();
      throw new UpstreamRedirectError('Graph API', response.status, redirectTarget(response));
    }
    const usage = readUsage(response.headers, ctx.adAccountId);
    // Pacing never waits longer than a throttling answer would be waited for. An answer asking for a
    // wait beyond the cap does not reach the pacer at all (its usage would fill the account's score
    // model for as long): the calls that follow fail at once with Meta's figure (see below), so the run
    // reports now instead of parking every ad set of the account for the cap.
    if (usage) this.reportUsage(usage, method);
    let text: string;
    try {
      text = await response.text(this.maxBytes);
    } catch (err) {
      const failure = err instanceof BodyReadError ? err.failure : 'cut-off';
      if (failure === 'too-large') {
        throw new GraphApiError('invalid', {
          httpStatus: response.status,
          metaMessage: `Graph API answer is larger than ${formatBytes(this.maxBytes)}; not read further`,
          request,
        });
      }
      // Transport trouble (a dropped connection, a body too slow to end): worth another attempt.
      const what =
        failure === 'timeout'
          ? 'Graph API call timed out while reading the answer'
          : 'Graph API answer was cut off before its end';
      throw new GraphApiError('transient', { httpStatus: response.status, metaMessage: what, request });
    }
    const json = parseJson(text);

    const errorBody = ErrorBodySchema.safeParse(json);
    if (errorBody.success) {
      const e = errorBody.data.error;
      // Meta's texts may echo the request (its query holds the token and the proof).
      const clean = (t: string | undefined) => (t === undefined ? undefined : scrubSecrets(t, this.secrets));
      const metaMessage = clean(e.message) ?? 'Graph API error';
      const errorClass = classifyGraphError({
        code: e.code,
        subcode: e.error_subcode,
        isTransient: e.is_transient,
        httpStatus: response.status,
        message: e.message,
      });
      const details = {
        code: e.code,
        subcode: e.error_subcode,
        httpStatus: response.status,
        type: clean(e.type),
        metaMessage,
        userTitle: clean(e.error_user_title),
        userMessage: clean(e.error_user_msg),
        request,
      };
      if (errorClass === 'throttle') {
        const retryAfterMs = throttleWaitMs(response.headers);
        if (retryAfterMs !== undefined && retryAfterMs > MAX_THROTTLE_WAIT_MS) {
          // Waiting that long would keep the run from ever reporting: this call fails, with Meta's figure.
          throw new GraphApiError('invalid', {
            ...details,
            metaMessage: `${metaMessage}; Meta asks to wait ${formatWait(retryAfterMs)} before calling this ad account again, more than the ${formatWait(MAX_THROTTLE_WAIT_MS)} the product waits`,
          });
        }
        const error = new GraphApiError(errorClass, { ...details, retryAfterMs });
        this.opts.onThrottled?.(error, ctx.adAccountId);
        throw error;
      }
      throw new GraphApiError(errorClass, details);
    }
    if (json === undefined || response.status >= 400) {
      // No error object: an HTML page from a proxy, a truncated or empty body. Server-side trouble is
      // worth retrying; a 4xx without Meta's error shape is not.
      const errorClass = classifyGraphError({ httpStatus: response.status });
      const what =
        text.trim() === '' ? 'an empty body' : json === undefined ? 'a body that is not JSON' : 'an unexpected body';
      const error = new GraphApiError(errorClass, {
        httpStatus: response.status,
        metaMessage: `Graph API answered HTTP ${response.status} with ${what}`,
        request,
      });
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
