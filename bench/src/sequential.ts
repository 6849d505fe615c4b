/**
 * The original tool's algorithm, as the baseline: one campaign after another, one ad set after
 * another, plain `fetch`, no queue. For each campaign: read demand, list its ad sets (page by page),
 * then for each ad set: compare, [protection: list ads, stop if one is broken], write,
 * [protection: republish each active ad, wait the verify delay, list ads again, roll back if one
 * broke]. A throttled call waits the time Meta names and is sent again (as the tool would have to).
 *
 * With `sample`, it stops after that many ad sets needing a change have been processed and extrapolates the rest
 * linearly (per ad set time measured on the sample, per campaign overhead measured on the campaigns
 * done); the result says so.
 */
import {
  adsToRepublish,
  brokenAds,
  classifyGraphError,
  parseDemandBody,
  planRegions,
  regionKeysOf,
  sameRegionKeys,
  withRegions,
  type Campaign,
  type RegionTable,
  type Targeting,
} from '@closrads/core';

export interface SequentialOptions {
  closrtechUrl: string;
  graphUrl: string;
  campaigns: Campaign[];
  regions: RegionTable;
  accessToken?: string;
  closrtech?: { email: string; password: string };
  verifyDelayMs: number;
  /** Stop after this many ad sets (then extrapolate). */
  sampleAdsets?: number;
  /** Stop once this much time has passed (then extrapolate), ms. */
  sampleBudgetMs?: number;
  /** Total active ad sets (needed to extrapolate; the sample does not list everything). */
  totalAdsets: number;
  apiVersion?: string;
  pageSize?: number;
}

export interface SequentialResult {
  /** measured wall time of what was done, ms */
  measuredMs: number;
  /** measured, or extrapolated to every ad set when the run stopped on the sample */
  wallMs: number;
  extrapolated: boolean;
  adsetsDone: number;
  campaignsDone: number;
  updated: number;
  unchanged: number;
  skipped: number;
  reverted: number;
  failed: number;
  reads: number;
  writes: number;
  throttled: number;
}

interface ListedAdset {
  id: string;
  effective_status: string;
  targeting: Targeting;
}
interface ListedAd {
  id: string;
  name: string;
  status: string;
  effective_status: string;
  issues_info?: Array<{ error_code?: number; error_summary?: string; error_message?: string }>;
}

class StopSample extends Error {}

export async function runSequential(opts: SequentialOptions): Promise<SequentialResult> {
  const version = opts.apiVersion ?? 'v25.0';
  const token = opts.accessToken ?? 'sim-token';
  const creds = opts.closrtech ?? { email: 'bench@example.com', password: 'bench-password' };
  const pageSize = opts.pageSize ?? 100;
  const out: SequentialResult = {
    measuredMs: 0,
    wallMs: 0,
    extrapolated: false,
    adsetsDone: 0,
    campaignsDone: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    reverted: 0,
    failed: 0,
    reads: 0,
    writes: 0,
    throttled: 0,
  };
  const t0 = performance.now();
  /** time spent on per-campaign work (demand + listing), ms */
  let campaignOverheadMs = 0;
  let adsetMs = 0;

  const graph = async (
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> => {
    for (;;) {
      const url = new URL(`${opts.graphUrl}/${version}/${path}`);
      let init: RequestInit = { method };
      if (method === 'GET') {
        for (const [k, v] of Object.entries({ ...params, access_token: token })) url.searchParams.set(k, v);
        out.reads++;
      } else {
        init = { method, body: new URLSearchParams({ ...params, access_token: token }) };
        out.writes++;
      }
      const res = await fetch(url, init);
      const body = (await res.json()) as Record<string, unknown>;
      const error = body.error as { code?: number; error_subcode?: number; is_transient?: boolean } | undefined;
      if (!error) return body;
      const errorClass = classifyGraphError({
        code: error.code,
        subcode: error.error_subcode,
        isTransient: error.is_transient,
        httpStatus: res.status,
      });
      if (errorClass !== 'throttle') throw new Error(`Graph ${method} ${path}: ${JSON.stringify(error)}`);
      out.throttled++;
      if (method === 'GET') out.reads--;
      else out.writes--;
      await sleep(throttleWaitS(res.headers) * 1000);
    }
  };
  const listAll = async <T>(path: string, fields: string): Promise<T[]> => {
    const items: T[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await graph('GET', path, { fields, limit: String(pageSize), ...(after ? { after } : {}) });
      items.push(...((page.data as T[] | undefined) ?? []));
      const paging = page.paging as { next?: string; cursors?: { after?: string } } | undefined;
      after = paging?.cursors?.after;
      if (!paging?.next || !after) return items;
    }
  };
  // The sample counts ad sets that needed a change (an unchanged one costs no call: no need to stop).
  const sampleOver = (): boolean =>
    (opts.sampleAdsets !== undefined && out.adsetsDone - out.unchanged >= opts.sampleAdsets) ||
    (opts.sampleBudgetMs !== undefined && performance.now() - t0 >= opts.sampleBudgetMs);

  try {
    for (const campaign of opts.campaigns.filter((c) => c.enabled)) {
      const c0 = performance.now();
      const demandUrl = new URL(opts.closrtechUrl);
      demandUrl.searchParams.set('campaign', campaign.closrtechCampaign);
      demandUrl.searchParams.set('email', creds.email);
      demandUrl.searchParams.set('pass', creds.password);
      const demandRes = await fetch(demandUrl);
      if (!demandRes.ok) throw new Error(`CLOSRTECH ${demandRes.status} for ${campaign.closrtechCampaign}`);
      const plan = planRegions(parseDemandBody(await demandRes.text()), opts.regions);
      const desiredKeys = plan.regions.map((r) => r.key);
      const adsets: ListedAdset[] = [];
      for (const fbCampaign of campaign.facebookCampaignIds) {
        const listed = await listAll<ListedAdset>(`${fbCampaign}/adsets`, 'id,name,effective_status,targeting');
        adsets.push(...listed.filter((a) => a.effective_status === 'ACTIVE'));
      }
      campaignOverheadMs += performance.now() - c0;

      for (const adset of adsets) {
        if (sampleOver() && !sameRegionKeys(regionKeysOf(adset.targeting), desiredKeys)) throw new StopSample();
        const a0 = performance.now();
        out.adsetsDone++;
        if (sameRegionKeys(regionKeysOf(adset.targeting), desiredKeys)) {
          out.unchanged++;
          adsetMs += performance.now() - a0;
          continue;
        }
        const next = withRegions(adset.targeting, plan.regions);
        let ads: ListedAd[] = [];
        if (campaign.protection) {
          ads = await listAll<ListedAd>(`${adset.id}/ads`, 'id,name,status,effective_status,issues_info');
          if (brokenAds(ads).length > 0) {
            out.skipped++;
            adsetMs += performance.now() - a0;
            continue;
          }
        }
        await graph('POST', adset.id, { targeting: JSON.stringify(next) });
        if (campaign.protection) {
          for (const id of adsToRepublish(ads)) await graph('POST', id, { status: 'ACTIVE' });
          await sleep(opts.verifyDelayMs);
          const after = await listAll<ListedAd>(`${adset.id}/ads`, 'id,name,status,effective_status,issues_info');
          if (brokenAds(after).length > 0) {
            await graph('POST', adset.id, { targeting: JSON.stringify(adset.targeting) });
            out.reverted++;
            adsetMs += performance.now() - a0;
            continue;
          }
        }
        out.updated++;
        adsetMs += performance.now() - a0;
      }
      out.campaignsDone++;
    }
  } catch (err) {
    if (!(err instanceof StopSample)) throw err;
  }
  out.measuredMs = performance.now() - t0;
  out.wallMs = out.measuredMs;
  if (out.adsetsDone < opts.totalAdsets) {
    // Linear extrapolation: the ad sets not done at the measured per ad set time, plus the demand and
    // listing of the campaigns not reached at the measured per campaign time.
    const enabled = opts.campaigns.filter((c) => c.enabled).length;
    const reached = out.campaignsDone + 1;
    const perAdset = out.adsetsDone > 0 ? adsetMs / out.adsetsDone : 0;
    const perCampaign = campaignOverheadMs / Math.max(1, reached);
    out.wallMs =
      out.measuredMs + (opts.totalAdsets - out.adsetsDone) * perAdset + Math.max(0, enabled - reached) * perCampaign;
    out.extrapolated = true;
  }
  return out;
}

/**
 * How long a throttled call waits before it is sent again, as Meta's headers say: the BUC header's
 * minutes to regain access (sent alone by Meta's current docs), else X-Ad-Account-Usage's reset
 * seconds, at least 1 s. Sending again sooner only extends a block.
 */
function throttleWaitS(headers: Headers): number {
  const account = JSON.parse(headers.get('x-ad-account-usage') ?? '{}') as { reset_time_duration?: number };
  const buc = JSON.parse(headers.get('x-business-use-case-usage') ?? '{}') as Record<
    string,
    Array<{ estimated_time_to_regain_access?: number }>
  >;
  const minutes = Math.max(
    0,
    ...Object.values(buc).flatMap((entries) => entries.map((e) => Number(e.estimated_time_to_regain_access) || 0)),
  );
  return Math.max(1, minutes * 60, account.reset_time_duration ?? 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
