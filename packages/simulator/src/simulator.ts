import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultBook } from './faults.js';
import { RateLedger } from './rate-budget.js';
import { buildState, loadScenario } from './scenario.js';
import { handleRequest, reviewView, type SimCore } from './server.js';
import { finishReviews, pendingReviews } from './graph/review.js';
import { invalidateIndex } from './state-index.js';
import type { FaultRule, RecordedCall, Scenario, SimulatorState } from './types.js';

export interface StartOptions {
  /** a Scenario object, a bundled scenario name ('demo') or a path to a JSON file */
  scenario: Scenario | string;
  /** default 0 (ephemeral) */
  port?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** delay before every Graph and CLOSRTECH answer (default: scenario.latencyMs ?? 0) */
  latencyMs?: number;
  /** the rate budgets' clock (default Date.now): tests drive it to let scores drain without waiting */
  budgetClock?: () => number;
}

export interface ReviewSummary {
  adId: string;
  adsetId: string;
  /** epoch ms at which the review ends by itself */
  endsAt: number;
}

export interface Simulator {
  url: string;
  /** the product's CLOSRTECH_URL */
  closrtechUrl: string;
  /** the product's FB_GRAPH_URL; calls go to `${graphUrl}/v25.0/...` */
  graphUrl: string;
  /** live state: tests read and mutate it directly */
  state: SimulatorState;
  /** every request received, in order */
  calls: RecordedCall[];
  clearCalls(): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** ads in review (ended reviews are applied first), optionally of one ad set */
  pendingReviews(adsetId?: string): ReviewSummary[];
  /** ends every review in progress (of one ad set, or all) now and applies its verdict; returns them */
  finishReviews(adsetId?: string): ReviewSummary[];
  /** reload the scenario: state, faults and rate budgets start over (calls are kept) */
  reset(): void;
  /** closes the server and all sockets promptly */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Starts the CLOSRTECH + Graph fake on a real HTTP port. */
export async function startSimulator(opts: StartOptions): Promise<Simulator> {
  const scenario = loadScenario(opts.scenario);
  const state = buildState(scenario, opts.latencyMs);
  const calls: RecordedCall[] = [];
  const faults = new FaultBook();
  const ledger = new RateLedger(opts.budgetClock);
  for (const rule of scenario.faults ?? []) faults.add(rule);
  const host = opts.host ?? '127.0.0.1';
  let origin = '';
  let closing: Promise<void> | undefined;

  const core: SimCore = {
    state,
    calls,
    faults,
    ledger,
    fallbackOrigin: () => origin,
    reset() {
      // Swap the contents in place so references held by tests stay live.
      const fresh = buildState(scenario, opts.latencyMs);
      for (const key of Object.keys(state) as Array<keyof SimulatorState>) delete state[key];
      Object.assign(state, fresh);
      invalidateIndex(state);
      faults.clear();
      for (const rule of scenario.faults ?? []) faults.add(rule);
      ledger.reset();
    },
  };

  const server = createServer((req, res) => {
    handleRequest(core, req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `simulator failure: ${message}`, code: 1 } }));
    });
  });
  // Long enough for clients to reuse sockets (as with Meta); close() ends open sockets itself.
  server.keepAliveTimeout = 5000;
  const address = await listen(server, opts.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  origin = `http://${urlHost}:${address.port}`;

  return {
    url: origin,
    closrtechUrl: `${origin}/closrtech/demand.php`,
    graphUrl: `${origin}/graph`,
    state,
    calls,
    clearCalls: () => {
      calls.length = 0;
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    pendingReviews: (adsetId) => pendingReviews(state, adsetId).map(reviewView),
    finishReviews: (adsetId) => finishReviews(state, adsetId).map(reviewView),
    reset: () => core.reset(),
    close: () => {
      // Idempotent: tests often close in the body and again in a hook.
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
