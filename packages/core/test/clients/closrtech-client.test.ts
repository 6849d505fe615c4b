import { describe, expect, it } from 'vitest';
import { CLOSRTECH_RETRY } from '../../src/clients/closrtech';
import { ClosrtechRefusedError, ClosrtechUnavailableError, DemandDataError } from '../../src/errors';
import { EMAIL, PASSWORD, callsTo, closrtechClient, rawServer, sim, thrown } from './helpers';

/** No CLOSRTECH error may carry the credentials, whatever went wrong. */
function clean(err: Error): Error {
  expect(err.message).not.toContain(PASSWORD);
  expect(err.message).not.toContain(EMAIL);
  expect(err.message).not.toContain(encodeURIComponent(EMAIL));
  expect(err.message.length).toBeLessThan(400);
  return err;
}

const HTML = (title: string) =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>Apache/2.4 Server at closrtech.com Port 443</p></body></html>`;
const http = (status: number, body: string, contentType = 'text/html; charset=UTF-8') => ({
  kind: 'http' as const,
  status,
  body,
  contentType,
});

describe('ClosrtechClient against hostile answers', () => {
  it('reads a normal answer in one call', async () => {
    const s = await sim();
    const demand = await closrtechClient(s.closrtechUrl).fetchDemand('OBJ');
    expect(demand).toEqual(
      new Map([
        ['OH', 15],
        ['TX', 0],
      ]),
    );
    expect(callsTo(s, 'closrtech')).toHaveLength(1);
  });

  it('keeps the production policy: 3 attempts', () => {
    expect(CLOSRTECH_RETRY.attempts).toBe(3);
  });

  it('an HTML page with status 200 is bad data, not retried', async () => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: -1, response: http(200, HTML('Maintenance')) });
    const e = clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(DemandDataError);
    expect(e.message).toMatch(/not JSON/);
    expect(callsTo(s, 'closrtech')).toHaveLength(1);
  });

  it('an HTML page with status 502 is retried 3 times, then unavailable', async () => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: -1, response: http(502, HTML('502 Bad Gateway')) });
    const e = clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechUnavailableError);
    expect(e.message).toMatch(/HTTP 502/);
    expect(e.message).toMatch(/pass=\*\*\*/);
    expect(callsTo(s, 'closrtech')).toHaveLength(3);
  });

  it('two 5xx then a good answer: the third attempt wins', async () => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: 2, response: http(503, HTML('Service Unavailable')) });
    expect(await closrtechClient(s.closrtechUrl).fetchDemand('NUM')).toEqual(
      new Map([
        ['CA', 3],
        ['TX', 0],
      ]),
    );
    expect(callsTo(s, 'closrtech')).toHaveLength(3);
  });

  it('429 is retried like a 5xx', async () => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: -1, response: http(429, 'Too Many Requests', 'text/plain') });
    expect(clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')))).toBeInstanceOf(
      ClosrtechUnavailableError,
    );
    expect(callsTo(s, 'closrtech')).toHaveLength(3);
  });

  it('403 is refused at once, not retried, with CLOSRTECH’s reason', async () => {
    const s = await sim();
    const e = clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('SECRET')));
    expect(e).toBeInstanceOf(ClosrtechRefusedError);
    expect((e as ClosrtechRefusedError).status).toBe(403);
    expect(e.message).toMatch(/No access to this campaign/);
    expect(callsTo(s, 'closrtech')).toHaveLength(1);
  });

  it('wrong credentials are refused at once', async () => {
    const s = await sim();
    s.state.closrtech.password = 'another';
    expect(clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')))).toBeInstanceOf(
      ClosrtechRefusedError,
    );
    expect(callsTo(s, 'closrtech')).toHaveLength(1);
  });

  it('a 404 HTML page is refused with its text, tags removed and clipped', async () => {
    const s = await sim();
    s.addFault({
      match: { api: 'closrtech' },
      response: http(404, `<html><body><h1>Not Found</h1>${'<p>lorem ipsum</p>'.repeat(200)}</body></html>`),
    });
    const e = clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechRefusedError);
    expect(e.message).toMatch(/HTTP 404\): Not Found/);
    expect(e.message).not.toMatch(/<h1>/);
    expect(callsTo(s, 'closrtech')).toHaveLength(1);
  });

  it.each([
    ['truncated JSON', '{"OH": {"demand": 15, "sto'],
    ['an empty body', ''],
    ['whitespace only', '  \n '],
    ['a JSON array', '[{"OH": 5}]'],
    ['null', 'null'],
    ['no states', '{}'],
    ['a decimal number in a string', '{"OH": "1.5"}'],
    ['a hex number in a string', '{"OH": "0x10"}'],
    ['a padded number in a string', '{"OH": " 15"}'],
    ['a demand in a non-numeric string', '{"OH": {"demand": "lots", "stock": 2}}'],
    [
      'more codes than there are states and territories',
      JSON.stringify(Object.fromEntries(Array.from({ length: 63 }, (_, i) => [`Z${i}`, 0]))),
    ],
    ['a demand of null', '{"OH": {"demand": null}}'],
    ['a negative demand', '{"OH": 5, "TX": -1}'],
    ['a negative demand in an object', '{"OH": {"demand": -3, "stock": 0}}'],
    ['a boolean demand', '{"OH": true}'],
    ['an object without demand', '{"OH": {"stock": 3}}'],
    ['a number too large for a double', '{"OH": 1e400}'],
    ['a state twice with different demands', '{"OH": 5, "oh ": 6}'],
  ])('%s (status 200) is bad data, not retried', async (_name, body) => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: -1, response: http(200, body, 'application/json') });
    const e = clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(DemandDataError);
    expect(e.message).toMatch(/targeting left as it is/);
    expect(callsTo(s, 'closrtech')).toHaveLength(1);
  });

  it('an empty body with 503 is retried, then unavailable', async () => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: -1, response: http(503, '') });
    expect(clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')))).toBeInstanceOf(
      ClosrtechUnavailableError,
    );
    expect(callsTo(s, 'closrtech')).toHaveLength(3);
  });

  it('digits in a string are that number (PHP sends numbers so)', async () => {
    const s = await sim();
    s.addFault({
      match: { api: 'closrtech' },
      response: http(200, '{"OH": "15", "TX": {"demand": "0", "stock": 2}}', 'application/json'),
    });
    expect(await closrtechClient(s.closrtechUrl).fetchDemand('OBJ')).toEqual(
      new Map([
        ['OH', 15],
        ['TX', 0],
      ]),
    );
  });

  it('an answer over the demand cap is bad data, read no further, not retried', async () => {
    const s = await sim();
    // Valid JSON all the same: a few states and a multi-megabyte field.
    const big = JSON.stringify({ OH: { demand: 4, stock: 'x'.repeat(3_000_000) } });
    s.addFault({ match: { api: 'closrtech', campaign: 'OBJ' }, response: http(200, big, 'application/json') });
    const e = clean(await thrown(closrtechClient(s.closrtechUrl, { timeoutMs: 10_000 }).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(DemandDataError);
    expect(e.message).toMatch(/more than 64 KB/);
    expect(callsTo(s, 'closrtech')).toHaveLength(1);
  });

  it('an answer without Content-Length is counted while it streams', async () => {
    const server = await rawServer(() => ({
      head: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked',
      body: `${(200_000).toString(16)}\r\n${'{'.padEnd(200_000, ' ')}\r\n0\r\n\r\n`,
    }));
    const e = clean(await thrown(closrtechClient(`${server.url}/demand.php`).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(DemandDataError);
    expect(e.message).toMatch(/more than 64 KB/);
  });

  it('a huge HTML error page gives a short error', async () => {
    const s = await sim();
    s.addFault({
      match: { api: 'closrtech', campaign: 'OBJ' },
      response: http(404, `<html>${'<div>x</div>'.repeat(400_000)}</html>`),
    });
    const e = clean(await thrown(closrtechClient(s.closrtechUrl, { timeoutMs: 10_000 }).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(DemandDataError);
  });

  it('an answer slower than timeoutMs times out on every attempt, then unavailable', async () => {
    const s = await sim();
    // Answers 20 s away and a bound of 10 s for three attempts: only the client's own timeout ends them.
    s.addFault({ match: { api: 'closrtech' }, times: -1, response: { kind: 'delay', ms: 20_000 } });
    const started = Date.now();
    const e = clean(await thrown(closrtechClient(s.closrtechUrl, { timeoutMs: 150 }).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechUnavailableError);
    expect(e.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(callsTo(s, 'closrtech')).toHaveLength(3);
  });

  it('one slow answer then a good one: the retry wins', async () => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: 1, response: { kind: 'delay', ms: 1000 } });
    expect(await closrtechClient(s.closrtechUrl, { timeoutMs: 150 }).fetchDemand('NUM')).toEqual(
      new Map([
        ['CA', 3],
        ['TX', 0],
      ]),
    );
  });

  it('a dropped connection is unavailable after 3 attempts', async () => {
    const s = await sim();
    s.addFault({ match: { api: 'closrtech' }, times: -1, response: { kind: 'drop' } });
    const e = clean(await thrown(closrtechClient(s.closrtechUrl).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechUnavailableError);
    expect(e.message).toMatch(/could not be reached/);
    expect(callsTo(s, 'closrtech')).toHaveLength(3);
  });

  it('a server nobody listens on is unavailable', async () => {
    const e = clean(await thrown(closrtechClient('http://127.0.0.1:9/demand.php').fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechUnavailableError);
  });

  // Regression: a failed body read used to be swallowed, so a transfer cut mid-body became "an empty
  // body" → DemandDataError (not retried). It is transport trouble: ClosrtechUnavailableError, retried.
  it('a transfer cut in the middle of the body is retried as unavailable', async () => {
    const server = await rawServer(() => ({
      head: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nConnection: close',
      body: '{"OH": {"demand": 15, "stock": 2}, "TX": {"dem',
    }));
    const e = clean(await thrown(closrtechClient(`${server.url}/demand.php`).fetchDemand('OBJ')));
    expect(e).toBeInstanceOf(ClosrtechUnavailableError);
    expect(server.hits).toHaveLength(3);
  });
});
