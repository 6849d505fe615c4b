import {
  GraphApiError,
  TOKEN_REJECTED_REASON,
  TargetingConflictError,
  AppError,
  KEY_TTL_S,
  classifyJobError,
  unrecoverable,
  UpdateAdsetData,
  brokenAds,
  describeFailure,
  diffRegions,
  errorMessage,
  expandedAdsComplete,
  incompleteRead,
  resultLine,
  sameRegionKeys,
  scrubSecrets,
  settledForReport,
  stateKeysOf,
  stateRegionsOf,
  targetingWarnings,
  withRegions,
  IN_PLACE_WAIT_MS,
  ListedAdsetSchema,
  parseAdsetWatch,
  throttleKind,
  RunChangeSchema,
  type RunChange,
  type Ad,
  type ListedAdset,
  type AdsetResult,
  type AdsetWatch,
  type RunMeta,
  type Targeting,
  type WriteMoment,
} from '@closrads/core';
import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { WorkerDeps } from '../deps';
import { ensureWatcher, watchAdset } from '../protection/watcher';
import { RunRecords } from './run-records';

/** Throttled answers an ad set may meet before it counts as failed. */
const MAX_THROTTLED = 25;
/** A job waiting for its first look is woken by the watch; this is only the fallback if that is missed. */
const AWAIT_LOOK_FALLBACK_MS = 5_000;

export type AdsetJobResult = AdsetResult & { campaign: string };

/** Thrown inside the processor to park the job until `untilMs` without spending an attempt. */
class Park extends Error {
  constructor(
    readonly untilMs: number,
    readonly reason: string,
    readonly dataPatch: Partial<UpdateAdsetData> = {},
  ) {
    super(reason);
  }
}

type Log = WorkerDeps['logger'];

/**
 * Brings one ad set's state regions in line with demand, as a step machine (BullMQ's process-step
 * pattern). `start`: gates (superseded, token, pacing), read, pre-flight, claim of the ad set. `write`:
 * the write itself. `await-look`: with protection, the job waits (in the delayed set, holding no slot)
 * until the campaign's watch has taken its first look at the ads, so the run's report says what the
 * ads did. Later looks and any rollback belong to the watch (processors/watch-ads.ts).
 */
export function createUpdateAdsetProcessor(deps: WorkerDeps) {
  const records = new RunRecords();
  return async (job: Job, token?: string): Promise<AdsetJobResult> => {
    const data = UpdateAdsetData.parse(job.data);
    const log = deps.logger.child({ job: job.name, jobId: job.id, runId: data.runId, adsetId: data.adsetId });
    try {
      switch (data.step) {
        case 'start':
          return await startStep(deps, job, data, log, records);
        case 'write':
          return await writeStep(deps, job, data, log, records);
        case 'await-look':
          return await awaitLookStep(deps, data);
      }
    } catch (err) {
      if (err instanceof Park) {
        await job.updateData({ ...UpdateAdsetData.parse(job.data), ...err.dataPatch });
        await job.moveToDelayed(err.untilMs, token);
        throw new DelayedError(err.reason);
      }
      throw await toJobError(deps, job, token, data, err, log);
    }
  };
}

function baseLine(data: UpdateAdsetData) {
  return {
    campaign: data.campaign,
    id: data.adsetId,
    name: data.adsetName,
    facebookCampaignId: data.facebookCampaignId,
    added: data.added,
    removed: data.removed,
  };
}

function line(
  data: UpdateAdsetData,
  outcome: AdsetResult['outcome'],
  extra: Partial<AdsetResult> = {},
): AdsetJobResult {
  return { ...baseLine(data), outcome, ...extra };
}

interface GateState {
  supersededBy?: string;
  tokenFailure?: string;
  listed?: ListedAdset;
  meta?: RunMeta;
  plannedKeys?: string[];
  journal?: AdsetWatch;
  /** Undo: what the undone run recorded for this ad set. */
  undoneChange?: RunChange;
}

/**
 * Everything Redis knows that decides the gates (the ad set's change record included), in one round
 * trip. The run's record and its plan never change once its jobs exist, so
 * they are read once per run and campaign in this process (RunRecords).
 */
async function readGateState(deps: WorkerDeps, data: UpdateAdsetData, records: RunRecords): Promise<GateState> {
  const known = records.get(data.runId, data.campaign);
  const pipe = deps.redis.pipeline();
  const at: Record<string, number> = {};
  const read = (name: string, queue: () => void): void => {
    at[name] = Object.keys(at).length;
    queue();
  };
  read('owner', () => pipe.get(deps.keys.campaignOwner(data.campaign)));
  read('token', () => pipe.get(deps.keys.tokenFailure(data.runId)));
  read('listed', () => pipe.hget(deps.keys.listedTargeting(data.runId), data.adsetId));
  read('journal', () => pipe.get(deps.keys.adsetJournal(data.adsetId)));
  if (!known.meta) read('meta', () => pipe.get(deps.keys.runMeta(data.runId)));
  if (!known.plannedKeys || !sameRegionKeys(known.plannedKeys, data.regionKeys))
    read('plan', () => pipe.hget(deps.keys.runPlan(data.runId), data.campaign));
  if (data.undoOf) read('undone', () => pipe.hget(deps.keys.runChanges(data.undoOf!), data.adsetId));
  const replies = await pipe.exec();
  const reply = (name: string): unknown => {
    const i = at[name];
    if (i === undefined) return undefined;
    const [err, v] = replies?.[i] ?? [new Error('no reply from Redis'), null];
    if (err) throw err;
    return v;
  };
  const value = (name: string): string | undefined => {
    const v = reply(name);
    return typeof v === 'string' ? v : undefined;
  };
  const json = (name: string): unknown => {
    const v = value(name);
    return v === undefined ? undefined : JSON.parse(v);
  };
  const owner = json('owner') as { runId: string; plannedAt: number } | undefined;
  const listed = ListedAdsetSchema.safeParse(json('listed'));
  const meta = known.meta ?? (json('meta') as RunMeta | undefined);
  const plannedKeys =
    'plan' in at ? (json('plan') as { regionKeys?: string[] } | undefined)?.regionKeys : known.plannedKeys;
  records.remember(data.runId, data.campaign, { meta, plannedKeys });
  return {
    supersededBy: owner && owner.runId !== data.runId && owner.plannedAt > data.plannedAt ? owner.runId : undefined,
    tokenFailure: value('token'),
    listed: listed.success ? listed.data : undefined,
    meta,
    plannedKeys,
    undoneChange: data.undoOf ? RunChangeSchema.safeParse(json('undone')).data : undefined,
    journal: parseAdsetWatch(value('journal')),
  };
}

/**
 * Job data is plain text in Redis: before anything is written it must agree with what the run itself
 * recorded (dry or live, the states planned) and with the configured campaign, so an edited job can
 * never turn a dry run into a live write or write other states.
 */
function checkIntegrity(deps: WorkerDeps, data: UpdateAdsetData, state: GateState): void {
  const campaign = deps.campaigns.find((c) => c.name === data.campaign);
  const problems: string[] = [];
  if (!state.meta) problems.push('its run is unknown');
  else if (state.meta.dryRun !== data.dryRun)
    problems.push(
      `it says ${data.dryRun ? 'dry run' : 'live'} but its run is ${state.meta.dryRun ? 'a dry run' : 'live'}`,
    );
  if (!campaign) problems.push(`campaign ${data.campaign} is not configured`);
  else {
    if (campaign.adAccountId !== data.adAccountId) problems.push('its ad account is not the campaign’s');
    if (!campaign.facebookCampaignIds.includes(data.facebookCampaignId))
      problems.push('its Facebook campaign is not the campaign’s');
    if (campaign.protection !== data.protection) problems.push('its protection setting is not the campaign’s');
  }
  if (data.undoOf) {
    // An undo writes back what the undone run recorded, nothing else.
    const change = state.undoneChange;
    if (state.meta?.undoOf !== data.undoOf) problems.push(`its run does not undo ${data.undoOf}`);
    else if (
      !change ||
      !sameRegionKeys(change.before, data.regionKeys) ||
      !sameRegionKeys(change.after, data.expectKeys ?? [])
    ) {
      problems.push(`its states are not the ones run ${data.undoOf} changed`);
    }
  } else if (!state.plannedKeys || !sameRegionKeys(state.plannedKeys, data.regionKeys))
    problems.push('its states are not the ones its run planned');
  if (problems.length > 0)
    throw new UnrecoverableError(`job data does not match its run (${problems.join('; ')}); nothing was written`);
}

async function startStep(
  deps: WorkerDeps,
  job: Job,
  data: UpdateAdsetData,
  log: Log,
  records: RunRecords,
): Promise<AdsetJobResult> {
  const state = await readGateState(deps, data, records);
  checkIntegrity(deps, data, state);
  if (!data.dryRun && state.supersededBy) {
    log.info({ supersededBy: state.supersededBy }, 'a newer run owns this campaign; nothing written');
    return line(data, 'superseded', { supersededBy: state.supersededBy });
  }
  // Once the token was rejected in this run, the other ad sets fail without calling Meta again.
  if (state.tokenFailure) throw new UnrecoverableError(state.tokenFailure);

  if (!data.dryRun) {
    const earlier = await earlierChange(deps, job, data, state, log, records);
    if (earlier) return earlier;
  }

  await paceGate(deps, data);

  const read = await currentRead(deps, data, state);
  const desired = data.regionKeys.map((key) => regionOf(deps, key));
  const current = stateKeysOf(read.targeting, deps.regions);
  if (sameRegionKeys(current, data.regionKeys)) return line(data, 'unchanged', { added: [], removed: [] });
  if (data.expectKeys && !sameRegionKeys(current, data.expectKeys)) {
    return line(data, 'skipped_changed', {
      reason: `its states changed after run ${data.undoOf ?? ''} (by a later run or in Ads Manager); left as it is`,
    });
  }
  const next = withRegions(read.targeting, desired, deps.regions);
  const diff = diffRegions(read.targeting, desired, deps.regions);
  const warnings = targetingWarnings(read.targeting, desired, deps.regions);
  const extra = { ...diff, ...(warnings.length > 0 ? { warnings } : {}) };

  if (data.protection) {
    const broken = brokenAds(read.ads ?? (await deps.graph.listAds(data.adsetId, { adAccountId: data.adAccountId })));
    if (broken.length > 0) {
      log.warn({ ads: broken }, 'pre-flight found ads with issues; ad set skipped');
      return line(data, 'skipped_preflight', { ...extra, ads: broken });
    }
  }
  if (data.dryRun) return line(data, 'would_update', extra);

  const entry: AdsetWatch = {
    runId: data.runId,
    campaign: data.campaign,
    adsetId: data.adsetId,
    adsetName: data.adsetName,
    facebookCampaignId: data.facebookCampaignId,
    adAccountId: data.adAccountId,
    protection: data.protection,
    phase: 'writing',
    beforeStates: stateRegionsOf(read.targeting, deps.regions),
    afterKeys: [...data.regionKeys].sort(),
    added: diff.added,
    removed: diff.removed,
    warnings,
    claimedAt: Date.now(),
    looks: 0,
    restoreAttempts: 0,
  };
  // The claim records what the run changes on the ad set in the same call, and the write's moment on
  // the account's pace is taken alongside (both are sent at once: one wait for their answers). A claim
  // refused leaves that moment unused, which only happens with two runs on one ad set.
  const askedAt = Date.now();
  const [claim, waitMs] = await Promise.all([
    deps.journal.claim(entry, { before: stateKeysOf(read.targeting, deps.regions).sort(), after: entry.afterKeys }),
    deps.pacer.reserveWrite(data.adAccountId, askedAt),
  ]);
  if (!claim.claimed && 'heldBy' in claim) return deferred(data, claim.heldBy);
  const claimed = claim.claimed ? claim.entry : claim.resumed;
  const writing = { ...data, step: 'write' as const, added: diff.added, removed: diff.removed };
  // The step is kept in this attempt's copy of the job data (toJobError reads it, and stores it if the
  // attempt fails), not stored on the way: a worker that dies here leaves the journal entry in phase
  // 'writing', which the next attempt's start step resumes from, so storing it would cost a round trip
  // per ad set for nothing.
  job.data = writing;
  return send(deps, job, writing, claimed, { targeting: next, moment: { askedAt, waitMs } }, log);
}

/**
 * A live job meets the ad set's change record before it reads anything: its own claim from an earlier
 * attempt is carried on from where it stands; another run's unfinished change defers this one.
 * Undefined when the job goes on from the pacing gate.
 */
async function earlierChange(
  deps: WorkerDeps,
  job: Job,
  data: UpdateAdsetData,
  state: GateState,
  log: Log,
  records: RunRecords,
): Promise<AdsetJobResult | undefined> {
  // This run's own record of an earlier attempt whose write never landed does not count: start over.
  const own = state.journal?.runId === data.runId && !released(state.journal) ? state.journal : undefined;
  // What the watch said of an earlier attempt of this job that never wrote is not about what comes now.
  if (state.journal?.runId === data.runId && !own) await deps.journal.forgetResult(data.runId, data.adsetId);
  if (own) {
    // This job claimed the ad set in an earlier attempt: carry on from where its change stands.
    return own.phase === 'writing'
      ? writeStep(deps, job, { ...data, step: 'write' }, log, records)
      : awaitLookStep(deps, data);
  }
  if (state.journal && state.journal.phase !== 'done') return deferred(data, state.journal);
  return undefined;
}

/** A change that ended without any write landing: the ad set is free, and a retry starts from the gates. */
function released(entry: AdsetWatch): boolean {
  return entry.phase === 'done' && entry.writtenAt === undefined;
}

function deferred(data: UpdateAdsetData, holder: AdsetWatch): AdsetJobResult {
  return line(data, 'deferred', {
    deferredBy: holder.runId,
    reason: `an earlier change of this ad set (run ${holder.runId}) is still watched while Meta reviews its ads; nothing written`,
  });
}

/**
 * One reserved moment per job on its ad account's pace (see queue/pacer.ts). The write itself takes
 * its own write moment when it is sent (the Graph client's beforeWrite), so this reserves a call, not
 * a write.
 */
async function paceGate(deps: WorkerDeps, data: UpdateAdsetData): Promise<void> {
  const pace = await deps.pacer.acquire(data.adAccountId, { write: false, reservedAt: data.reservedAt });
  // A short wait costs less in this slot than a round trip through the delayed set.
  if (pace.waitMs <= IN_PLACE_WAIT_MS) {
    if (pace.waitMs > 0) await sleep(pace.waitMs);
  } else if (pace.waitMs > 0) {
    const until = Date.now() + pace.waitMs;
    throw new Park(until, 'ad account paced', { reservedAt: pace.reserved ? until : undefined });
  }
}

/**
 * The targeting (and ads) to start from: the listing's copy when it was read a few seconds ago and
 * nothing was written to the ad set since; else its listing page read again (one call shared by the
 * page's jobs, listed-reads.ts); else a fresh read of the ad set alone. A read is refused when it is
 * empty or lacks fields the listing showed.
 */
async function currentRead(
  deps: WorkerDeps,
  data: UpdateAdsetData,
  state: GateState,
): Promise<{ targeting: Targeting; ads?: Ad[] }> {
  const listed = state.listed;
  // A retried job (or one parked by throttling) has written nothing yet: the start step comes before
  // any claim. What makes a copy stale is time, or a write to the ad set since it was read.
  const usable = (copy: ListedAdset | undefined): copy is ListedAdset =>
    copy !== undefined && (state.journal?.writtenAt ?? 0) < copy.readAt;
  if (usable(listed) && Date.now() - listed.readAt <= deps.listedPages.freshReadMs) {
    return { targeting: listed.targeting, ads: listed.ads };
  }
  const paged = listed?.page ? await deps.listedPages.read(data, listed.page) : undefined;
  if (usable(paged)) {
    const problem = incompleteRead(paged.targeting, listed?.targeting);
    if (problem) throw new UnrecoverableError(problem);
    return { targeting: paged.targeting, ads: paged.ads };
  }
  const fresh = await deps.graph.getAdset(data.adsetId, { adAccountId: data.adAccountId });
  const problem = incompleteRead(fresh.targeting, listed?.targeting);
  if (problem) throw new UnrecoverableError(problem);
  return { targeting: fresh.targeting, ads: fresh.ads && expandedAdsComplete(fresh) ? fresh.ads.data : undefined };
}

/**
 * The write step, also where a resumed job lands: an earlier attempt may have sent the write before
 * the worker stopped, so the ad set is read again first, and written only if the write did not land.
 */
async function writeStep(
  deps: WorkerDeps,
  job: Job,
  data: UpdateAdsetData,
  log: Log,
  records: RunRecords,
): Promise<AdsetJobResult> {
  const entry = await deps.journal.get(data.adsetId);
  if (!entry || entry.runId !== data.runId || released(entry)) {
    // Retried after this job had given up without a write landing: back to the gates (a newer run may
    // own the campaign by now, another change may be watched).
    const restart = { ...data, step: 'start' as const };
    await job.updateData(restart);
    await deps.journal.forgetResult(data.runId, data.adsetId);
    return startStep(deps, job, restart, log, records);
  }
  if (entry.phase !== 'writing') return awaitLookStep(deps, data);
  const fresh = await deps.graph.getAdset(data.adsetId, { adAccountId: data.adAccountId });
  if (sameRegionKeys(stateKeysOf(fresh.targeting, deps.regions), entry.afterKeys)) {
    log.warn('resuming after an interrupted attempt whose write had landed');
    return written(deps, job, data, entry, log);
  }
  const listed = ListedAdsetSchema.safeParse(
    JSON.parse((await deps.redis.hget(deps.keys.listedTargeting(data.runId), data.adsetId)) ?? 'null'),
  );
  const problem = incompleteRead(fresh.targeting, listed.success ? listed.data.targeting : undefined);
  if (problem) throw new UnrecoverableError(problem);
  const next = withRegions(
    fresh.targeting,
    data.regionKeys.map((key) => regionOf(deps, key)),
    deps.regions,
  );
  return send(deps, job, data, entry, { targeting: next }, log);
}

/** The write: the targeting to send, and its moment on the account's pace when the caller took it already. */
interface Write {
  targeting: Targeting;
  moment?: WriteMoment;
}

async function send(
  deps: WorkerDeps,
  job: Job,
  data: UpdateAdsetData,
  entry: AdsetWatch,
  write: Write,
  log: Log,
): Promise<AdsetJobResult> {
  await deps.graph.updateTargeting(data.adsetId, write.targeting, {
    adAccountId: data.adAccountId,
    ...(write.moment ? { writeMoment: write.moment } : {}),
  });
  log.info({ added: entry.added, removed: entry.removed }, 'ad set targeting updated');
  return written(deps, job, data, entry, log);
}

/** After a confirmed write: without protection the change is done; with it, the watch takes over. */
async function written(
  deps: WorkerDeps,
  job: Job,
  data: UpdateAdsetData,
  entry: AdsetWatch,
  log: Log,
): Promise<AdsetJobResult> {
  const now = Date.now();
  const { verifyDelayMs, watchMs } = deps.worker;
  const firstLookAt = now + verifyDelayMs;
  const next: AdsetWatch = data.protection
    ? {
        ...entry,
        phase: 'watching',
        writtenAt: now,
        watchUntil: now + Math.max(watchMs, verifyDelayMs),
        nextLookAt: firstLookAt,
        looks: 0,
        result: { outcome: 'updated', review: 'pending' },
      }
    : { ...entry, phase: 'done', writtenAt: now, result: { outcome: 'updated' } };
  if (!(await deps.journal.save(next)))
    log.warn('the ad set’s change record was taken over by another run after the write');
  if (!data.protection) return resultLine(next, next.result!);
  await watchAdset(deps, next, firstLookAt);
  throw new Park(firstLookAt + AWAIT_LOOK_FALLBACK_MS, 'waiting for the first look at the ads', {
    step: 'await-look',
    added: entry.added,
    removed: entry.removed,
  });
}

/** The report takes the ad set's result once the watch's first look is in (the watch wakes this job). */
async function awaitLookStep(deps: WorkerDeps, data: UpdateAdsetData): Promise<AdsetJobResult> {
  const entry = await deps.journal.get(data.adsetId);
  if (!entry || entry.runId !== data.runId) {
    const recorded = (await deps.journal.results(data.runId)).get(data.adsetId);
    if (recorded) return recorded;
    throw new UnrecoverableError('the ad set’s change record is gone before its first look; see the watch in the logs');
  }
  if (settledForReport(entry) && entry.result) return resultLine(entry, entry.result);
  // The watch job may have ended by mishap: make sure one is there, then wait for its word.
  await ensureWatcher(deps, { facebookCampaignId: entry.facebookCampaignId, adAccountId: entry.adAccountId });
  const until = Math.max(entry.nextLookAt ?? 0, Date.now()) + AWAIT_LOOK_FALLBACK_MS;
  throw new Park(until, 'waiting for the first look at the ads', { step: 'await-look' });
}

function regionOf(deps: WorkerDeps, key: string) {
  const usps = deps.regions.uspsOf(key);
  const region = usps ? deps.regions.region(usps) : undefined;
  if (!region) throw new UnrecoverableError(`region key ${key} is not in the region table`);
  return region;
}

/**
 * Turns an error into what BullMQ should do with it: throttling parks the job for the time Meta asks
 * (without spending an attempt, up to a cap), transient errors are retried with backoff, everything
 * else fails at once. Messages are scrubbed of secrets before they are stored. A job that gives up in
 * its write step hands the ad set over: released when Meta refused the write, otherwise to the watch,
 * which finds out whether the write landed.
 */
async function toJobError(
  deps: WorkerDeps,
  job: Job,
  token: string | undefined,
  parsed: UpdateAdsetData,
  err: unknown,
  log: Log,
): Promise<Error> {
  if (err instanceof DelayedError) return err;
  // The step may have moved on within this attempt (job.updateData keeps job.data current).
  const data = UpdateAdsetData.safeParse(job.data).data ?? parsed;
  const message = scrubSecrets(errorMessage(err), deps.secrets);
  let out: Error;
  if (err instanceof UnrecoverableError) out = err;
  else if (err instanceof GraphApiError) {
    if (err.errorClass === 'throttle' && data.throttled < MAX_THROTTLED)
      return parkThrottled(deps, job, token, data, err, log);
    if (err.errorClass === 'auth') {
      const reason = `${TOKEN_REJECTED_REASON} (${message})`;
      await deps.redis.set(deps.keys.tokenFailure(data.runId), reason, 'EX', KEY_TTL_S.tokenFailure);
      log.error({ code: err.code, subcode: err.subcode }, 'Facebook token rejected');
      out = new UnrecoverableError(reason);
    } else out = err.retryable ? new Error(message, { cause: err }) : new UnrecoverableError(message);
  } else if (err instanceof TargetingConflictError || (err instanceof AppError && !err.retryable))
    out = new UnrecoverableError(message);
  else out = classifyJobError(err) === 'programming' ? unrecoverable(message, err) : new Error(message, { cause: err });

  const lastAttempt = out instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  if (lastAttempt) await recordFailure(deps, data, err, out);
  if (lastAttempt && !data.dryRun) await handOver(deps, data, err, log);
  // The step this attempt reached is stored only now that it failed (the start step does not store
  // it on the way to the write): a retry, even one from the board, then starts where this one stopped.
  if (data.step === 'write') await job.updateData(data);
  return out;
}

/** Throttling parks the job until the ad account's pause ends, without spending an attempt. */
async function parkThrottled(
  deps: WorkerDeps,
  job: Job,
  token: string | undefined,
  data: UpdateAdsetData,
  err: GraphApiError,
  log: Log,
): Promise<DelayedError> {
  const kind = throttleKind({ code: err.code, subcode: err.subcode, httpStatus: err.details.httpStatus });
  // The pause may be longer than Meta's figure (abuse prevention): park until it ends, once.
  const waitMs = await deps.pacer.throttled(
    data.adAccountId,
    err.details.retryAfterMs ?? kind?.defaultWaitMs ?? 60_000,
    kind ?? {},
  );
  log.warn({ waitMs, code: err.code, subcode: err.subcode }, 'throttled by Meta; ad account paused');
  // A refused write did not happen: the ad set is released and the job starts over from the gates
  // (the listing's copy still serves if it is fresh), instead of reading the ad set to find out.
  const restart = data.step === 'write' && (await releaseClaim(deps, data));
  await job.updateData({ ...data, throttled: data.throttled + 1, ...(restart ? { step: 'start' as const } : {}) });
  await job.moveToDelayed(Date.now() + waitMs, token);
  return new DelayedError('throttled');
}

/** The report's word on this ad set when its job gives up: what failed, as facts, not as text to parse. */
async function recordFailure(deps: WorkerDeps, data: UpdateAdsetData, err: unknown, out: Error): Promise<void> {
  const facts = describeFailure(err, scrubSecrets(out.message, deps.secrets), {
    refused: err instanceof UnrecoverableError,
  });
  await deps.store.recordFailure(data.runId, {
    campaign: data.campaign,
    adsetId: data.adsetId,
    adsetName: data.adsetName,
    facebookCampaignId: data.facebookCampaignId,
    added: data.added,
    removed: data.removed,
    ...facts,
    // What the error policy gave up on at once (a programming error, a refusal) is not worth retrying.
    retryable: facts.retryable && !(out instanceof UnrecoverableError),
  });
}

/** Gives up this job's claim of the ad set when nothing of it was written; true when released. */
async function releaseClaim(deps: WorkerDeps, data: UpdateAdsetData): Promise<boolean> {
  const entry = await deps.journal.get(data.adsetId);
  if (!entry || entry.runId !== data.runId || entry.phase !== 'writing') return false;
  return deps.journal.save({ ...entry, phase: 'done', result: undefined });
}

async function handOver(deps: WorkerDeps, data: UpdateAdsetData, err: unknown, log: Log): Promise<void> {
  const entry = await deps.journal.get(data.adsetId);
  if (!entry || entry.runId !== data.runId || entry.phase !== 'writing') return;
  // Meta refused the write outright: nothing landed, the ad set is free again.
  const refused =
    err instanceof GraphApiError &&
    (err.errorClass === 'invalid' || err.errorClass === 'permission' || err.errorClass === 'auth');
  if (refused || err instanceof TargetingConflictError) {
    await deps.journal.save({
      ...entry,
      phase: 'done',
      result: { outcome: 'failed', error: scrubSecrets(errorMessage(err), deps.secrets) },
    });
    return;
  }
  log.warn('giving up during the write; the watch will read the ad set to learn whether it landed');
  const unsure: AdsetWatch = { ...entry, phase: 'unsure', nextLookAt: Date.now() };
  await deps.journal.save(unsure);
  await watchAdset(deps, unsure, Date.now());
}
