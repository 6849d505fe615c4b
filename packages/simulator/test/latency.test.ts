import { describe, expect, it, vi } from 'vitest';
import { smallScenario, start, TOKEN, V } from './helpers.js';

describe('latency', () => {
  // Overlap is what the benchmark depends on. Shown by what the simulator has seen, not by a stopwatch:
  // with a latency far longer than it takes to send 20 requests, all 20 are in the simulator's hands
  // before the first answer leaves (serial handling would answer the first before seeing the second).
  it('overlaps concurrent calls: 20 calls are all received before any is answered', async () => {
    const sim = await start({ latencyMs: 3000 });
    let answered = 0;
    const results = Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0
          ? fetch(`${sim.graphUrl}/${V}/1001?access_token=${TOKEN}`)
          : fetch(`${sim.closrtechUrl}?campaign=OBJ&email=e@example.com&pass=pw`)
        ).then((r) => (answered++, r)),
      ),
    );
    await vi.waitFor(() => expect(sim.calls).toHaveLength(20), { timeout: 20_000, interval: 5 });
    expect(answered).toBe(0);
    expect((await results).every((r) => r.ok)).toBe(true);
  });

  it('takes the scenario latency by default and can be changed live', async () => {
    const scenario = smallScenario();
    scenario.latencyMs = 1500;
    const sim = await start({ scenario });
    expect(sim.state.latencyMs).toBe(1500);
    const order: string[] = [];
    const slow = fetch(`${sim.graphUrl}/${V}/me?access_token=${TOKEN}`).then(() =>
      order.push('sent with latency 1500'),
    );
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
    // A latency longer than the test's timeout: a close that waited for the request would fail it.
    const sim = await start({ latencyMs: 120_000 });
    const pending = fetch(`${sim.graphUrl}/${V}/me?access_token=${TOKEN}`).catch(() => 'aborted');
    await vi.waitFor(() => expect(sim.calls).toHaveLength(1), { timeout: 10_000, interval: 5 });
    await sim.close();
    expect(await pending).toBe('aborted');
  });
});
