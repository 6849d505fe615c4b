import { afterEach, describe, expect, it } from 'vitest';
import { campaign, startHarness, type Harness, VET } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, ad, adset, baseScenario } from '@closrads/test-support/scenarios';

const SIX = { CA: 5, FL: 3, NY: 8, OH: 2, TX: 4, WA: 1 };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(campaigns = [VET]) {
  const scenario = baseScenario();
  scenario.closrtech.campaigns.VET = { ...SIX };
  scenario.graph.adsets = [adset('201', '9001', ['NY']), adset('202', '9001', ['GA'])];
  scenario.graph.ads = [ad('901', '201'), ad('902', '202')];
  h = await startHarness({ scenario, campaigns, closrtechCredentials: CREDENTIALS, accessToken: TOKEN });
  return h;
}
const writes = (hh: Harness) => hh.sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST');

describe('guardrails', () => {
  it('hold a drop from 6 states to 2 by default: nothing written, held, not successful, then run once approved', async () => {
    const hh = await harness();
    const first = await hh.system.run({ dryRun: false });
    expect(first.campaigns[0]).toMatchObject({
      status: 'completed',
      activeStates: ['CA', 'FL', 'NY', 'OH', 'TX', 'WA'],
    });
    const writesBefore = writes(hh).length;
    expect(writesBefore).toBe(2);

    hh.sim.state.closrtech.campaigns.VET = { CA: 5, TX: 4, FL: 0, NY: 0, OH: 0, WA: 0 };
    const held = await hh.system.run({ dryRun: false });
    const c = held.campaigns[0]!;
    expect(held.success).toBe(false);
    expect(c.status).toBe('held');
    expect(c.activeStates).toEqual(['CA', 'TX']);
    expect(c.adsets).toEqual([]);
    expect(c.holdReason).toMatch(/drop 4 of the 6 states/);
    expect(c.holdReason).toMatch(/FL, NY, OH, WA would go/);
    expect(c.holdReason).toContain('pnpm enqueue --campaign Veterans --approve');
    expect(writes(hh)).toHaveLength(writesBefore);
    expect(hh.sim.calls.filter((call) => call.edge === 'adsets')).toHaveLength(1); // not even listed
    expect(hh.printed.at(-1)).toMatch(/Campaign Veterans: HELD — demand would drop 4 of the 6 states/);

    // A held campaign has not completed: the next run still compares with the 6 states and holds again.
    const again = await hh.system.run({ dryRun: false });
    expect(again.campaigns[0]!.status).toBe('held');
    expect(writes(hh)).toHaveLength(writesBefore);

    const approved = await hh.system.run({ dryRun: false, campaigns: ['Veterans'], approve: ['Veterans'] });
    expect(approved.success).toBe(true);
    expect(approved.campaigns[0]).toMatchObject({ status: 'completed', activeStates: ['CA', 'TX'] });
    expect(approved.campaigns[0]!.counts.updated).toBe(2);
    expect(writes(hh)).toHaveLength(writesBefore + 2);

    // The approved run is now the last completed one: the same two states pass on their own.
    const after = await hh.system.run({ dryRun: false });
    expect(after.campaigns[0]).toMatchObject({ status: 'completed' });
    expect(after.campaigns[0]!.counts.unchanged).toBe(2);
  });

  it('show the hold in a dry run, compared with the last live run', async () => {
    const hh = await harness();
    await hh.system.run({ dryRun: false });
    hh.sim.state.closrtech.campaigns.VET = { CA: 5, TX: 4 };
    const dry = await hh.system.run({ dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.campaigns[0]).toMatchObject({ status: 'held', activeStates: ['CA', 'TX'] });
    expect(dry.success).toBe(false);
  });

  it('hold a campaign whose demand maps to fewer than minStates, with no earlier run', async () => {
    const strict = { ...VET, guardrails: { minStates: 7, maxDropPercent: 50 } };
    const hh = await harness([strict]);
    const report = await hh.system.run({ dryRun: false });
    expect(report.campaigns[0]).toMatchObject({ status: 'held' });
    expect(report.campaigns[0]!.holdReason).toMatch(
      /maps to 6 states \(CA, FL, NY, OH, TX, WA\), fewer than the minimum of 7/,
    );
    expect(writes(hh)).toHaveLength(0);
  });

  it('only the approved campaign passes its guardrails', async () => {
    const MTG = campaign({
      name: 'Mortgage',
      closrtechCampaign: 'MTG',
      adAccountId: 'act_2',
      facebookCampaignIds: ['9002'],
      protection: false,
      guardrails: { minStates: 5, maxDropPercent: 50 },
    });
    const strict = { ...VET, guardrails: { minStates: 7, maxDropPercent: 50 } };
    const hh = await harness([strict, MTG]);
    const report = await hh.system.run({ dryRun: true, approve: ['Veterans'] });
    expect(report.campaigns.map((c) => [c.name, c.status])).toEqual([
      ['Veterans', 'completed'],
      ['Mortgage', 'held'],
    ]);
  });
});
