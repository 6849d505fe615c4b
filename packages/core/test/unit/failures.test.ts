import { describe, expect, it } from 'vitest';
import {
  GraphApiError,
  TargetingConflictError,
  describeFailure,
  failureLine,
  parseAdsetFailure,
  type AdsetFailure,
} from '../../src';

const failure = (adsetId: string, extra: Partial<AdsetFailure> = {}): AdsetFailure => ({
  campaign: 'Veterans',
  adsetId,
  adsetName: `VET ${adsetId}`,
  facebookCampaignId: '9001',
  added: ['CA'],
  removed: ['NY'],
  kind: 'invalid',
  message: '(#100/1885364) Missing Target Audience Location',
  code: 100,
  subcode: 1885364,
  retryable: false,
  ...extra,
});

describe('failureLine: a failed ad set from its record', () => {
  it('carries Meta’s code and subcode from the record, never read out of the message', () => {
    expect(failureLine(failure('7'))).toEqual({
      campaign: 'Veterans',
      id: '7',
      name: 'VET 7',
      facebookCampaignId: '9001',
      outcome: 'failed',
      added: ['CA'],
      removed: ['NY'],
      error: '(#100/1885364) Missing Target Audience Location',
      errorCode: 100,
      errorSubcode: 1885364,
    });
    // A message that merely looks like Meta's is not read for a code.
    expect(
      failureLine(failure('9', { message: '(#4) looks like a code', code: undefined, subcode: undefined })),
    ).not.toHaveProperty('errorCode');
    expect(failureLine(failure('9', { message: '' })).error).toBe('failed without a reason');
  });
});

describe('describeFailure: the facts of an error', () => {
  it('keeps a Graph API error’s class, code and subcode, and whether a retry can help', () => {
    const invalid = new GraphApiError('invalid', {
      code: 100,
      subcode: 1885364,
      metaMessage: 'Missing Target Audience Location',
    });
    expect(describeFailure(invalid, 'msg')).toEqual({
      kind: 'invalid',
      message: 'msg',
      code: 100,
      subcode: 1885364,
      retryable: false,
    });
    expect(
      describeFailure(new GraphApiError('transient', { code: 2, metaMessage: 'Service temporarily unavailable' }), 'm'),
    ).toEqual({ kind: 'transient', message: 'm', code: 2, retryable: true });
    expect(describeFailure(new GraphApiError('auth', { code: 190, metaMessage: 'expired' }), 'm')).toMatchObject({
      kind: 'auth',
      code: 190,
      retryable: false,
    });
  });

  it('names the product’s own refusals, targeting conflicts and anything else', () => {
    expect(describeFailure(new TargetingConflictError('whole US too'), 'm')).toEqual({
      kind: 'conflict',
      message: 'm',
      retryable: false,
    });
    expect(describeFailure(new Error('job data does not match'), 'm', { refused: true })).toEqual({
      kind: 'refused',
      message: 'm',
      retryable: false,
    });
    expect(describeFailure(new TypeError('x is undefined'), 'm')).toEqual({
      kind: 'programming',
      message: 'm',
      retryable: false,
    });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    expect(describeFailure(reset, 'm')).toEqual({ kind: 'other', message: 'm', retryable: true });
  });

  it('a stored record is read back only when it is one', () => {
    const f = failure('1');
    expect(parseAdsetFailure(JSON.stringify(f))).toEqual(f);
    expect(parseAdsetFailure('{"adsetId":"1"}')).toBeUndefined();
    expect(parseAdsetFailure('not json')).toBeUndefined();
    expect(parseAdsetFailure(null)).toBeUndefined();
  });
});
