import { describe, expect, it } from 'vitest';
import { ProgressLine, type ProgressSink } from '../src/wait-progress';

function sink(isTTY: boolean): ProgressSink & { out: string[] } {
  const out: string[] = [];
  return { isTTY, out, write: (t: string) => out.push(t) };
}

describe('the --wait progress line', () => {
  it('on a terminal, redraws one line in place with ad sets done out of how many, and clears it at the end', () => {
    const s = sink(true);
    const line = new ProgressLine(s, 'r-1');
    line.show({ phase: 'planning' }, false);
    line.show({ phase: 'updating', adsetsDone: 12, adsetsTotal: 40 }, false);
    line.show({ phase: 'updating', adsetsDone: 13, adsetsTotal: 40 }, false);
    line.end();
    expect(s.out).toEqual([
      '\r\x1b[2Krun r-1: planning (reading demand and ad sets)',
      '\r\x1b[2Krun r-1: updating ad sets: 12/40 done',
      '\r\x1b[2Krun r-1: updating ad sets: 13/40 done',
      '\r\x1b[2K',
    ]);
  });

  it('elsewhere (a pipe, CI), writes one line per phase and no control characters', () => {
    const s = sink(false);
    const line = new ProgressLine(s, 'r-1');
    line.show({ phase: 'queued' }, true);
    line.show({ phase: 'queued' }, true);
    line.show({ phase: 'updating', adsetsDone: 0, adsetsTotal: 2 }, false);
    line.show({ phase: 'updating', adsetsDone: 1, adsetsTotal: 2 }, false);
    line.show({ phase: 'reporting', adsetsDone: 2, adsetsTotal: 2 }, false);
    line.end();
    expect(s.out).toEqual([
      'run r-1: no worker is running\n',
      'run r-1: updating ad sets: 0/2 done\n',
      'run r-1: writing the report (2/2 ad sets done)\n',
    ]);
  });
});
