import { GraphApiError, errorMessage, type Campaign, type GraphClient } from '@closrads/core';
import type { CheckResult } from './api-versions';

/**
 * One configured Facebook campaign: it exists, the token reaches it, and it belongs to the campaign's
 * ad account. This reads the campaign node, a Marketing API call, so it also proves the configured
 * version still serves the Marketing API (a Graph-only call such as debug_token would not).
 */
export async function checkFacebookCampaign(
  graph: Pick<GraphClient, 'getCampaign'>,
  campaign: Campaign,
  facebookCampaignId: string,
): Promise<CheckResult> {
  let found;
  try {
    found = await graph.getCampaign(facebookCampaignId);
  } catch (err) {
    if (err instanceof GraphApiError && err.code === 100 && err.subcode === 33) {
      return {
        status: 'fail',
        detail: `Facebook campaign ${facebookCampaignId} does not exist, or the token cannot see it: check facebookCampaignIds in the campaigns file and the System User's access`,
      };
    }
    throw new Error(errorMessage(err));
  }
  const expected = campaign.adAccountId.replace(/^act_/, '');
  const actual = found.account_id?.replace(/^act_/, '');
  if (actual === undefined) {
    return {
      status: 'warn',
      detail: `Facebook campaign ${facebookCampaignId} (${found.name ?? 'no name'}) is reachable, but Meta did not say which ad account it belongs to`,
    };
  }
  if (actual !== expected) {
    return {
      status: 'fail',
      detail: `Facebook campaign ${facebookCampaignId} (${found.name ?? 'no name'}) belongs to ad account act_${actual}, not ${campaign.adAccountId}: fix adAccountId or facebookCampaignIds`,
    };
  }
  const status = found.effective_status ? `, ${found.effective_status}` : '';
  return {
    status: 'pass',
    detail: `Facebook campaign ${facebookCampaignId} (${found.name ?? 'no name'}${status}) in ${campaign.adAccountId}`,
  };
}
