import {
  GraphApiError,
  checkGuardrails,
  DEFAULT_GUARDRAILS,
  JOB_NAMES,
  PlanSyncData,
  ScheduledSyncData,
  diffRegions,
  LISTED_TTL_S,
  KEY_TTL_S,
  errorMessage,
  jobIds,
  jobOptions,
  newRunId,
  scrubSecrets,
  startRun,
  withRetry,
  type Adset,
  type Campaign,
  type CampaignPlanSummary,
  type UpdateAdsetData,
  type PageRef,
  type PlanSyncResult,
  type ScheduledSyncResult,
  RUN_RETENTION_S,
  TOKEN_REJECTED_REASON,
} from '@closrads/core';
import type { Job } from 'bullmq';
import type { WorkerDeps } from '../deps';
import type { AdsetJobResult } from './update-adset';
import { planUndo } from './plan-undo';
import { readDemand } from '../demand-reads';
import { listedCopy } from '../listed-reads';

/** Ad sets added to the queue per Redis round trip: bounded so no single transaction holds them all. */
const FAN_OUT_CHUNK = 500;
/** Facebook campaigns of one campaign listed at the same time. */
const LISTING_PARALLELISM = 4;
/**
 * Longest a campaign's planning may take. Each upstream exchange is bounded and retries are counted,
 * so this only catches what no single bound does; past it the campaign aborts, the run goes on.
 */
const PLANNING_DEADLINE_MS = 15 * 60_000;

export interface CampaignPlan {
  summary: CampaignPlanSummary;
  jobs: UpdateAdsetData[];
  /** Ad sets whose regions already match: reported without a job. */
  unchanged: AdsetJobResult[];
  listed: Map<string, string>;
  /** The state region keys planned for the campaign: every job's data is checked against them. */
  regionKeys?: string[];
}

/**
 * Plans a run: for each campaign on its own, reads demand, maps states to regions, lists the active ad
 * sets of its Facebook campaigns, then fans out one `update-adset` job per ad set to change under the
 * run's `finalize-report` job (ad sets already in step are reported as they are, without a job). A
 * failure in one campaign only aborts that campaign.
 * Jobs named `scheduled-sync` (from the job scheduler) start a run through the same path as enqueue;
 * `demand-check` jobs start one only where demand changed (processors/demand-check.ts).
 */
export function createPlanSyncProcessor(deps: WorkerDeps) {
  return async (job: Job): Promise<PlanSyncResult> => {
    const data = PlanSyncData.parse(job.data);
    const log = deps.logger.child({ job: job.name, jobId: job.id, runId: data.runId });
    if (!job.parent) throw new Error('plan-sync must run as the child of a finalize-report job');
    if (data.dryRun) log.warn('DRY RUN: this run makes no change on Facebook');

    const selected = deps.campaigns.filter((c) =>
      data.campaigns.length > 0 ? data.campaigns.includes(c.name) : c.enabled,
    );
    const tokenState = { invalid: false };
    // An undo puts back what an earlier run changed: no demand, no listing.
    const plans = data.undoOf
      ? await planUndo(deps, data, data.undoOf)
      : await Promise.all(selected.map((c) => planCampaignAlone(deps, data, c, tokenState)));

    const parent = { id: job.parent.id ?? '', queue: job.parent.queueKey };
    const planned = plans.filter((p) => p.summary.status === 'completed');
    for (const plan of plans) {
      if (plan.summary.status === 'completed') {
        log.info(
          { campaign: plan.summary.name, adsets: plan.jobs.length, states: plan.summary.activeStates.length },
          'campaign planned',
        );
      } else if (plan.summary.status === 'held') {
        log.warn({ campaign: plan.summary.name, reason: plan.summary.holdReason }, 'campaign held by its guardrails');
      } else {
        log.warn({ campaign: plan.summary.name, reason: plan.summary.abortReason }, 'campaign aborted');
      }
    }
    await fanOut(deps, data, planned, parent);
    const summaries = plans.map((p) => p.summary);
    return { runId: data.runId, campaigns: summaries };
  };
}

/** A `scheduled-sync` job (a job scheduler tick) starts a run through the same path as enqueue. */
export async function startScheduledRun(deps: WorkerDeps, job: Job): Promise<ScheduledSyncResult> {
  const data = ScheduledSyncData.parse(job.data);
  // The scheduler's job id embeds the planned time; deriving the run id from it makes a retried tick
  // restart the same run rather than a second one.
  const plannedAt = Number(/(\d{10,})$/.exec(job.id ?? '')?.[1] ?? job.timestamp);
  const at = new Date(plannedAt);
  const runId = newRunId(at, job.id ?? String(plannedAt));
  await startRun(
    { flow: deps.flow, store: deps.store, timing: deps.timing },
    { runId, trigger: 'schedule', dryRun: data.dryRun, campaigns: [], at },
  );
  deps.logger.info({ runId, dryRun: data.dryRun }, 'scheduled run started');
  return { runId };
}

/**
 * One campaign's planning, isolated: whatever its upstream answers make it throw, or however long they
 * keep it, only that campaign aborts (with the reason); the others of the run are planned and synced.
 */
async function planCampaignAlone(
  deps: WorkerDeps,
  run: PlanSyncData,
  campaign: Campaign,
  tokenState: { invalid: boolean },
): Promise<CampaignPlan> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`planning did not finish within ${PLANNING_DEADLINE_MS / 60_000} min; targeting left as it is`),
        ),
      PLANNING_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([planCampaign(deps, run, campaign, tokenState), deadline]);
  } catch (err) {
    return abortedPlan(deps, campaign, `planning failed: ${errorMessage(err)}`);
  } finally {
    clearTimeout(timer);
  }
}

function abortedPlan(
  deps: WorkerDeps,
  campaign: Campaign,
  reason: string,
  states: { activeStates?: string[]; unmappedStates?: string[] } = {},
): CampaignPlan {
  return {
    summary: {
      name: campaign.name,
      status: 'aborted',
      abortReason: scrubSecrets(reason, deps.secrets),
      activeStates: states.activeStates ?? [],
      unmappedStates: states.unmappedStates ?? [],
      adsetCount: 0,
    },
    jobs: [],
    unchanged: [],
    listed: new Map(),
  };
}

async function planCampaign(
  deps: WorkerDeps,
  run: PlanSyncData,
  campaign: Campaign,
  tokenState: { invalid: boolean },
): Promise<CampaignPlan> {
  const aborted = (reason: string, states: { activeStates?: string[]; unmappedStates?: string[] } = {}): CampaignPlan =>
    abortedPlan(deps, campaign, reason, states);
  const log = deps.logger.child({ runId: run.runId, campaign: campaign.name });

  const read = await readDemand(deps, campaign);
  if (!read.ok) return aborted(read.reason);
  const regionPlan = read.plan;
  for (const code of regionPlan.unmappedStates) log.warn({ state: code }, 'state has no Facebook region key; dropped');
  const holdReason = await guardrailHold(deps, run, campaign, regionPlan.activeStates);
  if (holdReason) return heldPlan(campaign, holdReason, regionPlan);

  const listedAt = Date.now();
  const readAt = new Map<string, { at: number; page: PageRef }>();
  const adsets: Array<Adset & { facebookCampaignId: string }> = [];
  // Facebook campaigns are listed a few at a time (paging within one campaign is sequential).
  const listings = await mapBounded(campaign.facebookCampaignIds, LISTING_PARALLELISM, async (facebookCampaignId) => {
    if (tokenState.invalid)
      return { facebookCampaignId, error: new Error(TOKEN_REJECTED_REASON), listed: [] as Adset[] };
    try {
      const listed = await withRetry(
        // A paused ad account (or app) is not listed until the pause ends: calls during a block extend it.
        () =>
          deps.pacer.waitForAccount(campaign.adAccountId).then(() =>
            deps.graph.listAdsets(facebookCampaignId, { adAccountId: campaign.adAccountId }, (page, ref) => {
              const at = Date.now();
              for (const a of page) readAt.set(a.id, { at, page: ref });
            }),
          ),
        deps.planningRetry,
        (err, attempt, delayMs) =>
          log.warn(
            { facebookCampaignId, attempt, delayMs, err: errorMessage(err) },
            'listing ad sets failed, retrying',
          ),
      );
      return { facebookCampaignId, listed, error: undefined };
    } catch (error) {
      if (error instanceof GraphApiError && error.errorClass === 'auth') tokenState.invalid = true;
      return { facebookCampaignId, listed: [] as Adset[], error };
    }
  });
  for (const { facebookCampaignId, listed, error } of listings) {
    if (error instanceof GraphApiError && error.errorClass === 'auth')
      return aborted(`${TOKEN_REJECTED_REASON} (${error.message})`, regionPlan);
    if (error !== undefined && tokenState.invalid) return aborted(TOKEN_REJECTED_REASON, regionPlan);
    if (error !== undefined) {
      return aborted(
        `could not list the ad sets of Facebook campaign ${facebookCampaignId}: ${errorMessage(error)}`,
        regionPlan,
      );
    }
    for (const a of listed) if (a.effective_status === 'ACTIVE') adsets.push({ ...a, facebookCampaignId });
  }

  const regionKeys = regionPlan.regions.map((r) => r.key);
  const plannedAt = Date.now();
  const jobs: UpdateAdsetData[] = [];
  const unchanged: AdsetJobResult[] = [];
  const listed = new Map<string, string>();
  for (const a of adsets) {
    const { added, removed } = diffRegions(a.targeting, regionPlan.regions, deps.regions);
    // Already in step with demand: nothing to write and no protection call to make, so no job either;
    // the finalizer reports it as `unchanged`.
    if (added.length === 0 && removed.length === 0) {
      unchanged.push({
        campaign: campaign.name,
        id: a.id,
        name: a.name,
        facebookCampaignId: a.facebookCampaignId,
        outcome: 'unchanged',
        added,
        removed,
      });
      continue;
    }
    // Where the ad set was listed, so a job that runs when this copy is stale reads that page again.
    const read = readAt.get(a.id);
    listed.set(a.id, JSON.stringify(listedCopy(a, read?.at ?? listedAt, read?.page)));
    jobs.push({
      runId: run.runId,
      campaign: campaign.name,
      adsetId: a.id,
      adsetName: a.name,
      facebookCampaignId: a.facebookCampaignId,
      adAccountId: campaign.adAccountId,
      dryRun: run.dryRun,
      protection: campaign.protection,
      regionKeys,
      added,
      removed,
      plannedAt,
      listedAt,
      step: 'start',
      throttled: 0,
    });
  }
  return {
    summary: {
      name: campaign.name,
      status: 'completed',
      activeStates: regionPlan.activeStates,
      unmappedStates: regionPlan.unmappedStates,
      adsetCount: adsets.length,
    },
    jobs,
    unchanged,
    listed,
    regionKeys,
  };
}

/**
 * The guardrails, before anything is listed or written: the reason to hold the campaign, or undefined.
 * A dry run compares with the last completed live run too, so it shows the hold a live run would make.
 */
async function guardrailHold(
  deps: WorkerDeps,
  run: PlanSyncData,
  campaign: Campaign,
  activeStates: string[],
): Promise<string | undefined> {
  if (run.approve.includes(campaign.name)) {
    deps.logger.warn({ runId: run.runId, campaign: campaign.name }, 'guardrails skipped: approved for this run');
    return undefined;
  }
  const last = await deps.campaignState.lastCompleted(campaign.name, 'live');
  const decision = checkGuardrails({
    campaign: campaign.name,
    guardrails: campaign.guardrails ?? DEFAULT_GUARDRAILS,
    activeStates,
    lastLiveStates: last?.activeStates,
  });
  return decision.hold ? decision.reason : undefined;
}

function heldPlan(
  campaign: Campaign,
  holdReason: string,
  regionPlan: { activeStates: string[]; unmappedStates: string[] },
): CampaignPlan {
  return {
    summary: {
      name: campaign.name,
      status: 'held',
      holdReason,
      activeStates: regionPlan.activeStates,
      unmappedStates: regionPlan.unmappedStates,
      adsetCount: 0,
    },
    jobs: [],
    unchanged: [],
    listed: new Map(),
  };
}

/**
 * Adds every planned ad set job under the finalizer in bounded chunks. The planning job is itself a
 * child of the finalizer until it returns, so the finalizer cannot run before every chunk is in.
 * Jobs are interleaved across campaigns (so across ad accounts): the first jobs the workers take do
 * not all hit one ad account's rate limits. Job ids derive from the run id: a retried plan re-adds
 * nothing twice.
 */
async function fanOut(
  deps: WorkerDeps,
  run: PlanSyncData,
  plans: CampaignPlan[],
  parent: { id: string; queue: string },
): Promise<void> {
  if (!run.dryRun) for (const plan of plans) await claimCampaign(deps, plan.summary.name, run.runId);
  const planKey = deps.keys.runPlan(run.runId);
  const planned = Object.fromEntries(
    plans.filter((p) => p.regionKeys).map((p) => [p.summary.name, JSON.stringify({ regionKeys: p.regionKeys })]),
  );
  if (Object.keys(planned).length > 0)
    await deps.redis.multi().hset(planKey, planned).expire(planKey, RUN_RETENTION_S).exec();
  const listedKey = deps.keys.listedTargeting(run.runId);
  const entries = plans.flatMap((p) => [...p.listed]);
  for (let i = 0; i < entries.length; i += FAN_OUT_CHUNK) {
    await deps.redis
      .multi()
      .hset(listedKey, Object.fromEntries(entries.slice(i, i + FAN_OUT_CHUNK)))
      .expire(listedKey, LISTED_TTL_S)
      .exec();
  }
  const unchangedKey = deps.keys.unchangedAdsets(run.runId);
  const unchanged = plans.flatMap((p) => p.unchanged);
  for (let i = 0; i < unchanged.length; i += FAN_OUT_CHUNK) {
    const chunk = unchanged.slice(i, i + FAN_OUT_CHUNK).map((r) => [r.id, JSON.stringify(r)] as const);
    await deps.redis.multi().hset(unchangedKey, Object.fromEntries(chunk)).expire(unchangedKey, RUN_RETENTION_S).exec();
  }
  const jobs = interleave(plans.map((p) => p.jobs));
  const opts = jobOptions(deps.timing).updateAdset;
  for (let i = 0; i < jobs.length; i += FAN_OUT_CHUNK) {
    await deps.queues.updateAdset.addBulk(
      jobs.slice(i, i + FAN_OUT_CHUNK).map((data) => ({
        name: JOB_NAMES.updateAdset,
        data,
        opts: { ...opts, jobId: jobIds.adset(run.runId, data.adsetId), parent },
      })),
    );
  }
}

/** Round robin: the first item of each list, then the second of each, and so on. */
export function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

/** Maps with at most `limit` calls in flight, keeping the input order in the output. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}

const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then
  local owner = cjson.decode(current)
  if tonumber(owner.plannedAt) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], cjson.encode({ runId = ARGV[1], plannedAt = tonumber(ARGV[2]) }), 'EX', ARGV[3])
return 1`;

/** Marks this run as the newest live run of the campaign: older runs' pending jobs become superseded. */
async function claimCampaign(deps: WorkerDeps, campaign: string, runId: string): Promise<void> {
  await deps.redis.eval(
    CLAIM,
    1,
    deps.keys.campaignOwner(campaign),
    runId,
    String(Date.now()),
    String(KEY_TTL_S.campaignOwner),
  );
}
