import { describe, expect, it } from 'vitest';
import { EXPIRY_WARNING_DAYS, MARKETING_API_VERSIONS, checkApiVersion } from '../src/doctor/api-versions';
import { doctorExitCode, formatDoctorLines } from '../src/doctor/output';

const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe('checkApiVersion: Marketing API support of FB_API_VERSION', () => {
  const table: Array<[string, string, 'pass' | 'warn' | 'fail', RegExp]> = [
    ['v26.0', '2026-12-01', 'pass', /current; Meta has not announced/],
    ['v27.0', '2026-12-01', 'pass', /released 2026-11-04/],
    ['v25.0', '2026-12-01', 'pass', /ends 2027-02-23 \(in 83 days\)/],
    ['v25.0', '2026-12-26', 'warn', /ends 2027-02-23 \(in 58 days\): move FB_API_VERSION to v27\.0/],
    ['v25.0', '2027-02-22', 'warn', /in 0 days/],
    ['v25.0', '2027-02-24', 'fail', /ended 2027-02-23: calls fail \(error 2635\)/],
    ['v24.0', '2026-12-01', 'fail', /ended 2026-11-10/],
    ['v12.0', '2026-12-01', 'fail', /not a Marketing API version this check knows, or long expired/],
    ['v28.0', '2026-12-01', 'pass', /newer than the versions this check knows/],
  ];
  it.each(table)('%s on %s: %s', (version, today, status, detail) => {
    const r = checkApiVersion(version, day(today));
    expect(r.status).toBe(status);
    expect(r.detail).toMatch(detail);
  });

  it('warns exactly from 60 days before the end', () => {
    expect(EXPIRY_WARNING_DAYS).toBe(60);
    expect(checkApiVersion('v25.0', new Date('2026-12-25T00:00:00Z')).status).toBe('warn');
    expect(checkApiVersion('v25.0', new Date('2026-12-23T23:00:00Z')).status).toBe('pass');
  });

  it('lists versions oldest first, each released before it expires', () => {
    const majors = MARKETING_API_VERSIONS.map((v) => Number(v.version.slice(1)));
    expect(majors).toEqual([...majors].sort((a, b) => a - b));
    for (const v of MARKETING_API_VERSIONS) if (v.expires) expect(v.released < v.expires).toBe(true);
  });
});

describe('doctor output', () => {
  it('prints PASS, WARN, FAIL and SKIP lines and counts them', () => {
    const text = formatDoctorLines([
      { status: 'pass', name: 'redis', detail: 'answers' },
      { status: 'warn', name: 'facebook token', detail: 'scopes unknown' },
      { status: 'skip', name: 'campaign Solar', detail: 'skipped: disabled' },
    ]);
    expect(text).toBe(
      'PASS  redis           answers\nWARN  facebook token  scopes unknown\nSKIP  campaign Solar  skipped: disabled\n\nNo check failed (1 with a warning, 1 skipped).\n',
    );
  });

  it('exits 2 on invalid configuration, 1 on a failure, 0 with warnings only', () => {
    expect(doctorExitCode([{ status: 'fail', name: 'configuration', detail: 'x' }], true)).toBe(2);
    expect(doctorExitCode([{ status: 'fail', name: 'redis', detail: 'x' }], false)).toBe(1);
    expect(doctorExitCode([{ status: 'warn', name: 'token', detail: 'x' }], false)).toBe(0);
  });
});
