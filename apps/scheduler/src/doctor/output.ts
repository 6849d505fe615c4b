import type { CheckStatus } from './api-versions';

export interface DoctorLine {
  status: CheckStatus;
  name: string;
  detail: string;
}

const WORD: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

/** One aligned line per check, then a closing sentence that counts failures, warnings and skips. */
export function formatDoctorLines(lines: readonly DoctorLine[]): string {
  const width = Math.max(0, ...lines.map((l) => l.name.length));
  const body = lines.map((l) => `${WORD[l.status]}  ${l.name.padEnd(width)}  ${l.detail}\n`).join('');
  const n = (s: CheckStatus) => lines.filter((l) => l.status === s).length;
  const tail = [
    n('fail') && `${n('fail')} failed`,
    n('warn') && `${n('warn')} with a warning`,
    n('skip') && `${n('skip')} skipped`,
  ].filter(Boolean);
  return `${body}\n${n('fail') === 0 ? 'No check failed' : 'Some checks failed'}${tail.length ? ` (${tail.join(', ')})` : ''}.\n`;
}

/** 2 for invalid configuration (as every command), 1 when a check failed, else 0 (warnings pass). */
export function doctorExitCode(lines: readonly DoctorLine[], configInvalid: boolean): 0 | 1 | 2 {
  if (configInvalid) return 2;
  return lines.some((l) => l.status === 'fail') ? 1 : 0;
}
