import { describe, expect, it, vi } from 'vitest';
import { smallScenario, start, TOKEN, V } from './helpers.js';

describe('latency', () => {
  // Overlap is what the benchmark depends on; the bounds are loose (serial would be 20 × 50 ms = 1 s).
  it('overlaps concurrent calls: 20 calls at 50 ms do not queue behind each other', async () => {
    const sim = await start({ latencyMs: 50 });
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? fetch(`${sim.graphUrl}/${V}/1001?access_token=${TOKEN}`)
          : fetch(`${sim.closrtechUrl}?campaign=OBJ&email=e@example.com&pass=pw`),
      ),
    );
    const elapsed = performance.now() - t0;
    expect(results.every((r) => r.ok)).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(900);
  });

  it('takes the scenario latency by default and can be changed live', async () => {
    const scenario = smallScenario();
    scenario.latencyMs = 1500;
    const sim = await start({ scenario });
    expect(sim.state.latencyMs).toBe(1500);
    const order: string[] = [];
    const slow = fetch(`${sim.graphUrl}/${V}/me?access_token=${TOKEN}`).then(() => order.push('sent with latency 1500'));
    // The simulator records a call just before it starts waiting, so once the call is recorded the
    // first request is committed to the old setting (no guess at how long its arrival takes).
    await vi.waitFor(() => expect(sim.calls).toHaveLength(1), { timeout: 10_000, interval: 5 });
    sim.state.latencyMs = 0;
    const fast = fetch(`${sim.graphUrl}/${V}/me?access_token=${TOKEN}`).then(() => order.push('sent with latency 0'));
    await Promise.all([slow, fast]);
    // The second request, sent later, answers first: the new setting applies at once. The margin is
    // the whole 1.5 s of the first request's latency, not a few milliseconds of scheduling.
    expect(order).toEqual(['sent with latency 0', 'sent with latency 1500']);
  });

  it('closes promptly even with requests in flight', async () => {
    const sim = await start({ latencyMs: 2000 });
    const pending = fetch(`${sim.graphUrl}/${V}/me?access_token=${TOKEN}`).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await sim.close();
    expect(performance.now() - t0).toBeLessThan(1500); // far below the 2 s the request would take
    expect(await pending).toBe('aborted');
  });
});
