import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript } from '@closrads/test-support/cli';
import { stateKeysOf, type RunReport } from '@closrads/core';
import type { Scenario } from '@closrads/simulator';
import { campaign, startHarness, type Harness, type HarnessOptions } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario, keyOf } from '@closrads/test-support/scenarios';

const VET = campaign({
  name: 'Veterans',
  closrtechCampaign: 'VET',
  adAccountId: 'act_1',
  facebookCampaignIds: ['9001'],
});

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(scenario: Scenario = baseScenario(), extra: Partial<HarnessOptions> = {}) {
  h = await startHarness({
    scenario,
    campaigns: [VET],
    closrtechCredentials: CREDENTIALS,
    accessToken: TOKEN,
    ...extra,
  });
  return h;
}

const adsetOf = (r: RunReport, id: string) => r.campaigns[0]!.adsets.find((a) => a.id === id)!;
const stateKeys = (hh: Harness, id: string) => stateKeysOf(hh.sim.state.adsets[id]!.targeting).sort();
const writesTo = (hh: Harness, id: string) =>
  hh.sim.calls.filter((c) => c.method === 'POST' && c.objectId === id && c.body.targeting !== undefined);

/** Edits an ad set as a person in Ads Manager would: through the Graph API, the whole targeting. */
async function editInAdsManager(
  hh: Harness,
  id: string,
  change: (t: Record<string, unknown>) => Record<string, unknown>,
) {
  const form = new URLSearchParams({
    access_token: TOKEN,
    targeting: JSON.stringify(change(structuredClone(hh.sim.state.adsets[id]!.targeting))),
  });
  expect((await fetch(`${hh.sim.graphUrl}/v25.0/${id}`, { method: 'POST', body: form })).status).toBe(200);
}

describe('undo', () => {
  it('puts back only the states, onto the targeting as it is now, as a run of its own', async () => {
    const hh = await harness();
    const before = stateKeys(hh, '201');
    const run = await hh.system.run({ dryRun: false });
    expect(adsetOf(run, '201').outcome).toBe('updated');
    expect(stateKeys(hh, '201')).not.toEqual(before);
    // A person narrows the ages afterwards: the undo must keep that.
    await editInAdsManager(hh, '201', (t) => ({ ...t, age_max: 44 }));

    const undo = await hh.system.run({ dryRun: false, trigger: 'undo', undoOf: run.runId });
    expect(undo).toMatchObject({ trigger: 'undo', undoOf: run.runId, dryRun: false });
    const a = adsetOf(undo, '201');
    expect(a.outcome).toBe('updated');
    expect(a.added).toEqual(['NY']);
    expect(a.removed).toEqual(['CA', 'TX']);
    expect(stateKeys(hh, '201')).toEqual(before);
    expect(hh.sim.state.adsets['201']!.targeting.age_max).toBe(44);
    // Only what the run changed is undone: the ad set it found in step is not in the undo at all.
    expect(undo.campaigns[0]!.adsets.map((x) => x.id)).toEqual(['201']);
  });

  it('leaves an ad set whose states changed since alone: skipped_changed, nothing written', async () => {
    const hh = await harness();
    const run = await hh.system.run({ dryRun: false });
    await editInAdsManager(hh, '201', (t) => ({
      ...t,
      geo_locations: { ...(t.geo_locations as object), regions: [{ key: keyOf('WA') }] },
    }));
    const writes = writesTo(hh, '201').length;

    const undo = await hh.system.run({ dryRun: false, trigger: 'undo', undoOf: run.runId });
    expect(adsetOf(undo, '201')).toMatchObject({
      outcome: 'skipped_changed',
      reason: expect.stringMatching(/changed after run/),
    });
    expect(writesTo(hh, '201')).toHaveLength(writes);
    expect(stateKeys(hh, '201')).toEqual([keyOf('WA')]);
    expect(undo.success).toBe(true);
  });

  it('a dry undo shows what it would do and writes nothing', async () => {
    const hh = await harness();
    const run = await hh.system.run({ dryRun: false });
    const after = stateKeys(hh, '201');
    const writes = hh.sim.calls.filter((c) => c.method === 'POST').length;
    const undo = await hh.system.run({ dryRun: true, trigger: 'undo', undoOf: run.runId });
    expect(adsetOf(undo, '201')).toMatchObject({ outcome: 'would_update', added: ['NY'], removed: ['CA', 'TX'] });
    expect(hh.sim.calls.filter((c) => c.method === 'POST')).toHaveLength(writes);
    expect(stateKeys(hh, '201')).toEqual(after);
  });

  it('undoes nothing of a dry run: its campaigns are aborted with the reason', async () => {
    const hh = await harness();
    const dry = await hh.system.run({ dryRun: true });
    const undo = await hh.system.run({ dryRun: false, trigger: 'undo', undoOf: dry.runId });
    expect(undo.campaigns[0]).toMatchObject({ status: 'aborted', abortReason: expect.stringMatching(/was a dry run/) });
    expect(hh.sim.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});

describe('pnpm undo', () => {
  it('exits 2 for a run id that is unknown or a dry run, and without one; prints the undo run id for a live run', async () => {
    const hh = await harness();
    const dir = mkdtempSync(join(tmpdir(), 'closrads-undo-'));
    try {
      const campaignsFile = join(dir, 'campaigns.json');
      writeFileSync(campaignsFile, JSON.stringify({ campaigns: [VET] }));
      const env = { REDIS_URL: hh.redisUrl, QUEUE_PREFIX: hh.prefix, CAMPAIGNS_FILE: campaignsFile, DRY_RUN: 'true' };
      const dry = await hh.system.run({ dryRun: true });
      const live = await hh.system.run({ dryRun: false });

      const unknown = await runScript('apps/scheduler/src/undo.ts', ['r-20200101-000000-dead'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/not in the stored run history/);
      const ofDry = await runScript('apps/scheduler/src/undo.ts', [dry.runId], env);
      expect(ofDry.code).toBe(2);
      expect(ofDry.stderr).toMatch(/was a dry run/);
      expect((await runScript('apps/scheduler/src/undo.ts', [], env)).code).toBe(2);
      expect((await runScript('apps/scheduler/src/undo.ts', [live.runId, '--campaign', 'Nope'], env)).code).toBe(2);

      const ok = await runScript('apps/scheduler/src/undo.ts', [live.runId, '--dry-run', '--wait', '--json'], env);
      expect(ok.code).toBe(0);
      const report = JSON.parse(ok.stdout) as RunReport;
      expect(report).toMatchObject({ trigger: 'undo', undoOf: live.runId, dryRun: true });
      expect(adsetOf(report, '201').outcome).toBe('would_update');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('undo and the demand checks', () => {
  it('an undo leaves the campaign’s last completed run as it was, so a check does not re-apply the same demand', async () => {
    const hh = await harness();
    const run = await hh.system.run({ dryRun: false });
    const before = await hh.system.deps.campaignState.lastCompleted('Veterans', 'live');
    expect(before?.runId).toBe(run.runId);
    await hh.system.run({ dryRun: false, trigger: 'undo', undoOf: run.runId });
    expect((await hh.system.deps.campaignState.lastCompleted('Veterans', 'live'))?.runId).toBe(run.runId);
  });
});
