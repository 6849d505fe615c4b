/**
 * Reading an upstream answer without trusting it: the body is counted while it streams and reading
 * stops at `maxBytes`, so a huge answer costs at most its cap in memory; the caller's abort signal
 * (the whole-exchange timeout) stops a body that drips forever.
 */

export type BodyFailure = 'too-large' | 'timeout' | 'cut-off';

/** Why a body could not be read; each client turns it into its own error. */
export class BodyReadError extends Error {
  override name = 'BodyReadError' as const;
  constructor(
    readonly failure: BodyFailure,
    readonly maxBytes: number,
  ) {
    super(
      failure === 'too-large'
        ? `answer is larger than ${formatBytes(maxBytes)}`
        : failure === 'timeout'
          ? 'answer timed out'
          : 'answer was cut off',
    );
  }
}

/**
 * One deadline for a whole exchange. A plain timer held by the caller rather than
 * `AbortSignal.timeout()`: Node keeps that one only weakly, and once fetch has dropped its listener
 * (while the body streams) it can be collected and never fire, leaving a dripping body unbounded.
 */
export function exchangeDeadline(ms: number): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The exchange timed out', 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** The body as UTF-8 text, or a BodyReadError. Content-Length over the cap is refused before reading. */
export async function readBoundedText(response: Response, maxBytes: number, signal?: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyReadError('too-large', maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Cancel the stream ourselves at the deadline, so a pending read settles whatever fetch does.
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw new BodyReadError('timeout', maxBytes);
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw new BodyReadError('timeout', maxBytes);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new BodyReadError('too-large', maxBytes);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof BodyReadError) throw err;
    throw new BodyReadError(signal?.aborted ? 'timeout' : 'cut-off', maxBytes);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

/** Redirect statuses: the product follows none of them (see UpstreamRedirectError). */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

/** Where a redirect pointed, with nothing but scheme, host and port (the path or query may hold anything). */
export function redirectTarget(response: { headers: { get(name: string): string | null }; url: string }): string {
  const location = response.headers.get('location');
  if (!location) return 'no Location';
  try {
    return new URL(location, response.url || undefined).origin;
  } catch {
    return 'an invalid Location';
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}
