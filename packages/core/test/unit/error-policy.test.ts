import { DelayedError, UnrecoverableError, WaitingChildrenError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ClosrtechRefusedError,
  ClosrtechUnavailableError,
  DemandDataError,
  GraphApiError,
  causeChain,
  classifyJobError,
  toBullMqError,
  unrecoverable,
} from '@closrads/core';

const systemError = (code: string) =>
  Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, syscall: 'connect' });
const zodError = () => {
  const parsed = z.object({ runId: z.string() }).safeParse({ runId: 7 });
  if (parsed.success) throw new Error('expected a schema violation');
  return parsed.error;
};

describe('classifyJobError', () => {
  it('passes BullMQ flow signals through', () => {
    expect(classifyJobError(new DelayedError('parked'))).toBe('flow');
    expect(classifyJobError(new WaitingChildrenError())).toBe('flow');
  });

  it('lets the product’s own errors say whether a retry helps', () => {
    expect(classifyJobError(new GraphApiError('transient', { metaMessage: 'Graph API could not be reached' }))).toBe(
      'transient',
    );
    expect(classifyJobError(new GraphApiError('invalid', { code: 100, metaMessage: 'Invalid parameter' }))).toBe(
      'permanent',
    );
    expect(classifyJobError(new ClosrtechUnavailableError('CLOSRTECH answered HTTP 503'))).toBe('transient');
    expect(classifyJobError(new ClosrtechRefusedError(403, 'refused'))).toBe('permanent');
    expect(classifyJobError(new DemandDataError('every state reports zero demand'))).toBe('permanent');
    expect(classifyJobError(new UnrecoverableError('no stored report'))).toBe('permanent');
  });

  it('takes the outermost own error over a programming error behind it', () => {
    const wrapped = new GraphApiError('transient', { metaMessage: 'Graph API could not be reached' });
    Object.assign(wrapped, { cause: new TypeError('fetch failed') });
    expect(classifyJobError(wrapped)).toBe('transient');
  });

  it('calls a TypeError, a ReferenceError or our own data failing its schema a programming error', () => {
    expect(classifyJobError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe('programming');
    expect(classifyJobError(new ReferenceError('x is not defined'))).toBe('programming');
    expect(classifyJobError(new RangeError('Invalid array length'))).toBe('programming');
    expect(classifyJobError(zodError())).toBe('programming');
  });

  it('judges a wrapper by its root cause', () => {
    expect(classifyJobError(new Error('update failed', { cause: new TypeError('x.map is not a function') }))).toBe(
      'programming',
    );
    // fetch's network failure is a TypeError whose cause is the system error: a blip, not a bug.
    expect(classifyJobError(new TypeError('fetch failed', { cause: systemError('ECONNRESET') }))).toBe('transient');
    expect(classifyJobError(systemError('ETIMEDOUT'))).toBe('transient');
  });

  it('takes anything else (a Redis reply error, a string) as transient', () => {
    expect(classifyJobError(Object.assign(new Error('OOM command not allowed'), { name: 'ReplyError' }))).toBe(
      'transient',
    );
    expect(classifyJobError('something odd')).toBe('transient');
  });

  it('remembers a programming error behind the UnrecoverableError made of it', () => {
    expect(classifyJobError(unrecoverable('boom', new TypeError('boom')))).toBe('programming');
    expect(classifyJobError(unrecoverable('refused', new ClosrtechRefusedError(403, 'refused')))).toBe('permanent');
  });
});

describe('causeChain', () => {
  it('stops on a circular chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(causeChain(b)).toEqual([b, a]);
  });
});

describe('toBullMqError', () => {
  it('turns a programming error into an UnrecoverableError that keeps the original and its stack', () => {
    const original = new TypeError("Cannot read properties of undefined (reading 'id')");
    const out = toBullMqError(original);
    expect(out).toBeInstanceOf(UnrecoverableError);
    const err = out as UnrecoverableError;
    expect(err.message).toBe("programming error, not retried: Cannot read properties of undefined (reading 'id')");
    expect(err.cause).toBe(original);
    expect(err.stack).toContain(`caused by: ${original.stack}`);
  });

  it('leaves a transient error to BullMQ’s attempts, with the stacks of its causes', () => {
    const cause = systemError('ECONNRESET');
    const original = new Error('Graph API call failed', { cause });
    const out = toBullMqError(original);
    expect(out).toBe(original);
    expect(out).not.toBeInstanceOf(UnrecoverableError);
    expect((out as Error).stack).toContain(`caused by: ${cause.stack}`);
  });

  it('fails a permanent error at once', () => {
    const out = toBullMqError(new ClosrtechRefusedError(403, 'CLOSRTECH refused the request (HTTP 403)'));
    expect(out).toBeInstanceOf(UnrecoverableError);
    expect((out as Error).message).toBe('CLOSRTECH refused the request (HTTP 403)');
  });

  it('does not touch a flow signal', () => {
    const parked = new DelayedError('throttled');
    expect(toBullMqError(parked, () => 'scrubbed')).toBe(parked);
    expect(parked.message).toBe('throttled');
  });

  it('scrubs message and stack of what BullMQ stores', () => {
    const secret = 'EAAB-secret-token';
    const out = toBullMqError(new TypeError(`bad ${secret}`), (t) => t.replaceAll(secret, '***')) as Error;
    expect(out.message).not.toContain(secret);
    expect(out.stack).not.toContain(secret);
    expect(out.stack).toContain('bad ***');
  });

  it('does not repeat the causes of an error it made itself', () => {
    const made = unrecoverable('refused', new Error('inner'));
    const out = toBullMqError(made) as Error;
    expect(out.stack!.match(/caused by: /g)).toHaveLength(1);
  });
});
