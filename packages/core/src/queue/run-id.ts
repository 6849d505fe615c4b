import { createHash, randomBytes } from 'node:crypto';

/**
 * Run ids read like `r-20261126-130000-4f2a`: UTC start time, then 4 hex characters.
 * Manual runs take random hex; scheduled runs hash the scheduler's job id, so a retried tick
 * produces the same run (and the same job ids) instead of a second run.
 */
export function newRunId(at: Date = new Date(), seed?: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix =
    seed === undefined ? randomBytes(2).toString('hex') : createHash('sha1').update(seed).digest('hex').slice(0, 4);
  return `r-${stamp}-${suffix}`;
}

export function isRunId(value: string): boolean {
  return /^r-\d{8}-\d{6}-[0-9a-f]{4}$/.test(value);
}
