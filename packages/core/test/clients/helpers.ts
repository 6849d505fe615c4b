import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { startSimulator, type Scenario, type Simulator } from '@closrads/simulator';
import { ClosrtechClient, type ClosrtechClientOptions } from '../../src/clients/closrtech';
import { GraphClient, type GraphClientOptions } from '../../src/clients/graph';

export const TOKEN = 'sim-token-0123456789';
export const EMAIL = 'ops@example.com';
export const PASSWORD = 'pw-s3cret-value';
export const CAMPAIGN_ID = '9001';
export const ACCOUNT = 'act_1';

/** One account, one campaign with `adsetCount` ACTIVE ad sets (ids 1001…), a few ads, two CLOSRTECH campaigns. */
export function scenario(adsetCount = 3): Scenario {
  const adsets: Scenario['graph']['adsets'] = [];
  for (let i = 0; i < adsetCount; i++) {
    adsets.push({
      id: String(1001 + i),
      campaignId: CAMPAIGN_ID,
      name: `set ${i + 1}`,
      status: 'ACTIVE',
      effective_status: 'ACTIVE',
      targeting: { age_min: 30, geo_locations: { regions: [{ key: '3847' }] } },
    });
  }
  return {
    closrtech: {
      email: EMAIL,
      password: PASSWORD,
      campaigns: { OBJ: { OH: { demand: 15, stock: 2 }, TX: { demand: 0, stock: 1 } }, NUM: { CA: 3, TX: 0 } },
      noAccess: ['SECRET'],
    },
    graph: {
      accessToken: TOKEN,
      pageCap: 25,
      adAccounts: { [ACCOUNT]: {} },
      campaigns: { [CAMPAIGN_ID]: { adAccountId: ACCOUNT, name: 'C' } },
      adsets,
      ads: [{ id: '5001', adsetId: '1001', name: 'ad', status: 'ACTIVE', effective_status: 'ACTIVE' }],
    },
  };
}

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A simulator closed after the current test. */
export async function sim(adsetCount = 3): Promise<Simulator> {
  const s = await startSimulator({ scenario: scenario(adsetCount), latencyMs: 0 });
  running.push(s);
  return s;
}

export function graphClient(s: Pick<Simulator, 'graphUrl'>, opts: GraphClientOptions = {}): GraphClient {
  return new GraphClient(
    { graphUrl: s.graphUrl, apiVersion: 'v25.0', accessToken: TOKEN, appSecret: undefined },
    { timeoutMs: 2000, ...opts },
  );
}

/** Retries shrunk to milliseconds; attempts stay 3 as in production. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

export function closrtechClient(url: string, opts: ClosrtechClientOptions = {}): ClosrtechClient {
  return new ClosrtechClient(
    { url, email: EMAIL, password: PASSWORD },
    { timeoutMs: 2000, retry: FAST_RETRY, ...opts },
  );
}

/** Calls the promise and returns what it threw (fails the test when it resolves). */
export async function thrown(p: Promise<unknown>): Promise<Error> {
  try {
    const value = await p;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)?.slice(0, 300)}`);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('expected a rejection')) throw err;
    return err as Error;
  }
}

/**
 * A raw TCP server that answers every request with `head` + `body` and then cuts the connection:
 * with a Content-Length larger than the body, the client sees a transfer cut in the middle.
 */
export async function rawServer(
  answer: (path: string) => { head: string; body: string },
): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((socket) => {
    socket.once('data', (chunk) => {
      const path = /^[A-Z]+ (\S+)/.exec(chunk.toString('utf8'))?.[1] ?? '/';
      hits.push(path);
      const { head, body } = answer(path);
      socket.write(`${head}\r\n\r\n${body}`, () => socket.destroy());
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  running.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { url: `http://127.0.0.1:${port}`, hits };
}

/** Calls to one API recorded by the simulator. */
export const callsTo = (s: Simulator, api: 'graph' | 'closrtech') => s.calls.filter((c) => c.api === api);

/** A Graph page of `n` ad sets, each carrying a large targeting (for "huge page" answers). */
export function hugePage(n: number, padding: number): string {
  const filler = 'x'.repeat(padding);
  const data = Array.from({ length: n }, (_, i) => ({
    id: String(900000 + i),
    name: `big ${i}`,
    effective_status: 'ACTIVE',
    targeting: {
      age_min: 18,
      geo_locations: { regions: [{ key: '3847' }] },
      flexible_spec: [{ interests: [{ id: String(i), name: filler }] }],
    },
  }));
  return JSON.stringify({ data });
}

/**
 * A hostile HTTP server of the test's own (closed after the test): `handle` answers each request as it
 * likes (redirects, endless cursors, bodies that drip). Every request is recorded with its full URL.
 */
export async function hostileServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    hits.push(req.url ?? '/');
    handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  running.push({
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${port}`, hits };
}

/** Headers, then one byte every `everyMs` until the client goes away: a body that never ends. */
export function drip(res: ServerResponse, everyMs = 20): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{');
  const timer = setInterval(() => res.write(' '), everyMs);
  res.on('close', () => clearInterval(timer));
}
