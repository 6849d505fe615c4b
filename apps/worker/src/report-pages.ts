import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * A run's results come in pages: a run can have tens of thousands of ad sets, and the finalizer
 * folds them into the report as they come instead of holding every child's result at once (a
 * parent's processed and failed children are Redis hashes, read with HSCAN under the hood).
 */
const REPORT_PAGE_SIZE = 500;

/** The parent's finished children, page by page: `processed` (return values) or `ignored` (failed, with their reasons). */
export async function* childPages(
  job: Job,
  kind: 'processed' | 'ignored',
  count = REPORT_PAGE_SIZE,
): AsyncGenerator<Array<[string, unknown]>> {
  let cursor = 0;
  do {
    const page = await job.getDependencies({ [kind]: { cursor, count } });
    const entries = kind === 'processed' ? page.processed : page.ignored;
    const next = kind === 'processed' ? page.nextProcessedCursor : page.nextIgnoredCursor;
    if (entries && Object.keys(entries).length > 0) yield Object.entries(entries);
    cursor = next ?? 0;
  } while (cursor !== 0);
}

/** A Redis hash, page by page (HSCAN: Redis is never blocked, and a field may come twice). */
export async function* hashPages(
  redis: Redis,
  key: string,
  count = REPORT_PAGE_SIZE,
): AsyncGenerator<Array<[string, string]>> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', count);
    const entries: Array<[string, string]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i]!, flat[i + 1]!]);
    if (entries.length > 0) yield entries;
    cursor = next;
  } while (cursor !== '0');
}
