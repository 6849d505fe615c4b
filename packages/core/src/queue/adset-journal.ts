import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { RunChange } from '../domain/undo';
import type { AdsetWatch, WatchResult } from '../domain/watch';
import type { AdsetResult } from '../report/types';
import { RUN_RETENTION_S } from '../report/run-store';
import { AdsetJobResult } from './jobs';
import { KEY_TTL_S, type Keyspace } from './keys';
import { runLua } from './lua-script';

/**
 * Everything the product keeps in Redis about one ad set's change: the journal entry (what was read,
 * what is written, where its protection stands), the watch schedule of its Facebook campaign, and the
 * run-side records the report and undo read. All of it lives here, with its schema and lifetime.
 *
 * The journal entry is also the ad set's "one change at a time" lock: a run may write an ad set only
 * after claiming its entry, and a claim fails while another run's change is not done.
 */

/** A change is kept well past its watch (WATCH_MS is at most a week) so a late look can still read it. */
export const JOURNAL_TTL_S = KEY_TTL_S.journal;

const RegionEntrySchema = z.record(z.string(), z.unknown());
const AdIssueSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  effectiveStatus: z.string(),
  issue: z.string(),
  errorCode: z.number().optional(),
});
const WatchResultSchema = z.looseObject({
  outcome: z.enum(['updated', 'reverted', 'failed']),
  review: z.enum(['pending', 'passed']).optional(),
  ads: z.array(AdIssueSchema).optional(),
  error: z.string().optional(),
  needsAttention: z.boolean().optional(),
  rolledBack: z.boolean().optional(),
});
export const AdsetWatchSchema = z.looseObject({
  runId: z.string(),
  campaign: z.string(),
  adsetId: z.string(),
  adsetName: z.string(),
  facebookCampaignId: z.string(),
  adAccountId: z.string(),
  protection: z.boolean(),
  phase: z.enum(['writing', 'unsure', 'watching', 'healing', 'restoring', 'restored', 'done']),
  beforeStates: z.array(RegionEntrySchema),
  afterKeys: z.array(z.string()),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  warnings: z.array(z.string()),
  claimedAt: z.number(),
  writtenAt: z.number().optional(),
  watchUntil: z.number().optional(),
  nextLookAt: z.number().optional(),
  looks: z.number(),
  firstLookAt: z.number().optional(),
  republished: z.array(z.string()).optional(),
  restoreAttempts: z.number(),
  result: WatchResultSchema.optional(),
}) satisfies z.ZodType<AdsetWatch>;

/**
 * What planning stored for an ad set it will change (hash `listedTargeting(runId)`): its targeting and
 * ads as the listing showed them, and when they were read. Kept a day: a job that runs later reads the
 * ad set again anyway (with the rest of its listing page, in one call).
 */
export const ListedAdsetSchema = z.object({
  targeting: z.record(z.string(), z.unknown()),
  ads: z
    .array(z.looseObject({ id: z.string(), name: z.string(), status: z.string(), effective_status: z.string() }))
    .optional(),
  readAt: z.number(),
  /** The listing page it came in (cursor and size), so a job that finds this copy stale re-reads the page. */
  page: z.object({ after: z.string().optional(), limit: z.number() }).optional(),
});
export type ListedAdset = z.output<typeof ListedAdsetSchema>;
export const LISTED_TTL_S = KEY_TTL_S.listed;

/** What a run changed on one ad set, kept with the run's history (undo reads it). */
export const RunChangeSchema = z.object({
  before: z.array(z.string()),
  after: z.array(z.string()),
}) satisfies z.ZodType<RunChange>;

/** An entry as stored, or undefined when there is none (or one this version cannot read). */
export function parseAdsetWatch(raw: string | null | undefined): AdsetWatch | undefined {
  if (raw === null || raw === undefined) return undefined;
  const parsed = AdsetWatchSchema.safeParse(JSON.parse(raw));
  // An entry this version cannot read is treated as absent rather than crashing every job on the ad set.
  return parsed.success ? parsed.data : undefined;
}

/**
 * Sets the entry unless a change is not done; returns that change's entry (this run's own or another's).
 * With a run change (ARGV 4-6: run changes key's field, JSON, TTL; KEYS[2] the run's changes), records
 * it when the ad set is, or already was, this run's: the claim and what it will change in one call.
 */
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local entry = cjson.decode(cur)
  if entry.phase ~= 'done' then
    if KEYS[2] and entry.runId == ARGV[1] then
      redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
      redis.call('EXPIRE', KEYS[2], ARGV[6])
    end
    return cur
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if KEYS[2] then
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
return false`;

/** Replaces the entry only while it still belongs to the given run. */
const SAVE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
if cjson.decode(cur).runId ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

/** Drops the campaign's watch job id when nothing is left to watch, so the next change starts a new job. */
const RETIRE = `
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
return 1`;

/** Swaps the campaign's watch job id if nobody changed it meanwhile. */
const SWAP = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

export type ClaimResult =
  | { claimed: true; entry: AdsetWatch }
  | { claimed: false; resumed: AdsetWatch }
  | { claimed: false; heldBy: AdsetWatch };

export class AdsetJournal {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async get(adsetId: string): Promise<AdsetWatch | undefined> {
    return parseAdsetWatch(await this.redis.get(this.keys.adsetJournal(adsetId)));
  }

  /** The entries of several ad sets in one round trip (the watch's due ad sets), in the same order. */
  async getMany(adsetIds: readonly string[]): Promise<Array<AdsetWatch | undefined>> {
    if (adsetIds.length === 0) return [];
    const raws = await this.redis.mget(...adsetIds.map((id) => this.keys.adsetJournal(id)));
    return raws.map(parseAdsetWatch);
  }

  /**
   * Claims the ad set for this change. Returns the run's own entry when it already claimed it (a
   * resumed job), or the entry of the other run whose change is still under way. With `change`, what
   * the run changes on the ad set is recorded with the claim (as recordRunChange does) when the ad set
   * is this run's, in the same call.
   */
  async claim(entry: AdsetWatch, change?: RunChange): Promise<ClaimResult> {
    const journalKey = this.keys.adsetJournal(entry.adsetId);
    const args = [entry.runId, JSON.stringify(entry), String(JOURNAL_TTL_S)];
    const raw = (
      change
        ? await runLua(
            this.redis,
            CLAIM,
            2,
            journalKey,
            this.keys.runChanges(entry.runId),
            ...args,
            entry.adsetId,
            JSON.stringify(change),
            String(RUN_RETENTION_S),
          )
        : await runLua(this.redis, CLAIM, 1, journalKey, ...args)
    ) as string | null;
    if (raw === null) return { claimed: true, entry };
    const existing = parseAdsetWatch(raw);
    if (!existing) {
      await this.forceWrite(entry);
      if (change) await this.recordRunChange(entry.runId, entry.adsetId, change);
      return { claimed: true, entry };
    }
    return existing.runId === entry.runId
      ? { claimed: false, resumed: existing }
      : { claimed: false, heldBy: existing };
  }

  private async forceWrite(entry: AdsetWatch): Promise<AdsetWatch> {
    await this.redis.set(this.keys.adsetJournal(entry.adsetId), JSON.stringify(entry), 'EX', JOURNAL_TTL_S);
    return entry;
  }

  /** Stores the entry if it still belongs to its run; false when another run took the ad set over. */
  async save(entry: AdsetWatch): Promise<boolean> {
    return (
      (await runLua(
        this.redis,
        SAVE,
        1,
        this.keys.adsetJournal(entry.adsetId),
        entry.runId,
        JSON.stringify(entry),
        String(JOURNAL_TTL_S),
      )) === 1
    );
  }

  /** Records what the run changed (before / after state region keys), kept as long as the run's history. */
  async recordRunChange(runId: string, adsetId: string, change: RunChange): Promise<void> {
    const key = this.keys.runChanges(runId);
    await this.redis.multi().hset(key, adsetId, JSON.stringify(change)).expire(key, RUN_RETENTION_S).exec();
  }

  async runChanges(runId: string): Promise<Map<string, RunChange>> {
    const all = await this.redis.hgetall(this.keys.runChanges(runId));
    const out = new Map<string, RunChange>();
    for (const [id, raw] of Object.entries(all)) {
      const parsed = RunChangeSchema.safeParse(JSON.parse(raw));
      if (parsed.success) out.set(id, parsed.data);
    }
    return out;
  }

  /** Puts the ad set on its campaign's watch schedule (and on its run's list of open watches). */
  async schedule(entry: AdsetWatch, at: number): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.keys.watchDue(entry.facebookCampaignId), at, entry.adsetId)
      .sadd(this.keys.runWatching(entry.runId), entry.adsetId)
      .expire(this.keys.runWatching(entry.runId), RUN_RETENTION_S)
      .exec();
  }

  /** Takes the ad set off the watch; returns how many watches of its run remain open. */
  async unschedule(entry: AdsetWatch): Promise<number> {
    const replies = await this.redis
      .multi()
      .zrem(this.keys.watchDue(entry.facebookCampaignId), entry.adsetId)
      .srem(this.keys.runWatching(entry.runId), entry.adsetId)
      .scard(this.keys.runWatching(entry.runId))
      .exec();
    return Number(replies?.[2]?.[1] ?? 0);
  }

  /** Ad sets of the campaign whose look is due by `now`, and when the next one after those is due. */
  async due(facebookCampaignId: string, now: number): Promise<{ due: string[]; nextAt?: number }> {
    const key = this.keys.watchDue(facebookCampaignId);
    const [due, next] = await Promise.all([
      this.redis.zrangebyscore(key, '-inf', now),
      this.redis.zrangebyscore(key, `(${now}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
    ]);
    return { due, nextAt: next[1] !== undefined ? Number(next[1]) : undefined };
  }

  async watchJobId(facebookCampaignId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.watchJob(facebookCampaignId))) ?? undefined;
  }

  /** Replaces the campaign's watch job id (`from` is what was read; undefined = none). */
  async swapWatchJob(facebookCampaignId: string, from: string | undefined, to: string): Promise<boolean> {
    return (
      (await runLua(
        this.redis,
        SWAP,
        1,
        this.keys.watchJob(facebookCampaignId),
        from ?? '',
        to,
        String(JOURNAL_TTL_S),
      )) === 1
    );
  }

  /** Lets the watch job end when the campaign has nothing left to watch; false when something was added. */
  async retireWatchJob(facebookCampaignId: string, jobId: string): Promise<boolean> {
    return (
      (await runLua(
        this.redis,
        RETIRE,
        2,
        this.keys.watchDue(facebookCampaignId),
        this.keys.watchJob(facebookCampaignId),
        jobId,
      )) === 1
    );
  }

  /** The watch's latest word on an ad set of a run, read by the run's report. */
  async recordResult(runId: string, adsetId: string, line: AdsetResult & { campaign: string }): Promise<void> {
    const key = this.keys.runWatchResults(runId);
    await this.redis.multi().hset(key, adsetId, JSON.stringify(line)).expire(key, RUN_RETENTION_S).exec();
  }

  async forgetResult(runId: string, adsetId: string): Promise<void> {
    await this.redis.hdel(this.keys.runWatchResults(runId), adsetId);
  }

  async results(runId: string): Promise<Map<string, AdsetResult & { campaign: string }>> {
    const all = await this.redis.hgetall(this.keys.runWatchResults(runId));
    // Parsed, not cast: a line that does not read (another version's) is left out, and the ad set
    // keeps the line its own job gave.
    const lines = Object.entries(all).flatMap(([id, raw]) => {
      const parsed = AdsetJobResult.safeParse(parseJson(raw));
      return parsed.success ? [[id, parsed.data] as const] : [];
    });
    return new Map(lines);
  }
}

/** The report line of an ad set from its journal entry. */
export function resultLine(entry: AdsetWatch, result: WatchResult): AdsetResult & { campaign: string } {
  return {
    campaign: entry.campaign,
    id: entry.adsetId,
    name: entry.adsetName,
    facebookCampaignId: entry.facebookCampaignId,
    outcome: result.outcome,
    added: entry.added,
    removed: entry.removed,
    ...(result.outcome === 'updated' && entry.protection && result.review ? { review: result.review } : {}),
    ...(result.ads && result.ads.length > 0 ? { ads: result.ads } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.needsAttention ? { needsAttention: true } : {}),
    ...(result.rolledBack !== undefined && result.outcome !== 'updated' ? { rolledBack: result.rolledBack } : {}),
    ...(entry.warnings.length > 0 ? { warnings: entry.warnings } : {}),
  };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
