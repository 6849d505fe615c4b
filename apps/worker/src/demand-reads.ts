import { errorMessage, planRegions, scrubSecrets, type Demand, type RegionPlan } from '@closrads/core';
import type { WorkerDeps } from './deps';

export type DemandRead = { ok: true; demand: Demand; plan: RegionPlan } | { ok: false; reason: string };

/**
 * Reads one campaign's demand and maps it to regions, with the validation and fail-safes of a run
 * (bad data, all zeros, refused: not ok). Every answer is noted: per-state demand in the history,
 * good and bad reads in the counters behind /metrics. Noting never fails the read.
 */
export async function readDemand(
  deps: WorkerDeps,
  campaign: { name: string; closrtechCampaign: string },
): Promise<DemandRead> {
  let demand: Demand | undefined;
  let read: DemandRead;
  try {
    demand = await deps.closrtech.fetchDemand(campaign.closrtechCampaign);
    read = { ok: true, demand, plan: planRegions(demand, deps.regions) };
  } catch (err) {
    // The reason reaches reports, logs and job results: an echo of a credential must not.
    read = { ok: false, reason: scrubSecrets(errorMessage(err), deps.secrets) };
  }
  try {
    if (demand) await deps.demandHistory.record(campaign.name, demand);
    await deps.demandStats.recordRead(campaign.name, read.ok);
  } catch (err) {
    deps.logger.warn({ campaign: campaign.name, err: errorMessage(err) }, 'could not note the demand read');
  }
  return read;
}
