import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRaw, parseBody, sendJson, sendText, sleep } from './http-util.js';
import type { FaultBook } from './faults.js';
import type { RateLedger } from './rate-budget.js';
import type { FaultRule, RecordedCall, SimulatorState } from './types.js';
import type { GraphContext } from './graph/context.js';
import { faultOutcome, serveGraph, type GraphOutcome } from './graph/pipeline.js';
import { defaultMessage } from './graph/errors.js';
import { tokenOf } from './graph/auth.js';
import { serveDemand } from './closrtech.js';
import { usageHeaders } from './graph/usage-headers.js';
import { accountOf } from './state-index.js';
import { finishReviews, pendingReviews, settleAllReviews } from './graph/review.js';
import type { PendingReview } from './types.js';

/** What the request router needs from the running simulator. */
export interface SimCore {
  state: SimulatorState;
  calls: RecordedCall[];
  faults: FaultBook;
  ledger: RateLedger;
  reset(): void;
  /** `http://host:port` when the Host header is missing */
  fallbackOrigin(): string;
}

const CLOSRTECH_PATH = '/closrtech/demand.php';

/** Routes one request to the Graph fake, the CLOSRTECH fake or the admin routes, recording it. */
export async function handleRequest(core: SimCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim.invalid');
  const path = url.pathname;
  const query = Object.fromEntries(url.searchParams);
  const body = parseBody(await readRaw(req), req.headers['content-type']);
  const method = (req.method ?? 'GET').toUpperCase();

  const isGraph = path === '/graph' || path.startsWith('/graph/');
  const isClosrtech = path === CLOSRTECH_PATH;
  const segments = isGraph ? path.slice('/graph'.length).split('/').filter(Boolean) : [];
  const call: RecordedCall = {
    api: isGraph ? 'graph' : isClosrtech ? 'closrtech' : 'admin',
    method,
    path: isGraph ? path.slice('/graph'.length) || '/' : path,
    query,
    body,
    status: 0,
    at: Date.now(),
  };
  if (segments[1] !== undefined) call.objectId = segments[1];
  if (segments[2] !== undefined) call.edge = segments[2];
  core.calls.push(call);

  if (!isGraph && !isClosrtech) {
    call.status = handleAdmin(core, method, path, body, res);
    return;
  }

  // Latency first (concurrent requests overlap: it is only a timer), then faults, then normal handling.
  await sleep(core.state.latencyMs);
  const plan = core.faults.plan({
    api: call.api as 'graph' | 'closrtech',
    method,
    ...(call.objectId !== undefined ? { objectId: call.objectId } : {}),
    ...(call.edge !== undefined ? { edge: call.edge } : {}),
    ...(query.campaign !== undefined ? { campaign: query.campaign } : {}),
  });
  await sleep(plan.delayMs);
  if (res.destroyed || req.socket.destroyed) return;

  const ctx: GraphContext | undefined = isGraph
    ? {
        state: core.state,
        ledger: core.ledger,
        method,
        version: segments[0] ?? '',
        objectId: segments[1] ?? '',
        edge: segments[2],
        rest: segments.slice(3),
        query,
        body,
        origin: req.headers.host ? `http://${req.headers.host}` : core.fallbackOrigin(),
        token: tokenOf(query, body, req.headers),
      }
    : undefined;

  const t = plan.terminal;
  if (t?.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  if (t?.kind === 'http') {
    call.status = t.status;
    if (ctx) {
      const acct = accountOf(core.state, ctx.objectId);
      if (acct) call.adAccountId = acct;
    }
    sendText(res, t.status, t.body, t.contentType ?? 'text/html; charset=UTF-8');
    return;
  }

  if (ctx) {
    const out: GraphOutcome =
      t?.kind === 'graph-error' ? faultOutcome(ctx, t, defaultMessage(t.code)) : serveGraph(ctx);
    call.status = out.status;
    if (out.adAccountId) call.adAccountId = out.adAccountId;
    if (out.throttled) call.throttled = true;
    sendJson(res, out.status, out.body, out.headers);
    return;
  }

  if (t?.kind === 'graph-error') {
    // A Graph-shaped error on CLOSRTECH makes little sense, but answer it rather than ignore the rule.
    call.status = t.httpStatus ?? 500;
    sendJson(res, call.status, { error: { message: t.message ?? defaultMessage(t.code), code: t.code } });
    return;
  }
  const answer = serveDemand(core.state, query);
  call.status = answer.status;
  sendText(res, answer.status, answer.body, answer.contentType);
}

/** A pending review as the admin route and the Simulator object list it. */
export const reviewView = (r: PendingReview): { adId: string; adsetId: string; endsAt: number } => ({
  adId: r.adId,
  adsetId: r.adsetId,
  endsAt: r.endsAt,
});

/** Why a settings body cannot be applied, or undefined when it can (nothing is applied otherwise). */
function settingsProblem(body: Record<string, unknown>): string | undefined {
  if (body.latencyMs !== undefined && !isDuration(body.latencyMs)) return 'latencyMs must be a number of ms >= 0';
  if (body.graph === undefined) return undefined;
  if (!body.graph || typeof body.graph !== 'object' || Array.isArray(body.graph)) return 'graph must be an object';
  const reviewMs = (body.graph as Record<string, unknown>).reviewMs;
  if (reviewMs !== undefined && !isDuration(reviewMs)) return 'graph.reviewMs must be a number of ms >= 0';
  return undefined;
}

const isDuration = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function asRules(body: Record<string, unknown>): FaultRule[] {
  if (Array.isArray(body.__array)) return body.__array as FaultRule[];
  if (Array.isArray(body.rules)) return body.rules as FaultRule[];
  return [body as unknown as FaultRule];
}

/** Admin routes for a simulator driven from another process. Returns the status sent. */
function handleAdmin(
  core: SimCore,
  method: string,
  path: string,
  body: Record<string, unknown>,
  res: ServerResponse,
): number {
  const route = `${method} ${path}`;
  const ok = (payload: unknown = { ok: true }): number => {
    sendJson(res, 200, payload);
    return 200;
  };
  const refuse = (message: string): number => {
    sendJson(res, 400, { error: { message, code: 400 } });
    return 400;
  };
  switch (route) {
    case 'GET /__sim/state':
      settleAllReviews(core.state);
      return ok(core.state);
    case 'GET /__sim/calls':
      return ok(core.calls);
    case 'DELETE /__sim/calls':
      core.calls.length = 0;
      return ok();
    case 'GET /__sim/faults':
      return ok(core.faults.list());
    case 'POST /__sim/faults':
      for (const rule of asRules(body)) core.faults.add(rule);
      return ok();
    case 'DELETE /__sim/faults':
      core.faults.clear();
      return ok();
    case 'POST /__sim/reset':
      core.reset();
      return ok();
    case 'POST /__sim/settings': {
      // Flip live switches (token expiry, latency, app secret, review time...) without restarting the process.
      const problem = settingsProblem(body);
      if (problem) return refuse(problem);
      if (typeof body.latencyMs === 'number') core.state.latencyMs = body.latencyMs;
      if (body.graph) Object.assign(core.state.graph, body.graph);
      return ok();
    }
    case 'GET /__sim/review':
      return ok(pendingReviews(core.state).map(reviewView));
    case 'POST /__sim/review/finish': {
      const adsetId = body.adsetId;
      if (adsetId !== undefined && typeof adsetId !== 'string') return refuse('adsetId must be a string');
      return ok({ ok: true, finished: finishReviews(core.state, adsetId).map(reviewView) });
    }
    case 'GET /__sim/usage': {
      const out: Record<string, unknown> = {};
      for (const id of Object.keys(core.state.adAccounts)) {
        out[id] = usageHeaders(id, core.ledger.usage(id, core.state.adAccounts[id]));
      }
      return ok(out);
    }
    default:
      sendJson(res, 404, { error: { message: `No route ${route}`, code: 404 } });
      return 404;
  }
}
