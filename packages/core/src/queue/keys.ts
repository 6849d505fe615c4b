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

  /** Hash ad set id → targeting read just before this run wrote it (for rollback and manual restore). */
  previousTargeting(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:previous`;
  }

  /** Hash channel → delivery status of this run's report. */
  deliveries(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:deliveries`;
  }

  /** Set when the Facebook token was found invalid during this run: later calls are skipped. */
  tokenFailure(runId: string): string {
    return `${this.bullPrefix}:run:${runId}:token-failure`;
  }

  /** The newest run that planned a campaign, JSON { runId, plannedAt }. */
  campaignOwner(campaign: string): string {
    return `${this.bullPrefix}:campaign:${encodeURIComponent(campaign)}:owner`;
  }

  /** Held while one job reads, modifies and writes an ad set. */
  adsetLock(adsetId: string): string {
    return `${this.bullPrefix}:adset:${adsetId}:lock`;
  }

  /** The last targeting this product wrote to an ad set, JSON { runId, keys, at }. */
  adsetLastWrite(adsetId: string): string {
    return `${this.bullPrefix}:adset:${adsetId}:last-write`;
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

  /** Writes to an ad account in one second (keeps under Meta's 100 mutations per second). */
  accountWrites(adAccountId: string, second: number): string {
    return `${this.bullPrefix}:account:${adAccountId}:writes:${second}`;
  }
}
