import { DelayedError, RateLimitError, UnrecoverableError, WaitingChildrenError, WaitingError } from 'bullmq';
import { ZodError } from 'zod';
import { AppError } from '../errors';

/**
 * The one error policy of every job processor: what BullMQ should do with an error a processor threw.
 *
 * - `flow`: BullMQ's own signals (a job parked, waiting for children, rate limited): passed through.
 * - `transient`: an upstream or Redis blip; the job's attempts and backoff apply.
 * - `permanent`: trying again cannot help (Meta refused the write, CLOSRTECH refused the request, bad
 *   demand data): the job fails now.
 * - `programming`: a bug of ours (a TypeError, our own data failing its schema): the same code on the
 *   same data fails the same way, so the job fails now instead of four times as if it were a network
 *   blip, and the original error and its stack stay on the job for whoever fixes it.
 */
export type FailureKind = 'flow' | 'transient' | 'permanent' | 'programming';

/** Error classes that only a mistake in our code throws. */
const PROGRAMMING_ERRORS: ReadonlyArray<new (...args: never[]) => Error> = [
  TypeError,
  ReferenceError,
  SyntaxError,
  RangeError,
  EvalError,
  URIError,
];

/** How many causes are followed at most: a cause chain can be circular. */
const MAX_CAUSE_DEPTH = 10;

/** The error and its causes, outermost first. */
export function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current !== undefined && current !== null && chain.length < MAX_CAUSE_DEPTH && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Classifies a processor's error. The product's own errors know whether a retry can help and decide
 * first (the outermost one wins: it is the one that looked at its cause). Otherwise the root cause
 * decides: a system error (`ECONNRESET`, `ETIMEDOUT`…, also behind fetch's `TypeError: fetch failed`)
 * is transient, a programming error is not, and anything else is taken as transient.
 */
export function classifyJobError(err: unknown): FailureKind {
  if (
    err instanceof DelayedError ||
    err instanceof WaitingChildrenError ||
    err instanceof WaitingError ||
    err instanceof RateLimitError
  )
    return 'flow';
  // An UnrecoverableError made by this policy keeps what it was made from.
  if (err instanceof UnrecoverableError)
    return err.cause !== undefined && classifyJobError(err.cause) === 'programming' ? 'programming' : 'permanent';
  const chain = causeChain(err);
  const own = chain.find((e): e is AppError => e instanceof AppError);
  if (own) return own.retryable ? 'transient' : 'permanent';
  const root = chain[chain.length - 1];
  if (isSystemError(root)) return 'transient';
  if (root instanceof ZodError || PROGRAMMING_ERRORS.some((cls) => root instanceof cls)) return 'programming';
  return 'transient';
}

function isSystemError(err: unknown): boolean {
  return (
    err instanceof Error &&
    typeof (err as { code?: unknown }).code === 'string' &&
    typeof (err as { syscall?: unknown }).syscall === 'string'
  );
}

/** The stack of the error and of each of its causes, so the job's stacktrace shows where it all began. */
export function stackWithCauses(err: unknown): string {
  return causeChain(err)
    .map((e, i) => {
      const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
      return i === 0 ? text : `caused by: ${text}`;
    })
    .join('\n');
}

/** An UnrecoverableError that keeps the original error as its `cause` and the stacks of the whole chain. */
export function unrecoverable(message: string, cause: unknown): UnrecoverableError {
  const out = new UnrecoverableError(message);
  Object.defineProperty(out, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  out.stack = stackWithCauses(out);
  return out;
}

/**
 * What a processor's error becomes for BullMQ under the policy above: flow signals as they are;
 * transient errors as they are (attempts and backoff apply); permanent and programming errors as an
 * UnrecoverableError (one attempt, then failed). Every error but a flow signal leaves with the stacks
 * of its whole cause chain, and with message and stack passed through `scrub`: BullMQ stores both in
 * Redis, and the board shows them.
 */
export function toBullMqError(err: unknown, scrub: (text: string) => string = (t) => t): unknown {
  const kind = classifyJobError(err);
  if (kind === 'flow') return err;
  const message = err instanceof Error ? err.message : String(err);
  let out: Error;
  if (err instanceof UnrecoverableError || (kind === 'transient' && err instanceof Error)) {
    out = err;
    // An error made by `unrecoverable` already carries the stacks of its causes.
    if (!out.stack?.includes('\ncaused by: ')) out.stack = stackWithCauses(err);
  } else if (kind === 'transient') out = new Error(message);
  else out = unrecoverable(kind === 'programming' ? `programming error, not retried: ${message}` : message, err);
  out.message = scrub(out.message);
  if (out.stack) out.stack = scrub(out.stack);
  return out;
}
