/**
 * How long Meta supports each Graph API version for the Marketing API. The sync's calls (ad sets,
 * ads, targeting) are Marketing API calls, whose versions expire well before the Graph API's of the
 * same number; a call to an expired version fails with error 2635 or is silently auto-upgraded.
 *
 * Source: Meta's Marketing API version history,
 * https://developers.facebook.com/docs/marketing-api/marketing-api-changelog/versions (and its
 * `.md` edition), read December 2026; release dates from the Graph API changelog,
 * https://developers.facebook.com/docs/graph-api/changelog/versions. Meta publishes an expiry only
 * once the next versions are out: `undefined` means none is announced yet. For v24.0 the two editions
 * of the page disagree (2026-10-06 or 2026-11-10): the later date is kept, since both have passed.
 * Update this table when Meta announces a date or a version.
 */
export const MARKETING_API_VERSIONS: ReadonlyArray<{ version: string; released: string; expires?: string }> = [
  { version: 'v22.0', released: '2025-01-21', expires: '2026-02-19' },
  { version: 'v23.0', released: '2025-05-29', expires: '2026-06-09' },
  { version: 'v24.0', released: '2025-10-08', expires: '2026-11-10' },
  { version: 'v25.0', released: '2026-02-18', expires: '2027-02-23' },
  { version: 'v26.0', released: '2026-07-29' },
  { version: 'v27.0', released: '2026-11-04' },
];

/** Warn this long before a version's Marketing API support ends: time to test and move. */
export const EXPIRY_WARNING_DAYS = 60;

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  detail: string;
}

const DAY_MS = 24 * 3600 * 1000;

function major(version: string): number {
  return Number(/^v(\d+)/.exec(version)?.[1] ?? NaN);
}

/** The verdict on FB_API_VERSION on a given day. */
export function checkApiVersion(version: string, today: Date): CheckResult {
  const known = MARKETING_API_VERSIONS.find((v) => v.version === version);
  const newest = MARKETING_API_VERSIONS[MARKETING_API_VERSIONS.length - 1]!;
  if (!known) {
    if (major(version) > major(newest.version)) {
      return {
        status: 'pass',
        detail: `${version} is newer than the versions this check knows (up to ${newest.version}); its support dates are not checked`,
      };
    }
    return {
      status: 'fail',
      detail: `${version} is not a Marketing API version this check knows, or long expired: set FB_API_VERSION to ${newest.version}`,
    };
  }
  if (!known.expires) {
    return {
      status: 'pass',
      detail: `${version} (released ${known.released}) is current; Meta has not announced when its Marketing API support ends`,
    };
  }
  const daysLeft = Math.floor((Date.parse(`${known.expires}T00:00:00Z`) - today.getTime()) / DAY_MS);
  if (daysLeft < 0) {
    return {
      status: 'fail',
      detail: `${version} Marketing API support ended ${known.expires}: calls fail (error 2635) or are auto-upgraded; set FB_API_VERSION to ${newest.version}`,
    };
  }
  if (daysLeft <= EXPIRY_WARNING_DAYS) {
    return {
      status: 'warn',
      detail: `${version} Marketing API support ends ${known.expires} (in ${daysLeft} days): move FB_API_VERSION to ${newest.version}`,
    };
  }
  return { status: 'pass', detail: `${version} Marketing API support ends ${known.expires} (in ${daysLeft} days)` };
}
