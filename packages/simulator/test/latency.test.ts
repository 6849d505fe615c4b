import { describe, expect, it } from 'vitest';
import { smallScenario, start, TOKEN, V } from './helpers.js';

describe('latency', () => {
  it('overlaps concurrent calls: 20 calls at 50 ms take about 50 ms, not 1 s', async () => {
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
    expect(elapsed).toBeLessThan(400);
  });

  it('takes the scenario latency by default and can be changed live', async () => {
    const scenario = smallScenario();
    scenario.latencyMs = 80;
    const sim = await start({ scenario });
    expect(sim.state.latencyMs).toBe(80);
    sim.state.latencyMs = 0;
    const t0 = performance.now();
    await fetch(`${sim.graphUrl}/${V}/me?access_token=${TOKEN}`);
    expect(performance.now() - t0).toBeLessThan(60);
  });

  it('closes promptly even with requests in flight', async () => {
    const sim = await start({ latencyMs: 2000 });
    const pending = fetch(`${sim.graphUrl}/${V}/me?access_token=${TOKEN}`).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    await sim.close();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await pending).toBe('aborted');
  });
});
