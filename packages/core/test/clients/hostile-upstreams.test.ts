import { describe, expect, it } from 'vitest';
import { ClosrtechClient } from '../../src/clients/closrtech';
import { GraphClient, MAX_LISTING_PAGES, PAGE_SIZE_FLOOR } from '../../src/clients/graph';
import { MAX_THROTTLE_WAIT_MS } from '../../src/clients/graph-errors';
import {
  ClosrtechRefusedError,
  ClosrtechUnavailableError,
  DemandDataError,
  GraphApiError,
  UpstreamRedirectError,
} from '../../src/errors';
import { appsecretProof, secretForms } from '../../src/redact';
import { CAMPAIGN_ID, FAST_RETRY, TOKEN, callsTo, drip, hostileServer, sim, thrown } from './helpers';

/** Credentials whose encodings all differ from their raw form (space, &, <, ", +, /). */
const EMAIL = 'ops+ads@client.example';
const PASSWORD = 'p&ss w<rd>"42/+x';
const APP_SECRET = 'app-secret-0123456789';
const PROOF = appsecretProof(TOKEN, APP_SECRET);

function closrtech(url: string, timeoutMs = 2000): ClosrtechClient {
  return new ClosrtechClient({ url, email: EMAIL, password: PASSWORD }, { timeoutMs, retry: FAST_RETRY });
}
function graph(graphUrl: string, opts: { timeoutMs?: number; pageSize?: number } = {}): GraphClient {
  return new GraphClient(
    { graphUrl, apiVersion: 'v25.0', accessToken: TOKEN, appSecret: APP_SECRET },
    { timeoutMs: 2000, ...opts },
  );
}

/** No form of any secret in the error's message (or its user-facing parts). */
function noSecret(err: Error): Error {
  const texts = [err.message, JSON.stringify((err as { details?: unknown }).details ?? {})];
  for (const secret of [EMAIL, PASSWORD, TOKEN, APP_SECRET, PROOF]) {
    for (const form of secretForms(secret))
      for (const t of texts) expect(t.toLowerCase()).not.toContain(form.toLowerCase());
  }
  return err;
}

/** What an upstream that echoes the request's query does to the credentials, form by form, named or bare. */
function echoes(url: string): string {
  const query = url.slice(url.indexOf('?') + 1);
  const values = [...new URLSearchParams(query).values()];
  const html = (v: string) =>
    v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [
    `query: ${query}`,
    `%20: ${query.replace(/\+/g, '%20')}`,
    `bare: ${values.join(' ')}`,
    `encoded: ${values.map(encodeURIComponent).join(' ')}`,
    `html: ${values.map(html).join(' ')}`,
    `json: ${JSON.stringify(values)}`,
  ].join(' | ');
}

describe('redirects are never followed', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`CLOSRTECH ${status}: an error of its own, the other host never called, not retried`, async () => {
      const elsewhere = await hostileServer((_req, res) => res.end('{"OH": 99}'));
      const server = await hostileServer((_req, res) => {
        res.writeHead(status, { location: `${elsewhere.url}/steal?x=1` });
        res.end();
      });
      const e = noSecret(await thrown(closrtech(`${server.url}/demand.php`).fetchDemand('OBJ')));
      expect(e).toBeInstanceOf(UpstreamRedirectError);
      expect(e.message).toContain(`HTTP ${status} to ${elsewhere.url}`);
      expect(e.message).not.toContain('steal');
      expect(elsewhere.hits).toEqual([]);
      expect(server.hits).toHaveLength(1);
    });
  }

  it('Graph 307 on a read and on a write: the token and the proof go nowhere else', async () => {
    const elsewhere = await hostileServer((_req, res) => res.end('{"success": true}'));
    const server = await hostileServer((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/v25.0/1001` });
      res.end();
    });
    const client = graph(server.url);
    expect(noSecret(await thrown(client.getAdset('1001')))).toBeInstanceOf(UpstreamRedirectError);
    const write = noSecret(
      await thrown(client.updateTargeting('1001', { geo_locations: { regions: [{ key: '3847' }] } })),
    );
    expect(write).toBeInstanceOf(UpstreamRedirectError);
    expect((write as UpstreamRedirectError).retryable).toBe(false);
    expect(elsewhere.hits).toEqual([]);
  });
});

describe('whole-exchange timeout', () => {
  it('a CLOSRTECH body that drips forever is cut at the timeout, on every attempt', async () => {
    const server = await hostileServer((_req, res) => drip(res));
    const e = noSecret(await thrown(closrtech(`${server.url}/demand.php`, 300).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechUnavailableError);
    expect(e.message).toMatch(/answer timed out after 0.3 s/);
    expect(server.hits).toHaveLength(FAST_RETRY.attempts);
  });

  it('a Graph body that drips forever is a transient timeout', async () => {
    const server = await hostileServer((_req, res) => drip(res));
    const e = noSecret(await thrown(graph(server.url, { timeoutMs: 300 }).getAdset('1001')));
    expect(e).toBeInstanceOf(GraphApiError);
    expect((e as GraphApiError).errorClass).toBe('transient');
    expect(e.message).toMatch(/timed out while reading/);
  });
});

describe('bounded answers', () => {
  it('a Graph answer over its cap is invalid, not read further', async () => {
    const server = await hostileServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // No Content-Length: the cap is counted while the body streams.
      res.write('{"data": [');
      const chunk = `${JSON.stringify({ id: '1', name: 'x'.repeat(60_000), effective_status: 'ACTIVE', targeting: {} })},`;
      const timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
    });
    const client = new GraphClient(
      { graphUrl: server.url, apiVersion: 'v25.0', accessToken: TOKEN, appSecret: undefined },
      { timeoutMs: 20_000, maxBytes: 1024 * 1024 },
    );
    const e = await thrown(client.listAdsets(CAMPAIGN_ID));
    expect(e).toBeInstanceOf(GraphApiError);
    expect((e as GraphApiError).errorClass).toBe('invalid');
    expect(e.message).toMatch(/larger than 1 MB/);
  });

  it('a listing that hands out a new cursor forever stops after its page bound', async () => {
    let n = 0;
    const server = await hostileServer((req, res) => {
      n++;
      const cursor = `c${n}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [], paging: { cursors: { after: cursor }, next: `${req.url}&after=${cursor}` } }));
    });
    const e = noSecret(await thrown(graph(server.url).listAdsets(CAMPAIGN_ID)));
    expect(e).toBeInstanceOf(GraphApiError);
    expect(e.message).toMatch(/listing stopped/);
    expect(e.message).toMatch(/5000 ad sets per ad account/);
    expect(server.hits).toHaveLength(MAX_LISTING_PAGES);
  });

  it('a listing with more items than an ad account can hold stops', async () => {
    let n = 0;
    const server = await hostileServer((req, res) => {
      n++;
      const data = Array.from({ length: 100 }, (_, i) => ({
        id: `${n}-${i}`,
        name: 'x',
        effective_status: 'ACTIVE',
        targeting: {},
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data, paging: { cursors: { after: `c${n}` }, next: `${req.url}&after=c${n}` } }));
    });
    const e = await thrown(graph(server.url).listAdsets(CAMPAIGN_ID));
    expect(e.message).toMatch(/listing stopped/);
    expect(server.hits).toHaveLength(51);
  });
});

describe('Meta code 1 "reduce the amount of data"', () => {
  const reduce = {
    kind: 'graph-error' as const,
    code: 1,
    message: "Please reduce the amount of data you're asking for, then retry your request",
    httpStatus: 500,
  };

  it('asks that page again with half the limit, and lists everything', async () => {
    const s = await sim(30);
    s.addFault({ match: { api: 'graph', edge: 'adsets' }, times: 2, response: reduce });
    const client = new GraphClient(
      { graphUrl: s.graphUrl, apiVersion: 'v25.0', accessToken: TOKEN, appSecret: undefined },
      { timeoutMs: 2000 },
    );
    const adsets = await client.listAdsets(CAMPAIGN_ID);
    expect(adsets).toHaveLength(30);
    expect(callsTo(s, 'graph').map((c) => c.query.limit)).toEqual(['100', '50', '25', '25']);
  });

  it('at the smallest page it fails, not retried unchanged', async () => {
    const s = await sim(3);
    s.addFault({ match: { api: 'graph', edge: 'adsets' }, times: -1, response: reduce });
    const client = new GraphClient(
      { graphUrl: s.graphUrl, apiVersion: 'v25.0', accessToken: TOKEN, appSecret: undefined },
      { timeoutMs: 2000 },
    );
    const e = await thrown(client.listAdsets(CAMPAIGN_ID));
    expect(e).toBeInstanceOf(GraphApiError);
    expect((e as GraphApiError).retryable).toBe(false);
    expect(callsTo(s, 'graph').map((c) => Number(c.query.limit))).toEqual([100, 50, PAGE_SIZE_FLOOR]);
  });
});

describe('throttle waits are capped', () => {
  it('a wait within the cap is kept for the caller', async () => {
    const s = await sim(1);
    s.addFault({
      match: { api: 'graph', objectId: '1001' },
      response: { kind: 'graph-error', code: 17, estimatedMinutes: 5 },
    });
    const client = new GraphClient(
      { graphUrl: s.graphUrl, apiVersion: 'v25.0', accessToken: TOKEN, appSecret: undefined },
      { timeoutMs: 2000 },
    );
    const e = (await thrown(client.getAdset('1001'))) as GraphApiError;
    expect(e.errorClass).toBe('throttle');
    expect(e.details.retryAfterMs).toBe(5 * 60_000);
  });

  it('a wait of centuries fails the call with the wait Meta asked for; the pacer is not told to wait it', async () => {
    const s = await sim(1);
    s.addFault({
      match: { api: 'graph', objectId: '1001' },
      response: { kind: 'graph-error', code: 80004, estimatedMinutes: 200 * 365 * 24 * 60 },
    });
    const readings: number[] = [];
    const client = new GraphClient(
      { graphUrl: s.graphUrl, apiVersion: 'v25.0', accessToken: TOKEN, appSecret: undefined },
      { timeoutMs: 2000, onUsage: (r) => readings.push(r.waitMs) },
    );
    const e = (await thrown(client.getAdset('1001'))) as GraphApiError;
    expect(e.errorClass).toBe('invalid');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/Meta asks to wait 73000 d .*more than the 1 h the product waits/);
    expect(Math.max(...readings)).toBeLessThanOrEqual(MAX_THROTTLE_WAIT_MS);
  });
});

describe('secrets echoed by upstreams, in every encoding', () => {
  it('CLOSRTECH refusing with the query echoed back (raw, URL-encoded, HTML-escaped, JSON)', async () => {
    const server = await hostileServer((req, res) => {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`No access. You sent ${echoes(req.url ?? '')}`);
    });
    const e = noSecret(await thrown(closrtech(`${server.url}/demand.php`).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechRefusedError);
    expect(e.message).toMatch(/No access/);
  });

  it('CLOSRTECH echoing the query inside a 200 that is not demand', async () => {
    const server = await hostileServer((req, res) => res.end(`error: ${echoes(req.url ?? '').slice(0, 40)}`));
    const e = noSecret(await thrown(closrtech(`${server.url}/demand.php`).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(DemandDataError);
  });

  it('Graph error_user_msg / error_user_title / message echoing the token and the proof', async () => {
    const server = await hostileServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      const echoed = echoes(req.url ?? '');
      res.end(
        JSON.stringify({
          error: {
            message: `Invalid request ${echoed}`,
            type: `OAuth ${PROOF}`,
            code: 100,
            error_user_title: `proof ${PROOF}`,
            error_user_msg: `you sent ${echoed}`,
          },
        }),
      );
    });
    const e = noSecret(await thrown(graph(server.url).getAdset('1001')));
    expect(e).toBeInstanceOf(GraphApiError);
    expect(e.message).toMatch(/^\(#100\) Invalid request/);
  });
});
