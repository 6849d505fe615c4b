import {
  GraphApiError,
  WatchCampaignData,
  afterRestore,
  decideLook,
  decideUnsure,
  errorMessage,
  incompleteRead,
  resultLine,
  restoreStates,
  scrubSecrets,
  settledForReport,
  stateKeysOf,
  throttleKind,
  type AdIssue,
  type AdsetWatch,
  type CampaignAd,
  type WatchResult,
} from '@closrads/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, type Job } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { reviseRunReport, wakeAdsetJob } from '../protection/watcher';

/** Ad sets falling due this soon after the first one share its look. */
const BATCH_WINDOW_MS = 1_000;
/** After a failed look (Meta unreachable, a bad answer) the due ad sets are looked at again this much later. */
const LOOK_RETRY_MS = 30_000;
/** A write slot this close is waited for inline; a longer wait leaves the action to the next look. */
const INLINE_PACE_MS = 1_000;

type Log = WorkerDeps['logger'];

/**
 * The watch of one Facebook campaign: each activation lists the campaign's ads once (paged) and moves
 * every due ad set of the campaign one step along its protection state machine (domain/watch.ts),
 * then parks itself until the next look is due. It ends when nothing of the campaign is watched.
 * Upstream trouble never fails it: a failed look is simply taken again later.
 */
export function createWatchAdsProcessor(deps: WorkerDeps) {
  return async (job: Job, token?: string): Promise<{ retired: true }> => {
    const data = WatchCampaignData.parse(job.data);
    const log = deps.logger.child({ job: job.name, jobId: job.id, facebookCampaignId: data.facebookCampaignId });
    const park = async (until: number, reason: string): Promise<never> => {
      await job.moveToDelayed(Math.max(until, Date.now() + 1), token);
      throw new DelayedError(reason);
    };
    for (;;) {
      const now = Date.now();
      const { due, nextAt } = await deps.journal.due(data.facebookCampaignId, now);
      if (due.length === 0) {
        if (nextAt !== undefined)
          return park(nextAt + Math.min(BATCH_WINDOW_MS, deps.worker.verifyDelayMs), 'next look');
        if (await deps.journal.retireWatchJob(data.facebookCampaignId, job.id ?? '')) return { retired: true };
        // Another watch job took the campaign over (ensureWatcher found this one not yet added, or
        // gone): it watches what is scheduled, and this one ends instead of looking for ever.
        if ((await deps.journal.watchJobId(data.facebookCampaignId)) !== job.id) return { retired: true };
        continue; // an ad set was scheduled meanwhile
      }
      const entries = await loadDue(deps, data.facebookCampaignId, due);
      // A look is one call for many ad sets: it respects a pause of the account, not the writers' spacing.
      const pausedMs = await deps.pacer.pausedFor(data.adAccountId);
      if (pausedMs > 0) return park(Date.now() + pausedMs, 'ad account paused');

      let ads: Map<string, CampaignAd[]> | undefined;
      if (entries.some((e) => e.phase === 'watching' || e.phase === 'healing' || e.phase === 'restored')) {
        try {
          ads = groupByAdset(
            await deps.graph.listCampaignAds(data.facebookCampaignId, { adAccountId: data.adAccountId }),
          );
        } catch (err) {
          const wait = await failedCall(deps, data.adAccountId, err, log, 'looking at the campaign’s ads failed');
          for (const e of entries) await deps.journal.schedule(e, Date.now() + wait);
          return park(Date.now() + wait, 'look failed');
        }
      }
      for (const entry of entries) {
        try {
          await advance(
            deps,
            entry,
            ads?.get(entry.adsetId) ?? [],
            log.child({ runId: entry.runId, adsetId: entry.adsetId }),
          );
        } catch (err) {
          // One ad set's trouble never stops the others' watch: it is looked at again later.
          const wait = await failedCall(deps, entry.adAccountId, err, log, 'a watch step failed');
          await deps.journal.schedule(entry, Date.now() + wait);
        }
      }
    }
  };
}

/** The due ad sets' journal entries; anything no longer watched is taken off the schedule. */
async function loadDue(deps: WorkerDeps, facebookCampaignId: string, ids: string[]): Promise<AdsetWatch[]> {
  const entries = await deps.journal.getMany(ids);
  const out: AdsetWatch[] = [];
  const stale: string[] = [];
  entries.forEach((entry, i) => {
    if (entry && entry.phase !== 'done' && entry.phase !== 'writing' && entry.facebookCampaignId === facebookCampaignId)
      out.push(entry);
    else stale.push(ids[i]!);
  });
  if (stale.length > 0) await deps.redis.zrem(deps.keys.watchDue(facebookCampaignId), ...stale);
  return out;
}

function groupByAdset(ads: CampaignAd[]): Map<string, CampaignAd[]> {
  const out = new Map<string, CampaignAd[]>();
  for (const ad of ads) {
    const list = out.get(ad.adset_id);
    if (list) list.push(ad);
    else out.set(ad.adset_id, [ad]);
  }
  return out;
}

/** Pauses the account when Meta throttled; returns how long to wait before trying again. */
async function failedCall(
  deps: WorkerDeps,
  adAccountId: string,
  err: unknown,
  log: Log,
  what: string,
): Promise<number> {
  const message = scrubSecrets(errorMessage(err), deps.secrets);
  if (err instanceof GraphApiError && err.errorClass === 'throttle') {
    const waitMs = await pauseFor(deps, adAccountId, err);
    log.warn({ waitMs, code: err.code }, `${what}: throttled by Meta`);
    return waitMs;
  }
  if (!(err instanceof GraphApiError)) log.error({ err: message }, what);
  else log.warn({ err: message, code: err.code }, what);
  return LOOK_RETRY_MS;
}

/** Pauses whom a throttling error stops; returns how long (the pause may outlast Meta's figure). */
function pauseFor(deps: WorkerDeps, adAccountId: string, err: GraphApiError): Promise<number> {
  const kind = throttleKind({ code: err.code, subcode: err.subcode, httpStatus: err.details.httpStatus });
  return deps.pacer.throttled(adAccountId, err.details.retryAfterMs ?? kind?.defaultWaitMs ?? 60_000, kind ?? {});
}

async function advance(deps: WorkerDeps, entry: AdsetWatch, ads: CampaignAd[], log: Log): Promise<void> {
  const now = Date.now();
  const timing = { verifyDelayMs: deps.worker.verifyDelayMs, watchMs: deps.worker.watchMs };
  if (entry.phase === 'unsure') return resolveUnsure(deps, entry, log);
  if (entry.phase === 'restoring') return restore(deps, entry, entry, entry.result?.ads ?? [], log);

  const decision = decideLook(entry, ads, now, timing);
  const firstLookAt = entry.firstLookAt ?? now;
  switch (decision.kind) {
    case 'wait':
      return store(
        deps,
        entry,
        { ...entry, looks: entry.looks + 1, nextLookAt: decision.nextLookAt, firstLookAt, result: decision.result },
        log,
      );
    case 'republish': {
      if (!(await writeSlot(deps, entry))) return deps.journal.schedule(entry, Date.now() + INLINE_PACE_MS);
      for (const id of decision.adIds) {
        try {
          await deps.graph.setAdStatus(id, 'ACTIVE', { adAccountId: entry.adAccountId });
        } catch (err) {
          // The next look decides: an ad that stays broken leads to the rollback.
          log.warn({ adId: id, err: scrubSecrets(errorMessage(err), deps.secrets) }, 'republishing an ad failed');
        }
      }
      log.info({ ads: decision.adIds }, 'ads broke after the change; republished once');
      return store(
        deps,
        entry,
        {
          ...entry,
          phase: 'healing',
          republished: decision.adIds,
          looks: 0,
          nextLookAt: decision.nextLookAt,
          firstLookAt,
        },
        log,
      );
    }
    case 'restore':
      return restore(deps, entry, { ...entry, firstLookAt }, decision.broken, log);
    case 'finish':
      return store(
        deps,
        entry,
        { ...entry, phase: 'done', nextLookAt: undefined, firstLookAt, result: decision.result },
        log,
      );
  }
}

/** A job gave up during its write: the ad set's state regions say whether the write landed. */
async function resolveUnsure(deps: WorkerDeps, entry: AdsetWatch, log: Log): Promise<void> {
  const adset = await deps.graph.getAdset(entry.adsetId, { adAccountId: entry.adAccountId });
  const now = Date.now();
  if (decideUnsure(entry, stateKeysOf(adset.targeting, deps.regions)) === 'not-landed') {
    log.info('the interrupted write did not land; nothing changed');
    return store(
      deps,
      entry,
      {
        ...entry,
        phase: 'done',
        result: {
          outcome: 'failed',
          error: 'the job stopped during its write, and Facebook had not applied it; nothing changed',
        },
      },
      log,
    );
  }
  log.warn('the interrupted write had landed; its protection goes on');
  if (!entry.protection)
    return store(deps, entry, { ...entry, phase: 'done', writtenAt: now, result: { outcome: 'updated' } }, log);
  const { verifyDelayMs, watchMs } = deps.worker;
  return store(
    deps,
    entry,
    {
      ...entry,
      phase: 'watching',
      writtenAt: now,
      watchUntil: now + Math.max(watchMs, verifyDelayMs),
      nextLookAt: now + verifyDelayMs,
      looks: 0,
      result: { outcome: 'updated', review: 'pending' },
    },
    log,
  );
}

/** Puts the previous state regions back onto the ad set's targeting as Facebook has it now. */
async function restore(
  deps: WorkerDeps,
  before: AdsetWatch,
  entry: AdsetWatch,
  broken: AdIssue[],
  log: Log,
): Promise<void> {
  const timing = { verifyDelayMs: deps.worker.verifyDelayMs, watchMs: deps.worker.watchMs };
  if (!(await writeSlot(deps, entry))) {
    return store(
      deps,
      before,
      {
        ...entry,
        phase: 'restoring',
        nextLookAt: Date.now() + INLINE_PACE_MS,
        result: { ...(entry.result ?? { outcome: 'updated' }), ads: broken },
      },
      log,
    );
  }
  let attempt: Parameters<typeof afterRestore>[1];
  try {
    const adset = await deps.graph.getAdset(entry.adsetId, { adAccountId: entry.adAccountId });
    const problem = incompleteRead(adset.targeting);
    if (problem) throw new Error(problem);
    await deps.graph.updateTargeting(entry.adsetId, restoreStates(adset.targeting, entry.beforeStates, deps.regions), {
      adAccountId: entry.adAccountId,
    });
    attempt = { ok: true };
  } catch (err) {
    if (err instanceof GraphApiError && err.errorClass === 'throttle') {
      const waitMs = await pauseFor(deps, entry.adAccountId, err);
      return store(
        deps,
        before,
        {
          ...entry,
          phase: 'restoring',
          nextLookAt: Date.now() + waitMs,
          result: { ...(entry.result ?? { outcome: 'updated' }), ads: broken },
        },
        log,
      );
    }
    const retryable = !(err instanceof GraphApiError) || err.retryable;
    attempt = { ok: false, retryable, message: scrubSecrets(errorMessage(err), deps.secrets) };
  }
  const next = { ...entry, ...afterRestore(entry, attempt, broken, Date.now(), timing) };
  if (attempt.ok) log.warn({ ads: broken }, 'ads broke after the update; previous states restored');
  else if (next.phase === 'done') {
    log.error(
      { ads: broken, err: attempt.message },
      'ROLLBACK FAILED: ads broke after the update and the previous states could not be restored; a person must restore this ad set',
    );
  } else
    log.warn(
      { err: attempt.message, attempt: next.restoreAttempts },
      'restoring the previous states failed; trying again',
    );
  return store(deps, before, next, log);
}

/**
 * Whether the ad account lets a write through soon: a paused account leaves the action to a later
 * look (the write itself takes its moment when sent, in the Graph client).
 */
async function writeSlot(deps: WorkerDeps, entry: AdsetWatch): Promise<boolean> {
  const pausedMs = await deps.pacer.pausedFor(entry.adAccountId);
  if (pausedMs > INLINE_PACE_MS) return false;
  if (pausedMs > 0) await sleep(pausedMs);
  return true;
}

/**
 * Saves the new state of the ad set's change (`previous` is the state the watch loaded) and tells whoever waits: the ad set job once the first
 * look settled it; the run's report when the outcome changed after the report, or when the run's last
 * watch ended.
 */
async function store(deps: WorkerDeps, previous: AdsetWatch, entry: AdsetWatch, log: Log): Promise<void> {
  if (!(await deps.journal.save(entry))) {
    log.warn('the ad set’s change record belongs to another run now; its watch stops');
    await deps.journal.unschedule(entry);
    return;
  }
  const result: WatchResult | undefined = entry.result;
  if (result) await deps.journal.recordResult(entry.runId, entry.adsetId, resultLine(entry, result));
  let remaining: number | undefined;
  if (entry.phase === 'done') remaining = await deps.journal.unschedule(entry);
  else await deps.journal.schedule(entry, entry.nextLookAt ?? Date.now());
  if (settledForReport(entry)) await wakeAdsetJob(deps, entry);
  const outcomeChanged =
    previous?.result?.outcome !== result?.outcome || previous?.result?.needsAttention !== result?.needsAttention;
  if (remaining === 0 || (outcomeChanged && previous?.firstLookAt !== undefined))
    await reviseRunReport(deps, entry.runId);
}
