import {
  GraphApiError,
  LISTED_TTL_S,
  expandedAdsComplete,
  sameRegionKeys,
  stateKeysOf,
  type Adset,
  type GraphClient,
  type Keyspace,
  type ListedAdset,
  type Logger,
  type PageRef,
  type RegionTable,
} from '@closrads/core';
import type { Redis } from 'ioredis';

/** The listing's copy of an ad set is written from only this soon after it was read. */
export const FRESH_READ_MS = 5_000;

/** What a job says of itself to have its listing page read again. */
export interface PageReadRequest {
  runId: string;
  facebookCampaignId: string;
  adAccountId: string;
  adsetId: string;
  /** The states the run plans: only ad sets still differing from them are shared through Redis. */
  regionKeys: readonly string[];
}

interface PageRead {
  startedAt: number;
  adsets: Promise<Map<string, ListedAdset>>;
}

interface Deps {
  graph: GraphClient;
  redis: Redis;
  keys: Keyspace;
  regions: RegionTable;
  logger: Logger;
}

/**
 * Reads a stale listing again by the page, not by the ad set. A job whose copy is older than the
 * freshness window asks for the page its ad set was listed in (same cursor, same size): one call
 * brings up to a page of ad sets with their ads, as fresh as a read of the ad set alone would be. The
 * jobs of this process that ask for the same page while that read is fresh share it (one call), and
 * the copies still needed are written back to the run's listed hash, so the jobs of other workers find
 * them fresh too. What the page does not hold (an ad set moved, a cursor gone), and any failure that is
 * not Meta's throttling or a rejected token, is left to a read of the ad set alone.
 */
export class ListedPageReader {
  private readonly reads = new Map<string, PageRead>();

  constructor(
    private readonly deps: Deps,
    readonly freshReadMs: number = FRESH_READ_MS,
  ) {}

  /** The ad set as its page shows it now, or undefined when the page was not read or does not hold it. */
  async read(job: PageReadRequest, page: PageRef): Promise<ListedAdset | undefined> {
    const key = `${job.runId}\n${job.facebookCampaignId}\n${page.after ?? ''}\n${page.limit}`;
    const now = Date.now();
    this.forgetStale(now);
    let read = this.reads.get(key);
    if (!read || now - read.startedAt > this.freshReadMs) {
      const started: PageRead = { startedAt: now, adsets: this.fetch(job, page, now) };
      this.reads.set(key, started);
      // A failed read is not shared with the jobs that come next: they try again.
      started.adsets.catch(() => {
        if (this.reads.get(key) === started) this.reads.delete(key);
      });
      read = started;
    }
    try {
      return (await read.adsets).get(job.adsetId);
    } catch (err) {
      // Throttling parks the job and a rejected token fails the run's ad sets: those are the job's to handle.
      if (err instanceof GraphApiError && (err.errorClass === 'throttle' || err.errorClass === 'auth')) throw err;
      this.deps.logger.warn(
        { adsetId: job.adsetId, facebookCampaignId: job.facebookCampaignId, err: (err as Error).message },
        'listing page could not be read again; reading the ad set alone',
      );
      return undefined;
    }
  }

  private async fetch(job: PageReadRequest, page: PageRef, startedAt: number): Promise<Map<string, ListedAdset>> {
    const adsets = await this.deps.graph.getAdsetsPage(job.facebookCampaignId, page, { adAccountId: job.adAccountId });
    const out = new Map<string, ListedAdset>();
    // Read at the moment the call was sent: a write landing while the answer travels is not in it.
    for (const a of adsets) out.set(a.id, listedCopy(a, startedAt, page));
    const shared = adsets.filter(
      (a) =>
        a.effective_status === 'ACTIVE' && !sameRegionKeys(stateKeysOf(a.targeting, this.deps.regions), job.regionKeys),
    );
    if (shared.length > 0) {
      const listedKey = this.deps.keys.listedTargeting(job.runId);
      const fields = Object.fromEntries(shared.map((a) => [a.id, JSON.stringify(out.get(a.id))]));
      await this.deps.redis.multi().hset(listedKey, fields).expire(listedKey, LISTED_TTL_S).exec();
    }
    return out;
  }

  /** Page reads older than the window serve no job again: they are dropped, so memory stays at a few pages. */
  private forgetStale(now: number): void {
    for (const [key, read] of this.reads) if (now - read.startedAt > this.freshReadMs) this.reads.delete(key);
  }
}

/** An ad set as a listing brought it: the copy a job may write from while it is fresh. */
export function listedCopy(a: Adset, readAt: number, page?: PageRef): ListedAdset {
  return {
    targeting: a.targeting,
    ...(a.ads && expandedAdsComplete(a) ? { ads: a.ads.data } : {}),
    readAt,
    ...(page ? { page } : {}),
  };
}
