import {
  GraphApiError,
  TOKEN_REJECTED_REASON,
  TargetingConflictError,
  AppError,
  UpdateAdsetData,
  adsToRepublish,
  brokenAds,
  errorMessage,
  regionKeysOf,
  sameRegionKeys,
  scrubSecrets,
  withRegions,
  diffRegions,
  type AdsetResult,
  type Ad,
  type Targeting,
} from '@closrads/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { WorkerDeps } from '../deps';

/** The targeting copied from the listing is trusted only this soon after planning. */
export const FRESH_LISTING_MS = 30_000;
/** Lock lifetime for one read-modify-write (renewed across the verify wait). */
const LOCK_TTL_MS = 120_000;
/** Throttled answers an ad set may meet before it counts as failed. */
const MAX_THROTTLED = 25;
/** A reserved moment this close is waited for in the worker slot rather than in the delayed set. */
const INLINE_WAIT_MAX_MS = 100;
/** Wait before trying again when another job holds the ad set. */
const LOCK_BUSY_DELAY_MS = 1000;

export type AdsetJobResult = AdsetResult & { campaign: string };

/** Thrown inside the processor to park the job until `untilMs` without spending an attempt. */
class Park extends Error {
  constructor(
    readonly untilMs: number,
    readonly reason: string,
    readonly dataPatch: Partial<UpdateAdsetData> = {},
    readonly keepLock = false,
  ) {
    super(reason);
  }
}

/**
 * Brings one ad set's regions in line with demand. Protection (per campaign): pre-flight check of its
 * ads, republish after the write, verification after VERIFY_DELAY_MS in a delayed step of this job,
 * and rollback to the exact previous targeting when an ad broke. The worst outcome for an ad set is
 * "not updated today", never "left worse than before".
 */
export function createUpdateAdsetProcessor(deps: WorkerDeps) {
  return async (job: Job, token?: string): Promise<AdsetJobResult> => {
    const data = UpdateAdsetData.parse(job.data);
    const log = deps.logger.child({ job: job.name, jobId: job.id, runId: data.runId, adsetId: data.adsetId });
    const lockToken = job.id ?? `${data.runId}-${data.adsetId}`;
    const base = { campaign: data.campaign, id: data.adsetId, name: data.adsetName, facebookCampaignId: data.facebookCampaignId };
    const result = (outcome: AdsetResult['outcome'], extra: Partial<AdsetResult> = {}): AdsetJobResult => ({
      ...base,
      outcome,
      added: data.added,
      removed: data.removed,
      ...extra,
    });
    let holdsLock = false;
    let keepLock = false;
    /** Verification after VERIFY_DELAY_MS: waits in the delayed set, not in a worker slot, lock held. */
    const afterRepublish = async (next: UpdateAdsetData): Promise<AdsetJobResult> => {
      if (deps.worker.verifyDelayMs <= 0) return verifyStep(deps, next, result, log);
      await deps.locks.extend(data.adsetId, lockToken, deps.worker.verifyDelayMs + LOCK_TTL_MS);
      const patch = { step: next.step, republishedAdIds: next.republishedAdIds, added: next.added, removed: next.removed };
      throw new Park(Date.now() + deps.worker.verifyDelayMs, 'verify after republish', patch, true);
    };
    try {
      // Right after planning, an ad set whose regions already match costs nothing: no Redis, no Graph.
      const fresh = job.attemptsMade === 0 && data.throttled === 0 && data.step === 'update' && Date.now() - data.plannedAt < FRESH_LISTING_MS;
      if (fresh && data.added.length === 0 && data.removed.length === 0) return result('unchanged');

      if (!data.dryRun) {
        holdsLock = (await deps.locks.acquire(data.adsetId, LOCK_TTL_MS, lockToken)) !== undefined;
        if (!holdsLock) throw new Park(Date.now() + LOCK_BUSY_DELAY_MS, 'ad set busy in another job');
      }
      const state = await readAdsetState(deps, data);
      if (!data.dryRun && state.supersededBy) {
        log.info({ supersededBy: state.supersededBy }, 'a newer run owns this campaign; nothing written');
        return result('superseded', { supersededBy: state.supersededBy });
      }
      // Once the token was rejected in this run, the other ad sets fail without calling Meta again.
      if (state.tokenFailure) throw new UnrecoverableError(state.tokenFailure);

      // One reserved moment per job on its ad account's pace: a parked job comes back at its moment and
      // goes then, unless Meta paused the account in the meantime.
      const pace = await deps.pacer.acquire(data.adAccountId, { write: !data.dryRun, reservedAt: data.reservedAt });
      if (pace.reserved && pace.waitMs <= INLINE_WAIT_MAX_MS) {
        // A short wait costs less in this slot than a round trip through the delayed set.
        await sleep(pace.waitMs);
      } else if (pace.waitMs > 0) {
        const until = Date.now() + pace.waitMs;
        throw new Park(until, 'ad account paced', { reservedAt: pace.reserved ? until : undefined });
      }

      if (data.step === 'verify') return await verifyStep(deps, data, result, log, state.rolledBack);

      // An earlier attempt of this job recorded the targeting it was about to replace: its write may
      // have landed before the worker stopped, so read the ad set as it is now.
      const earlierAttempt = !data.dryRun && state.earlierAttempt;
      // The listed copy serves only right after planning and when nothing was written since the listing.
      const listedServes = fresh && !earlierAttempt && state.listed !== undefined && state.lastWriteAt < (data.listedAt ?? data.plannedAt);
      const current = listedServes ? state.listed! : (await deps.graph.getAdset(data.adsetId, { adAccountId: data.adAccountId })).targeting;
      const desired = data.regionKeys.map((key) => regionOf(deps, key));
      const ctx = { adAccountId: data.adAccountId };
      if (sameRegionKeys(regionKeysOf(current), data.regionKeys)) {
        if (!earlierAttempt) return result('unchanged', { added: [], removed: [] });
        // Our own write landed; finish its protection cycle so no ad it broke is left broken.
        log.warn('resuming after an interrupted attempt whose write had landed');
        if (!data.protection) return result('updated');
        const republished = await republish(deps, data, await deps.graph.listAds(data.adsetId, ctx), log);
        return await afterRepublish({ ...data, step: 'verify', republishedAdIds: republished });
      }
      // The earlier attempt already rolled this ad set back: never write and break its ads again.
      if (earlierAttempt && state.rolledBack) return result('reverted', { ads: state.rolledBack.ads, rolledBack: true });
      const diff = diffRegions(current, desired, deps.regions);
      const next = withRegions(current, desired);

      let ads: Ad[] = [];
      if (data.protection) {
        ads = await deps.graph.listAds(data.adsetId, ctx);
        const broken = brokenAds(ads);
        if (broken.length > 0) {
          log.warn({ ads: broken }, 'pre-flight found ads with issues; ad set skipped');
          return result('skipped_preflight', { ...diff, ads: broken });
        }
      }
      if (data.dryRun) return result('would_update', diff);

      await deps.redis
        .multi()
        .hset(deps.keys.previousTargeting(data.runId), data.adsetId, JSON.stringify(current))
        .expire(deps.keys.previousTargeting(data.runId), 35 * 24 * 3600)
        .exec();
      await deps.graph.updateTargeting(data.adsetId, next, ctx);
      await deps.redis.set(
        deps.keys.adsetLastWrite(data.adsetId),
        JSON.stringify({ runId: data.runId, keys: [...data.regionKeys].sort(), at: Date.now() }),
        'EX',
        7 * 24 * 3600,
      );
      log.info({ added: diff.added, removed: diff.removed }, 'ad set targeting updated');
      if (!data.protection) return result('updated', diff);

      const republished = await republish(deps, data, ads, log);
      return await afterRepublish({ ...data, step: 'verify', republishedAdIds: republished, added: diff.added, removed: diff.removed });
    } catch (err) {
      if (err instanceof Park) {
        keepLock = err.keepLock;
        if (!err.keepLock && holdsLock) {
          await deps.locks.release(data.adsetId, lockToken);
          holdsLock = false;
        }
        await job.updateData({ ...data, ...err.dataPatch });
        await job.moveToDelayed(err.untilMs, token);
        throw new DelayedError(err.reason);
      }
      throw await toJobError(deps, job, token, data, err, log);
    } finally {
      if (holdsLock && !keepLock) await deps.locks.release(data.adsetId, lockToken).catch(() => undefined);
    }
  };
}

interface AdsetState {
  /** A newer live run that planned this campaign. */
  supersededBy?: string;
  /** Set when the token was rejected earlier in this run. */
  tokenFailure?: string;
  /** This run already recorded the targeting it was about to replace (an earlier attempt wrote, or tried to). */
  earlierAttempt: boolean;
  /** The targeting copied from the listing, when still kept. */
  listed?: Targeting;
  /** When this product last wrote the ad set (0 if never or long ago). */
  lastWriteAt: number;
  /** The rollback this run made on the ad set, if the last write to it was one. */
  rolledBack?: { ads: AdsetResult['ads'] };
}

/** Everything Redis knows that decides what this job does, in one round trip. */
async function readAdsetState(deps: WorkerDeps, data: UpdateAdsetData): Promise<AdsetState> {
  const replies = await deps.redis
    .pipeline()
    .get(deps.keys.campaignOwner(data.campaign))
    .get(deps.keys.tokenFailure(data.runId))
    .hexists(deps.keys.previousTargeting(data.runId), data.adsetId)
    .hget(deps.keys.listedTargeting(data.runId), data.adsetId)
    .get(deps.keys.adsetLastWrite(data.adsetId))
    .exec();
  const value = (i: number): unknown => {
    const [err, v] = replies?.[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    return v;
  };
  const owner = typeof value(0) === 'string' ? (JSON.parse(value(0) as string) as { runId: string; plannedAt: number }) : undefined;
  const lastWrite =
    typeof value(4) === 'string' ? (JSON.parse(value(4) as string) as { runId?: string; at?: number; rollback?: boolean; ads?: AdsetResult['ads'] }) : undefined;
  return {
    supersededBy: owner && owner.runId !== data.runId && owner.plannedAt > data.plannedAt ? owner.runId : undefined,
    tokenFailure: typeof value(1) === 'string' ? (value(1) as string) : undefined,
    earlierAttempt: value(2) === 1,
    listed: typeof value(3) === 'string' ? (JSON.parse(value(3) as string) as Targeting) : undefined,
    lastWriteAt: lastWrite?.at ?? 0,
    rolledBack: lastWrite?.runId === data.runId && lastWrite.rollback ? { ads: lastWrite.ads ?? [] } : undefined,
  };
}

function regionOf(deps: WorkerDeps, key: string) {
  const usps = deps.regions.uspsOf(key);
  const region = usps ? deps.regions.region(usps) : undefined;
  if (!region) throw new UnrecoverableError(`region key ${key} is not in the region table`);
  return region;
}

/** Sends status=ACTIVE to every ad whose own status is ACTIVE (never to ads paused by their owner). */
async function republish(deps: WorkerDeps, data: UpdateAdsetData, ads: Ad[], log: WorkerDeps['logger']): Promise<string[]> {
  const ids = adsToRepublish(ads);
  for (const id of ids) {
    try {
      await deps.graph.setAdStatus(id, 'ACTIVE', { adAccountId: data.adAccountId });
    } catch (err) {
      // Verification decides what happens next; a failed republish alone is not a reason to roll back.
      log.warn({ adId: id, err: errorMessage(err) }, 'republishing an ad failed');
    }
  }
  return ids;
}

async function verifyStep(
  deps: WorkerDeps,
  data: UpdateAdsetData,
  result: (outcome: AdsetResult['outcome'], extra?: Partial<AdsetResult>) => AdsetJobResult,
  log: WorkerDeps['logger'],
  /** A rollback this run already made (a crash came after it and before this job finished). */
  alreadyRolledBack?: AdsetState['rolledBack'],
): Promise<AdsetJobResult> {
  const ctx = { adAccountId: data.adAccountId };
  const broken = brokenAds(await deps.graph.listAds(data.adsetId, ctx));
  if (broken.length === 0) return result('updated');

  // A crash after the rollback and before this job finished: the rollback stands, write nothing more.
  if (alreadyRolledBack) return result('reverted', { ads: alreadyRolledBack.ads, rolledBack: true });

  const previousRaw = await deps.redis.hget(deps.keys.previousTargeting(data.runId), data.adsetId);
  if (!previousRaw) {
    log.error({ ads: broken }, 'ads broke after the update and the previous targeting is missing: a person must restore this ad set');
    return result('failed', { ads: broken, needsAttention: true, rolledBack: false, error: 'ads broke after the update and the previous targeting was not found; restore the ad set by hand' });
  }
  try {
    await deps.graph.updateTargeting(data.adsetId, JSON.parse(previousRaw) as Targeting, ctx);
  } catch (err) {
    if (err instanceof AppError && err.retryable) throw err;
    const message = scrubSecrets(errorMessage(err), deps.secrets);
    log.error({ ads: broken, err: message }, 'ROLLBACK FAILED: ads broke after the update and the previous targeting could not be restored; a person must restore this ad set');
    return result('failed', {
      ads: broken,
      rolledBack: false,
      needsAttention: true,
      error: `ads broke after the update and the rollback failed (${message}); restore the previous targeting by hand`,
    });
  }
  await deps.redis.set(deps.keys.adsetLastWrite(data.adsetId), JSON.stringify({ runId: data.runId, rollback: true, ads: broken, at: Date.now() }), 'EX', 7 * 24 * 3600);
  log.warn({ ads: broken }, 'ads broke after the update; previous targeting restored');
  return result('reverted', { ads: broken, rolledBack: true });
}

/**
 * Turns an error into what BullMQ should do with it: throttling parks the job for the time Meta asks
 * (without spending an attempt, up to a cap), transient errors are retried with backoff, everything
 * else fails at once. Messages are scrubbed of secrets before they are stored.
 */
async function toJobError(
  deps: WorkerDeps,
  job: Job,
  token: string | undefined,
  data: UpdateAdsetData,
  err: unknown,
  log: WorkerDeps['logger'],
): Promise<Error> {
  if (err instanceof DelayedError || err instanceof UnrecoverableError) return err;
  const message = scrubSecrets(errorMessage(err), deps.secrets);
  if (err instanceof GraphApiError) {
    if (err.errorClass === 'throttle' && data.throttled < MAX_THROTTLED) {
      const waitMs = err.details.retryAfterMs ?? 60_000;
      await deps.pacer.throttled(data.adAccountId, waitMs);
      log.warn({ waitMs, code: err.code, subcode: err.subcode }, 'throttled by Meta; ad account paused');
      await job.updateData({ ...data, throttled: data.throttled + 1 });
      await job.moveToDelayed(Date.now() + waitMs, token);
      return new DelayedError('throttled');
    }
    if (err.errorClass === 'auth') {
      const reason = `${TOKEN_REJECTED_REASON} (${message})`;
      await deps.redis.set(deps.keys.tokenFailure(data.runId), reason, 'EX', 24 * 3600);
      log.error({ code: err.code, subcode: err.subcode }, 'Facebook token rejected');
      return new UnrecoverableError(reason);
    }
    if (err.retryable) return new Error(message);
    return new UnrecoverableError(message);
  }
  if (err instanceof TargetingConflictError || (err instanceof AppError && !err.retryable)) return new UnrecoverableError(message);
  return new Error(message);
}
