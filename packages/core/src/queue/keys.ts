const DAY_S = 24 * 3600;

/**
 * How long each kind of key below lives, in seconds: every TTL of the product, in one place beside
 * the keys it applies to.
 */
export const KEY_TTL_S = {
  /** Reports, run meta and every run-side record: the contract keeps reports at least 30 days. */
  run: 35 * DAY_S,
  /** An ad set's change record and a Facebook campaign's watch job marker: far past the longest watch. */
  journal: 14 * DAY_S,
  /** Targeting as listed while planning: serves only the run that listed it. */
  listed: DAY_S,
  /** A campaign's last completed run and its hold marker: demand checks compare with them. */
  campaignState: 90 * DAY_S,
  /** A campaign's owning run (the newest run that planned it). */
  campaignOwner: 40 * DAY_S,
  /** A run's remembered token rejection: its other ad sets fail without calling Meta. */
  tokenFailure: DAY_S,
  /** An ad account's pacer state (usage, next free moment, pause). */
  pacer: 3600,
} as const;

/**
 * Every Redis key the product uses. All of them start with `{QUEUE_PREFIX}:`: the braces are a Redis
 * Cluster hash tag, so every queue and every product key lands in one slot (BullMQ flows span queues
 * and need that), and two deployments with different prefixes can share one Redis.
 */
export class Keyspace {
  /** The BullMQ `prefix` option: queues live under `{prefix}:<queue>:…`. */
  readonly bullPrefix: string;

  constructor(readonly prefix: string) {
    this.bullPrefix = `{${prefix}}`;
  }

  /** Pattern matching every key of this deployment (for SCAN). */
  get all(): string {
    return `${this.bullPrefix}:*`;
  }

  /** Finished reports, JSON, kept 35 days. */
  report(runId: string): string {
    return `${this.bullPrefix}:report:${runId}`;
  }

  /** The report without its ad set lines, for lists of runs, JSON, kept as long as the report. */
  reportSummary(runId: string): string {
    return `${this.bullPrefix}:report:${runId}:summary`;
  }

  /** Sorted set of run ids by start time (ms). */
  get runs(): string {
    return `${this.bullPrefix}:runs`;
  }

  /** What a run was asked to do (trigger, dry run, campaigns, start time), JSON. */
  runMeta(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:meta`;
  }

  /** Hash ad set id → targeting as listed while planning (short-lived; saves a read per ad set). */
  listedTargeting(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:listed`;
  }

  /** Hash ad set id → report line of an ad set found already in step while planning (it gets no job). */
  unchangedAdsets(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:unchanged`;
  }

  /** Hash ad set id → targeting read just before this run wrote it (for manual restore). */
  previousTargeting(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:previous`;
  }

  /** Hash channel → delivery status of this run's report. */
  deliveries(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:deliveries`;
  }

  /** Set when NOTIFY_ON kept this run's report from the channels (its follow-ups then follow suit). */
  notifySkipped(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:notify-skipped`;
  }

  /** Set when the Facebook token was found invalid during this run: later calls are skipped. */
  tokenFailure(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:token-failure`;
  }

  /** The newest run that planned a campaign, JSON { runId, plannedAt }. */
  campaignOwner(campaign: string): string {
    return `${this.bullPrefix}:campaign:${encodeURIComponent(campaign)}:owner`;
  }

  /** The campaign's last completed run in one mode, JSON { runId, startedMs, activeStates, deferred }. */
  campaignLastCompleted(campaign: string, mode: 'live' | 'dry'): string {
    return `${this.bullPrefix}:campaign:${encodeURIComponent(campaign)}:last-completed:${mode}`;
  }

  /** Set while the campaign's newest run in one mode was held by its guardrails, JSON { runId, activeStates }. */
  campaignHeld(campaign: string, mode: 'live' | 'dry'): string {
    return `${this.bullPrefix}:campaign:${encodeURIComponent(campaign)}:held:${mode}`;
  }

  /** Sorted set of the campaign's per-state demand, one member per change (score: ms read). */
  demandHistory(campaign: string): string {
    return `${this.bullPrefix}:campaign:${encodeURIComponent(campaign)}:demand`;
  }

  /** Hash of demand-check counters (checks, overlapped, changes, runs). */
  get demandCheckStats(): string {
    return `${this.bullPrefix}:demand-check:stats`;
  }

  /** Hash campaign → JSON { okAt, badAt, bad } of its demand reads (runs and checks). */
  get demandReads(): string {
    return `${this.bullPrefix}:demand-check:reads`;
  }

  /** Held while one demand check runs, so two never overlap. */
  get demandCheckLock(): string {
    return `${this.bullPrefix}:demand-check:lock`;
  }

  /** The ad set's current change and its protection (AdsetWatch JSON; see queue/adset-journal.ts). */
  adsetJournal(adsetId: string): string {
    return `${this.bullPrefix}:adset:${adsetId}:journal`;
  }

  /** Sorted set: ad sets of a Facebook campaign under watch, scored by when their next look is due. */
  watchDue(facebookCampaignId: string): string {
    return `${this.bullPrefix}:watch:${facebookCampaignId}:due`;
  }

  /** The id of the watch job currently looking after a Facebook campaign. */
  watchJob(facebookCampaignId: string): string {
    return `${this.bullPrefix}:watch:${facebookCampaignId}:job`;
  }

  /** Set of a run's ad sets whose watch is not over. */
  runWatching(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:watching`;
  }

  /** Hash ad set id → the watch's latest result line for the run's report. */
  runWatchResults(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:watch-results`;
  }

  /** Hash ad set id → why the ad set's job gave up (AdsetFailure JSON, report/failures.ts), kept as long as the report. */
  runFailures(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:failures`;
  }

  /** Hash ad set id → { before, after } state regions of what the run wrote (for undo). */
  runChanges(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:changes`;
  }

  /** Hash campaign → { regionKeys } as planned: job data is checked against it before any write. */
  runPlan(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:plan`;
  }

  /** Pacing state of an ad account (pause-until, recent usage). */
  accountPace(adAccountId: string): string {
    return `${this.bullPrefix}:account:${adAccountId}:pace`;
  }

  /** Sorted set of the moments an ad account's pacer reserved for parked callers (score: the moment). */
  accountReservations(adAccountId: string): string {
    return `${this.bullPrefix}:account:${adAccountId}:reservations`;
  }

  /** Pacing state of the whole app (a pause that holds every ad account, after Meta's app limit). */
  get appPace(): string {
    return `${this.bullPrefix}:app:pace`;
  }
}
