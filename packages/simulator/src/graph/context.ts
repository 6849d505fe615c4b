import type { RateLedger } from '../rate-budget.js';
import type { SimulatorState } from '../types.js';

/** Everything a Graph handler needs about one request. */
export interface GraphContext {
  state: SimulatorState;
  ledger: RateLedger;
  method: string;
  version: string;
  objectId: string;
  edge: string | undefined;
  /** path segments after the edge (normally none) */
  rest: string[];
  query: Record<string, string>;
  body: Record<string, unknown>;
  /** `http://host:port` as the client reached us, for absolute paging links */
  origin: string;
  /** the access token the caller used */
  token: string | undefined;
}

export interface GraphResult {
  status?: number;
  body: unknown;
}

/** A request parameter from the query or the body (body wins, like Graph for POSTs). */
export function param(ctx: GraphContext, name: string): unknown {
  return ctx.body[name] ?? ctx.query[name];
}
