import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness, VET, MTG } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario } from '@closrads/test-support/scenarios';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('planning under a pause', () => {
  it("does not list any ad account while the app's limit pauses them all, then completes the run", async () => {
    h = await startHarness({
      scenario: baseScenario(),
      campaigns: [VET, MTG],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
    });
    const { deps } = h.system;
    await deps.pacer.throttled('act_1', 1000, { scope: 'app' });
    const pauseEnd = Number(await deps.redis.hget(deps.keys.appPace, 'pausedUntil'));
    expect(pauseEnd).toBeGreaterThan(0);
    const report = await h.system.run({ dryRun: false });
    expect(report.success).toBe(true);
    const graphCalls = h.sim.calls.filter((c) => c.api === 'graph' && c.adAccountId);
    expect(
      graphCalls
        .filter((c) => c.edge === 'adsets')
        .map((c) => c.objectId)
        .sort(),
    ).toEqual(['9001', '9002', '9003']);
    // Same machine, same clock: no call to any ad account was made before the pause ended.
    expect(Math.min(...graphCalls.map((c) => c.at))).toBeGreaterThanOrEqual(pauseEnd);
  });
});
