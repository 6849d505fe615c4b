import { afterEach, describe, expect, it } from 'vitest';
import { JOB_NAMES, jobOptions } from '@closrads/core';
import { QueueEvents } from 'bullmq';
import { campaign, startHarness, type Harness } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario } from '@closrads/test-support/scenarios';

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

/**
 * Two watch jobs of one Facebook campaign can exist for a moment (ensureWatcher replaces an id whose
 * job it cannot find yet). The one no longer named the campaign's watch job must end once nothing is
 * due, not loop for ever on a retire that can never succeed (it used to, hogging a watch slot and
 * Redis).
 */
describe('a watch job taken over by another', () => {
  it('ends when nothing is due and the campaign names another watch job', async () => {
    h = await startHarness({
      scenario: baseScenario(),
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
    });
    const { deps } = h.system;
    await deps.redis.set(deps.keys.watchJob('9001'), 'watch-9001-the-newer-one');
    const events = new QueueEvents(deps.queues.watchAds.name, {
      connection: deps.redis.duplicate(),
      prefix: deps.keys.bullPrefix,
    });
    try {
      await events.waitUntilReady();
      const job = await deps.queues.watchAds.add(
        JOB_NAMES.watchCampaign,
        { facebookCampaignId: '9001', adAccountId: 'act_1' },
        { ...jobOptions(deps.timing).watchAds, jobId: 'watch-9001-the-older-one' },
      );
      expect(await job.waitUntilFinished(events, 20_000)).toEqual({ retired: true });
      // The newer one keeps the campaign.
      expect(await deps.redis.get(deps.keys.watchJob('9001'))).toBe('watch-9001-the-newer-one');
    } finally {
      await events.close();
    }
  });
});
