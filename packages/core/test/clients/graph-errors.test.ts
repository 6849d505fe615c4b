import { describe, expect, it } from 'vitest';
import { ABUSE_PAUSE_MS, classifyGraphError, throttleKind, type ThrottleKind } from '../../src/clients/graph-errors';
import { GraphApiError, type GraphErrorClass } from '../../src/errors';

/** The classification table: by Meta's code (and subcode / is_transient), HTTP status only when there is no code. */
const TABLE: Array<[string, Parameters<typeof classifyGraphError>[0], GraphErrorClass]> = [
  ['#4 application request limit', { code: 4, httpStatus: 400 }, 'throttle'],
  ['#17 user request limit', { code: 17, httpStatus: 400 }, 'throttle'],
  ['#32 page request limit', { code: 32, httpStatus: 400 }, 'throttle'],
  ['#341 application limit', { code: 341, httpStatus: 400 }, 'throttle'],
  ['#613 calls within one hour', { code: 613, subcode: 5044001, httpStatus: 400 }, 'throttle'],
  ['#80000 ads insights BUC', { code: 80000, httpStatus: 400 }, 'throttle'],
  ['#80004 ads management BUC', { code: 80004, httpStatus: 400 }, 'throttle'],
  ['#80014 last BUC code', { code: 80014, httpStatus: 400 }, 'throttle'],
  ['#80015 past the BUC range', { code: 80015, httpStatus: 400 }, 'invalid'],
  [
    '#1 reduce the amount of data (the same request fails again)',
    {
      code: 1,
      httpStatus: 500,
      message: "Please reduce the amount of data you're asking for, then retry your request",
    },
    'invalid',
  ],
  ['#1 unknown error', { code: 1, httpStatus: 500, message: 'An unknown error occurred' }, 'transient'],
  ['#190 expired token', { code: 190, subcode: 463, httpStatus: 400 }, 'auth'],
  ['#190 even with HTTP 500', { code: 190, httpStatus: 500 }, 'auth'],
  ['#102 session key', { code: 102, httpStatus: 400 }, 'auth'],
  ['#10 permission denied', { code: 10, httpStatus: 400 }, 'permission'],
  ['#3 capability', { code: 3, httpStatus: 400 }, 'permission'],
  ['#200 permission family start', { code: 200, httpStatus: 403 }, 'permission'],
  ['#294 ads_management missing', { code: 294, httpStatus: 403 }, 'permission'],
  ['#299 permission family end', { code: 299, httpStatus: 403 }, 'permission'],
  ['#1 unknown error', { code: 1, httpStatus: 500 }, 'transient'],
  ['#2 service unavailable', { code: 2, httpStatus: 503 }, 'transient'],
  ['#2 even with HTTP 400', { code: 2, httpStatus: 400 }, 'transient'],
  ['#100 with is_transient', { code: 100, isTransient: true, httpStatus: 400 }, 'transient'],
  ['#100/1885364 missing location', { code: 100, subcode: 1885364, httpStatus: 400 }, 'invalid'],
  ['#100/1487756 invalid region key', { code: 100, subcode: 1487756, httpStatus: 400 }, 'invalid'],
  ['#100 with HTTP 500 is still invalid', { code: 100, httpStatus: 500 }, 'invalid'],
  ['#2635 deprecated version', { code: 2635, httpStatus: 400 }, 'invalid'],
  ['#368 policy block', { code: 368, httpStatus: 400 }, 'invalid'],
  ['no code, HTTP 500', { httpStatus: 500 }, 'transient'],
  ['no code, HTTP 502', { httpStatus: 502 }, 'transient'],
  ['no code, HTTP 504', { httpStatus: 504 }, 'transient'],
  ['no code, no status (transport)', {}, 'transient'],
  ['no code, HTTP 429', { httpStatus: 429 }, 'throttle'],
  ['no code, HTTP 400', { httpStatus: 400 }, 'invalid'],
  ['no code, HTTP 404', { httpStatus: 404 }, 'invalid'],
  ['no code, HTTP 200 (a body that is not Meta’s)', { httpStatus: 200 }, 'invalid'],
];

describe('classifyGraphError', () => {
  it.each(TABLE)('%s → %s', (_name, input, expected) => {
    expect(classifyGraphError(input)).toBe(expected);
  });

  it('makes transient and throttle errors retryable, and only those', () => {
    const cases: Array<[GraphErrorClass, boolean]> = [
      ['transient', true],
      ['throttle', true],
      ['auth', false],
      ['permission', false],
      ['invalid', false],
    ];
    for (const [errorClass, retryable] of cases) {
      expect(new GraphApiError(errorClass, { metaMessage: 'x' }).retryable).toBe(retryable);
    }
  });

  it('formats the message with code, subcode and Meta’s user message', () => {
    const err = new GraphApiError('invalid', {
      code: 100,
      subcode: 1885364,
      metaMessage: 'Invalid parameter',
      userTitle: 'Missing Target Audience Location',
      userMessage: 'Your audience is missing a location.',
    });
    expect(err.message).toBe('(#100/1885364) Invalid parameter: Your audience is missing a location.');
    expect(err.code).toBe(100);
    expect(err.subcode).toBe(1885364);
  });
});

describe('formatWait', () => {
  it('names a wait in the unit that keeps it readable', async () => {
    const { formatWait, MAX_THROTTLE_WAIT_MS } = await import('../../src/clients/graph-errors');
    expect([45_000, 12 * 60_000, MAX_THROTTLE_WAIT_MS, 5 * 3600_000, 100 * 365 * 86_400_000].map(formatWait)).toEqual([
      '45 s',
      '12 min',
      '1 h',
      '5 h',
      '36500 d',
    ]);
  });
});

/** Whom a throttling error stops and whether a person should look (meta-graph-api.md §6, §15). */
const THROTTLES: Array<[string, Parameters<typeof throttleKind>[0], ThrottleKind]> = [
  ['#4 the application limit', { code: 4 }, { scope: 'app', severity: 'routine', defaultWaitMs: 60_000 }],
  [
    '#4/1504022 an app limit too',
    { code: 4, subcode: 1504022 },
    { scope: 'app', severity: 'routine', defaultWaitMs: 60_000 },
  ],
  ['#341 application limit', { code: 341 }, { scope: 'app', severity: 'routine', defaultWaitMs: 60_000 }],
  [
    '#17/2446079 the ad-account score',
    { code: 17, subcode: 2446079 },
    { scope: 'account', severity: 'routine', defaultWaitMs: 60_000 },
  ],
  [
    '#17 the user limit (one token for every account)',
    { code: 17 },
    { scope: 'app', severity: 'routine', defaultWaitMs: 60_000 },
  ],
  [
    '#613 without a subcode: abuse prevention',
    { code: 613 },
    { scope: 'account', severity: 'alert', defaultWaitMs: ABUSE_PAUSE_MS },
  ],
  [
    '#613/1996 inconsistent request volume',
    { code: 613, subcode: 1996 },
    { scope: 'account', severity: 'alert', defaultWaitMs: ABUSE_PAUSE_MS },
  ],
  [
    '#613/5044001 mutations per second',
    { code: 613, subcode: 5044001 },
    { scope: 'account', severity: 'routine', defaultWaitMs: 1000 },
  ],
  [
    '#613/1487742 the ad-account score',
    { code: 613, subcode: 1487742 },
    { scope: 'account', severity: 'routine', defaultWaitMs: 60_000 },
  ],
  [
    '#613/1487632 budget changed too often',
    { code: 613, subcode: 1487632 },
    { scope: 'account', severity: 'routine', defaultWaitMs: 3_600_000 },
  ],
  [
    '#80004 ads management BUC',
    { code: 80004, subcode: 2446079 },
    { scope: 'account', severity: 'routine', defaultWaitMs: 60_000 },
  ],
  ['HTTP 429 without a code', { httpStatus: 429 }, { scope: 'account', severity: 'routine', defaultWaitMs: 60_000 }],
];

describe('throttleKind', () => {
  it.each(THROTTLES)('%s', (_name, input, expected) => {
    expect(throttleKind(input)).toEqual(expected);
  });

  it('is undefined for errors that are not throttling', () => {
    expect(throttleKind({ code: 100, subcode: 1885364 })).toBeUndefined();
    expect(throttleKind({ code: 190, subcode: 463 })).toBeUndefined();
    expect(throttleKind({ httpStatus: 500 })).toBeUndefined();
  });

  it('pauses abuse prevention for an hour', () => {
    expect(ABUSE_PAUSE_MS).toBe(3_600_000);
  });
});
