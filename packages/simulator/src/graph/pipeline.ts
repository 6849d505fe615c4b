import type { GraphContext } from './context.js';
import { param } from './context.js';
import { GraphError, unknownPath } from './errors.js';
import { checkProof, checkToken } from './auth.js';
import { routeGraph } from './router.js';
import { usageHeaders, type UsageOverride } from './usage-headers.js';
import { accountOf } from '../state-index.js';

export interface GraphOutcome {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  adAccountId?: string;
  throttled?: boolean;
}

const VERSION = /^v\d+\.\d+$/;
const THROTTLE_CODES = new Set([4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]);

/** Renders a Graph error with the usage headers of the account the call was charged to. */
export function errorOutcome(ctx: GraphContext, err: GraphError, adAccountId: string | undefined): GraphOutcome {
  const throttle = err.opts.throttle;
  const override: UsageOverride = throttle
    ? { throttled: true, resetSeconds: throttle.resetSeconds, estimatedMinutes: throttle.estimatedMinutes }
    : {};
  const usage = adAccountId ? ctx.ledger.usage(adAccountId, ctx.state.adAccounts[adAccountId]) : undefined;
  return {
    status: err.httpStatus,
    body: err.toBody(),
    headers: usageHeaders(adAccountId, usage, override),
    ...(adAccountId ? { adAccountId } : {}),
    ...(throttle || THROTTLE_CODES.has(err.code) ? { throttled: true } : {}),
  };
}

/** Turns a fault rule's graph-error into an outcome (not applied to state). */
export function faultOutcome(
  ctx: GraphContext,
  f: {
    code: number;
    subcode?: number;
    isTransient?: boolean;
    message?: string;
    userTitle?: string;
    userMsg?: string;
    httpStatus?: number;
    estimatedMinutes?: number;
    resetSeconds?: number;
  },
  defaultMessage: string,
): GraphOutcome {
  const adAccountId = accountOf(ctx.state, ctx.objectId);
  const hasThrottleHint = f.estimatedMinutes !== undefined || f.resetSeconds !== undefined;
  const err = new GraphError(f.code, f.message ?? defaultMessage, {
    ...(f.subcode !== undefined ? { subcode: f.subcode } : {}),
    ...(f.isTransient !== undefined ? { isTransient: f.isTransient } : {}),
    ...(f.userTitle !== undefined ? { userTitle: f.userTitle } : {}),
    ...(f.userMsg !== undefined ? { userMsg: f.userMsg } : {}),
    ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
    ...(hasThrottleHint
      ? {
          throttle: {
            resetSeconds: f.resetSeconds ?? (f.estimatedMinutes ?? 0) * 60,
            estimatedMinutes: f.estimatedMinutes ?? Math.floor((f.resetSeconds ?? 0) / 60),
          },
        }
      : {}),
  });
  return errorOutcome(ctx, err, adAccountId);
}

/**
 * Normal Graph handling: path and version checks, token, appsecret_proof, the account's rate
 * budget (a refused call is not charged), then the handler. Every outcome carries usage headers.
 */
export function serveGraph(ctx: GraphContext): GraphOutcome {
  const adAccountId = accountOf(ctx.state, ctx.objectId);
  try {
    if (!VERSION.test(ctx.version)) throw unknownPath(`/${ctx.version}`);
    if (!ctx.objectId) throw new GraphError(100, 'Batch requests are not supported by the simulator');
    if (ctx.body.__invalid !== undefined)
      throw new GraphError(100, 'Invalid parameter', { userMsg: 'The request body is not valid JSON.' });
    // debug_token answers about its input token even when the caller's token is bad or expired.
    if (ctx.objectId !== 'debug_token') {
      checkToken(ctx.state.graph, ctx.token);
      checkProof(ctx.state.graph, ctx.token ?? '', param(ctx, 'appsecret_proof'), param(ctx, 'appsecret_time'));
    }
    if (ctx.state.graph.deprecatedVersions.includes(ctx.version)) {
      throw new GraphError(
        2635,
        '(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version.',
      );
    }
    // Assumption: a call with field expansion (ads{...} inside ad sets) scores as one read, like
    // any other call; Meta does not say, and its BUC header also counts CPU and time.
    if (adAccountId) {
      const verdict = ctx.ledger.admit(adAccountId, ctx.state.adAccounts[adAccountId], ctx.method === 'POST');
      if (!verdict.ok) {
        const throttle = {
          resetSeconds: verdict.resetSeconds,
          estimatedMinutes: Math.floor(verdict.resetSeconds / 60),
        };
        throw verdict.reason === 'qps'
          ? new GraphError(613, '(#613) Calls to this api have exceeded the rate limit.', {
              subcode: 5044001,
              isTransient: false,
              throttle,
            })
          : new GraphError(17, '(#17) User request limit reached', { subcode: 2446079, isTransient: false, throttle });
      }
    }
    const result = routeGraph(ctx);
    const usage = adAccountId ? ctx.ledger.usage(adAccountId, ctx.state.adAccounts[adAccountId]) : undefined;
    return {
      status: result.status ?? 200,
      body: result.body,
      headers: usageHeaders(adAccountId, usage),
      ...(adAccountId ? { adAccountId } : {}),
    };
  } catch (err) {
    if (err instanceof GraphError) return errorOutcome(ctx, err, adAccountId);
    throw err;
  }
}
