import { describe, expect, it } from 'vitest';
import { manualClock } from '../src/clock';

describe('manualClock', () => {
  it('moves only when told: sleep and advance move it at once, set puts it anywhere', async () => {
    const clock = manualClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.sleep(250);
    expect(clock.now()).toBe(1_250);
    await clock.sleep(-5);
    expect(clock.now()).toBe(1_250);
    clock.advance(50);
    expect(clock.now()).toBe(1_300);
    clock.set(42);
    expect(clock.now()).toBe(42);
  });
});
