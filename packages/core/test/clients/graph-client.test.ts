import { describe, expect, it } from 'vitest';
import { GraphApiError } from '../../src/errors';
import type { PageRef } from '../../src/clients/graph';
import { CAMPAIGN_ID, TOKEN, callsTo, graphClient, hugePage, rawServer, sim, thrown } from './helpers';

/** Every Graph failure must be a GraphApiError, carry no token, and have a bounded message. */
function asGraphError(err: Error): GraphApiError {
  expect(err).toBeInstanceOf(GraphApiError);
  const e = err as GraphApiError;
  expect(e.message).not.toContain(TOKEN);
  expect(e.details.request ?? '').not.toContain(TOKEN);
  expect(e.message.length).toBeLessThan(500);
  return e;
}

const HTML =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>';
const ctx = { adAccountId: 'act_1' };

describe('GraphClient against hostile answers', () => {
  it('an HTML error page with status 502 is transient (retry later)', async () => {
    const s = await sim();
    s.addFault({ match: { objectId: '1001', method: 'GET' }, response: { kind: 'http', status: 502, body: HTML } });
    const e = asGraphError(await thrown(graphClient(s).getAdset('1001', ctx)));
    expect(e.errorClass).toBe('transient');
    expect(e.retryable).toBe(true);
    expect(e.details.httpStatus).toBe(502);
    expect(e.message).toMatch(/HTTP 502/);
    expect(e.message).not.toContain('<html');
  });

  it('an HTML page with status 200 is refused, never read as an ad set', async () => {
    const s = await sim();
    s.addFault({ match: { objectId: '1001', method: 'GET' }, response: { kind: 'http', status: 200, body: HTML } });
    const e = asGraphError(await thrown(graphClient(s).getAdset('1001', ctx)));
    // A 2xx body that is not Meta's is classified 'invalid' today (not retried); see the report.
    expect(e.errorClass).toBe('invalid');
    expect(e.message).toMatch(/not JSON/);
  });

  it('an HTML page with status 200 on a targeting write is an error, not a success', async () => {
    const s = await sim();
    s.addFault({ match: { objectId: '1001', method: 'POST' }, response: { kind: 'http', status: 200, body: HTML } });
    const e = asGraphError(
      await thrown(graphClient(s).updateTargeting('1001', { geo_locations: { regions: [{ key: '3878' }] } }, ctx)),
    );
    expect(['invalid', 'transient']).toContain(e.errorClass);
  });

  it('truncated JSON: invalid with 200, transient with 5xx', async () => {
    const s = await sim();
    const cut = '{"id":"1001","name":"set 1","effective_status":"ACTIVE","targeting":{"geo_loc';
    s.addFault({
      match: { objectId: '1001', method: 'GET' },
      response: { kind: 'http', status: 200, body: cut, contentType: 'application/json' },
    });
    s.addFault({
      match: { objectId: '1002', method: 'GET' },
      response: { kind: 'http', status: 500, body: cut, contentType: 'application/json' },
    });
    expect(asGraphError(await thrown(graphClient(s).getAdset('1001', ctx))).errorClass).toBe('invalid');
    expect(asGraphError(await thrown(graphClient(s).getAdset('1002', ctx))).errorClass).toBe('transient');
  });

  // Regression: a failed body read used to be swallowed (`response.text().catch(() => '')`), so a
  // connection cut in the middle of the answer looked like "HTTP 200 with an empty body" → 'invalid'.
  it('a transfer cut in the middle of the body is transient', async () => {
    const server = await rawServer(() => ({
      head: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\nConnection: close',
      body: '{"id":"1001","name":"set 1","effective_status":"ACTIVE","targ',
    }));
    const e = asGraphError(await thrown(graphClient({ graphUrl: server.url }).getAdset('1001', ctx)));
    expect(e.errorClass).toBe('transient');
  });

  it('an empty body: invalid with 200, transient with 503', async () => {
    const s = await sim();
    s.addFault({ match: { objectId: '1001', method: 'GET' }, response: { kind: 'http', status: 200, body: '' } });
    s.addFault({ match: { objectId: '1002', method: 'GET' }, response: { kind: 'http', status: 503, body: '' } });
    const a = asGraphError(await thrown(graphClient(s).getAdset('1001', ctx)));
    expect(a.errorClass).toBe('invalid');
    expect(a.message).toMatch(/empty body/);
    expect(asGraphError(await thrown(graphClient(s).getAdset('1002', ctx))).errorClass).toBe('transient');
  });

  it('a huge but valid page is read whole; a huge error page gives a short message', async () => {
    const s = await sim();
    const body = hugePage(2000, 2000); // ~4.5 MB
    expect(body.length).toBeGreaterThan(4_000_000);
    s.addFault({
      match: { objectId: CAMPAIGN_ID, edge: 'adsets', method: 'GET' },
      response: { kind: 'http', status: 200, body, contentType: 'application/json' },
    });
    const list = await graphClient(s, { timeoutMs: 10_000 }).listAdsets(CAMPAIGN_ID, ctx);
    expect(list).toHaveLength(2000);
    expect(list[1999]!.id).toBe('901999');

    s.addFault({
      match: { objectId: '1001', method: 'GET' },
      response: { kind: 'http', status: 502, body: `<html>${'<p>oops</p>'.repeat(300_000)}</html>` },
    });
    const e = asGraphError(await thrown(graphClient(s, { timeoutMs: 10_000 }).getAdset('1001', ctx)));
    expect(e.errorClass).toBe('transient');
  });

  it('an answer slower than timeoutMs is a transient timeout, given up on time', async () => {
    const s = await sim();
    // An answer 20 s away and a bound of 10 s: whatever the machine's load, only the client's own
    // 200 ms timeout can end the call within the bound.
    s.addFault({ match: { objectId: '1001', method: 'GET' }, response: { kind: 'delay', ms: 20_000 } });
    const started = Date.now();
    const e = asGraphError(await thrown(graphClient(s, { timeoutMs: 200 }).getAdset('1001', ctx)));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(e.errorClass).toBe('transient');
    expect(e.message).toMatch(/timed out/);
  });

  it('a dropped connection is transient', async () => {
    const s = await sim();
    s.addFault({ match: { objectId: '1001', method: 'POST' }, response: { kind: 'drop' } });
    const e = asGraphError(
      await thrown(graphClient(s).updateTargeting('1001', { geo_locations: { regions: [{ key: '3878' }] } }, ctx)),
    );
    expect(e.errorClass).toBe('transient');
    expect(e.message).toMatch(/could not be reached/);
  });

  describe('wrong types in fields are refused, never accepted', () => {
    const json = (body: unknown) => ({
      kind: 'http' as const,
      status: 200,
      body: JSON.stringify(body),
      contentType: 'application/json',
    });
    const good = {
      id: '1001',
      name: 'set 1',
      effective_status: 'ACTIVE',
      targeting: { geo_locations: { regions: [{ key: '3847' }] } },
    };

    it.each([
      ['targeting as a string', { ...good, targeting: JSON.stringify(good.targeting) }, /targeting/],
      ['targeting null', { ...good, targeting: null }, /targeting/],
      ['targeting a list', { ...good, targeting: [good.targeting] }, /targeting/],
      ['id as a number', { ...good, id: 1001 }, /id/],
      ['name missing', { id: '1001', effective_status: 'ACTIVE', targeting: good.targeting }, /name/],
      ['effective_status as a boolean', { ...good, effective_status: true }, /effective_status/],
      ['a JSON array instead of an object', [good], /body|expected/],
      ['a bare string', 'ACTIVE', /body|expected/],
    ])('getAdset: %s → invalid', async (_name, body, field) => {
      const s = await sim();
      s.addFault({ match: { objectId: '1001', method: 'GET' }, response: json(body) });
      const e = asGraphError(await thrown(graphClient(s).getAdset('1001', ctx)));
      expect(e.errorClass).toBe('invalid');
      expect(e.message).toMatch(/unexpected shape/);
      expect(e.message).toMatch(field);
    });

    it.each([
      ['data not a list', { data: { '0': good } }],
      ['one item with a numeric id among good ones', { data: [good, { ...good, id: 1002 }] }],
      ['one item with a string targeting', { data: [good, { ...good, id: '1002', targeting: 'geo' }] }],
      ['paging cursors of the wrong type', { data: [good], paging: { cursors: { after: 5 }, next: 'x' } }],
    ])('listAdsets: %s → the whole listing is refused', async (_name, body) => {
      const s = await sim();
      s.addFault({ match: { objectId: CAMPAIGN_ID, edge: 'adsets', method: 'GET' }, response: json(body) });
      const e = asGraphError(await thrown(graphClient(s).listAdsets(CAMPAIGN_ID, ctx)));
      expect(e.errorClass).toBe('invalid');
    });

    it('an error object whose code is a string falls back to the HTTP status, clearly', async () => {
      const s = await sim();
      s.addFault({
        match: { objectId: '1001', method: 'GET' },
        response: {
          kind: 'http',
          status: 400,
          body: '{"error":{"message":"bad","code":"190"}}',
          contentType: 'application/json',
        },
      });
      s.addFault({
        match: { objectId: '1002', method: 'GET' },
        response: { kind: 'http', status: 500, body: '{"error":"boom"}', contentType: 'application/json' },
      });
      expect(asGraphError(await thrown(graphClient(s).getAdset('1001', ctx))).errorClass).toBe('invalid');
      expect(asGraphError(await thrown(graphClient(s).getAdset('1002', ctx))).errorClass).toBe('transient');
    });

    it('a write answered with something other than success is an error', async () => {
      const s = await sim();
      s.addFault({ match: { objectId: '1001', method: 'POST' }, response: json({ id: '1001' }) });
      s.addFault({ match: { objectId: '1002', method: 'POST' }, response: json({ success: 'false' }) });
      const t = { geo_locations: { regions: [{ key: '3878' }] } };
      expect(asGraphError(await thrown(graphClient(s).updateTargeting('1001', t, ctx))).errorClass).toBe('invalid');
      expect(asGraphError(await thrown(graphClient(s).updateTargeting('1002', t, ctx))).errorClass).toBe('invalid');
    });

    // Regression: SuccessSchema used to accept `success: false`, taking a write Meta refused as done.
    it('a write answered {"success": false} is an error, not a success', async () => {
      const s = await sim();
      s.addFault({ match: { objectId: '1001', method: 'POST' }, response: json({ success: false }) });
      const e = asGraphError(
        await thrown(graphClient(s).updateTargeting('1001', { geo_locations: { regions: [{ key: '3878' }] } }, ctx)),
      );
      expect(e.errorClass).toBe('invalid');
    });

    it('searchRegions refuses results without a name, and reads numeric keys as strings', async () => {
      const s = await sim();
      s.addFault({
        match: { objectId: 'search', method: 'GET' },
        response: json({ data: [{ key: 3847, name: 'California', country_code: 'US' }] }),
      });
      expect(await graphClient(s).searchRegions('California')).toEqual([
        { key: '3847', name: 'California', country_code: 'US' },
      ]);
      s.addFault({ match: { objectId: 'search', method: 'GET' }, response: json({ data: [{ key: '3847' }] }) });
      expect(asGraphError(await thrown(graphClient(s).searchRegions('California'))).errorClass).toBe('invalid');
    });
  });

  // Regression: listAll used to follow `after` as long as `paging.next` was present, so an upstream
  // repeating a cursor kept the planner listing forever (here the fault gives up after 30 pages).
  it('a paging cursor that repeats stops the listing instead of looping', async () => {
    const s = await sim();
    const page = {
      data: [
        {
          id: '1001',
          name: 'set 1',
          effective_status: 'ACTIVE',
          targeting: { geo_locations: { regions: [{ key: '3847' }] } },
        },
      ],
      paging: {
        cursors: { after: 'c2ltLWN1cnNvcjoxMDAx' },
        next: `${s.graphUrl}/v25.0/${CAMPAIGN_ID}/adsets?after=c2ltLWN1cnNvcjoxMDAx`,
      },
    };
    s.addFault({
      match: { objectId: CAMPAIGN_ID, edge: 'adsets', method: 'GET' },
      times: 30,
      response: { kind: 'http', status: 200, body: JSON.stringify(page), contentType: 'application/json' },
    });
    const e = asGraphError(await thrown(graphClient(s).listAdsets(CAMPAIGN_ID, ctx)));
    expect(callsTo(s, 'graph').length).toBeLessThanOrEqual(2);
    expect(e.message).toMatch(/cursor/);
  });

  describe('Meta error answers over HTTP are classified by code', () => {
    it.each([
      [{ kind: 'graph-error' as const, code: 17, estimatedMinutes: 2 }, 'throttle'],
      [{ kind: 'graph-error' as const, code: 613, subcode: 5044001 }, 'throttle'],
      [{ kind: 'graph-error' as const, code: 80004, resetSeconds: 30 }, 'throttle'],
      [{ kind: 'graph-error' as const, code: 190, subcode: 463 }, 'auth'],
      [{ kind: 'graph-error' as const, code: 10 }, 'permission'],
      [{ kind: 'graph-error' as const, code: 294 }, 'permission'],
      [{ kind: 'graph-error' as const, code: 2, httpStatus: 503 }, 'transient'],
      [{ kind: 'graph-error' as const, code: 1, httpStatus: 500 }, 'transient'],
      [{ kind: 'graph-error' as const, code: 100, isTransient: true }, 'transient'],
      [
        {
          kind: 'graph-error' as const,
          code: 100,
          subcode: 1885364,
          userTitle: 'Missing Target Audience Location',
          userMsg: 'Your audience is missing a location.',
        },
        'invalid',
      ],
      // The error body wins over the status: a Meta error object sent with HTTP 200 is still an error.
      [{ kind: 'graph-error' as const, code: 190, httpStatus: 200 }, 'auth'],
    ])('%o → %s', async (response, expected) => {
      const s = await sim();
      s.addFault({ match: { objectId: '1001', method: 'POST' }, response });
      const e = asGraphError(
        await thrown(graphClient(s).updateTargeting('1001', { geo_locations: { regions: [{ key: '3878' }] } }, ctx)),
      );
      expect(e.errorClass).toBe(expected);
      expect(e.code).toBe(response.code);
      if (response.code === 100 && 'subcode' in response)
        expect(e.message).toMatch(/^\(#100\/1885364\) .*missing a location/);
      // The fault answered in place of the write: nothing was applied.
      expect(s.state.writes).toHaveLength(0);
    });

    it('a throttling error carries the wait Meta asks for', async () => {
      const s = await sim();
      s.addFault({
        match: { objectId: '1001', method: 'GET' },
        response: { kind: 'graph-error', code: 80004, estimatedMinutes: 3 },
      });
      const e = asGraphError(await thrown(graphClient(s).getAdset('1001', ctx)));
      expect(e.errorClass).toBe('throttle');
      expect(e.details.retryAfterMs).toBe(3 * 60_000);
    });

    it('a token echoed back in Meta’s message is redacted', async () => {
      const s = await sim();
      s.addFault({
        match: { objectId: '1001', method: 'GET' },
        response: {
          kind: 'graph-error',
          code: 100,
          message: `Bad request https://graph.facebook.com/v25.0/1001?access_token=${TOKEN}&fields=id`,
        },
      });
      const e = asGraphError(await thrown(graphClient(s).getAdset('1001', ctx)));
      expect(e.message).toMatch(/access_token=\*\*\*/);
    });
  });
});

describe('GraphClient: a listing page asked again', () => {
  it('tells each page’s cursor and size, and asking them again brings the same ad sets, one call each', async () => {
    const s = await sim(60); // pageCap 25: pages of 25, 25 and 10
    const client = graphClient(s);
    const pages: Array<{ ids: string[]; ref: PageRef }> = [];
    await client.listAdsets(CAMPAIGN_ID, ctx, (page, ref) => pages.push({ ids: page.map((a) => a.id), ref }));
    expect(pages.map((p) => p.ids.length)).toEqual([25, 25, 10]);
    expect(pages[0]!.ref.after).toBeUndefined();
    s.clearCalls();
    for (const p of pages)
      expect((await client.getAdsetsPage(CAMPAIGN_ID, p.ref, ctx)).map((a) => a.id)).toEqual(p.ids);
    expect(
      callsTo(s, 'graph').filter((c) => c.method === 'GET' && c.objectId === CAMPAIGN_ID && c.edge === 'adsets'),
    ).toHaveLength(pages.length);
  });
});
