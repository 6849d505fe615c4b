import type { Redis } from 'ioredis';
import { KEY_TTL_S, type Keyspace } from '../queue/keys';
import { parseAdsetFailure, type AdsetFailure } from './failures';
import type { CampaignReport, DeliveryStatus, RunReport, RunTrigger } from './types';

/** Reports and run history are kept 35 days (the contract asks for at least 30). */
export const RUN_RETENTION_S = KEY_TTL_S.run;

export interface RunMeta {
  runId: string;
  trigger: RunTrigger;
  dryRun: boolean;
  /** Campaign names asked for; empty = every enabled campaign. */
  campaigns: string[];
  startedAt: string;
  /** For an undo run: the run it undoes. */
  undoOf?: string;
}

/** A report without its ad set lines: what lists of runs need, small however large the run. */
export type ReportSummary = Omit<RunReport, 'campaigns' | 'lateChanges'> & {
  campaigns: Array<Omit<CampaignReport, 'adsets'>>;
};

export interface RunSummary {
  meta: RunMeta;
  report?: ReportSummary;
}

export function summarize(report: RunReport): ReportSummary {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { campaigns, lateChanges, ...rest } = report;
  return { ...rest, campaigns: campaigns.map(({ adsets: _adsets, ...campaign }) => campaign) };
}

/** Run history in Redis: what each run was asked to do, and its report once finished. */
export class RunStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async recordStart(meta: RunMeta): Promise<void> {
    const startedMs = Date.parse(meta.startedAt);
    await this.redis
      .multi()
      .set(this.keys.runMeta(meta.runId), JSON.stringify(meta), 'EX', RUN_RETENTION_S)
      .zadd(this.keys.runs, startedMs, meta.runId)
      .zremrangebyscore(this.keys.runs, '-inf', Date.now() - RUN_RETENTION_S * 1000)
      .exec();
  }

  /** Undoes recordStart for a run that could not be started (nothing of it may be left behind). */
  async forgetStart(runId: string): Promise<void> {
    // DEL and ZREM free memory: Redis accepts them even when it refuses writes for lack of memory, but
    // not inside a MULTI (out of memory, Redis refuses to queue any command), hence two plain commands.
    await this.redis.zrem(this.keys.runs, runId);
    await this.redis.del(this.keys.runMeta(runId));
  }

  async getMeta(runId: string): Promise<RunMeta | undefined> {
    return parse<RunMeta>(await this.redis.get(this.keys.runMeta(runId)));
  }

  async saveReport(report: RunReport): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.report(report.runId), JSON.stringify(report), 'EX', RUN_RETENTION_S)
      .set(this.keys.reportSummary(report.runId), JSON.stringify(summarize(report)), 'EX', RUN_RETENTION_S)
      .exec();
  }

  async getReport(runId: string): Promise<RunReport | undefined> {
    return parse<RunReport>(await this.redis.get(this.keys.report(runId)));
  }

  /** The newest runs first, finished or not, with report summaries (no ad set lines). */
  async listRuns(limit = 50): Promise<RunSummary[]> {
    const ids = await this.redis.zrevrange(this.keys.runs, 0, limit - 1);
    if (ids.length === 0) return [];
    const metaKeys = ids.map((id) => this.keys.runMeta(id));
    const reportKeys = ids.map((id) => this.keys.reportSummary(id));
    const values = await this.redis.mget(...metaKeys, ...reportKeys);
    const out: RunSummary[] = [];
    ids.forEach((_, i) => {
      const meta = parse<RunMeta>(values[i] ?? null);
      const report = parse<ReportSummary>(values[ids.length + i] ?? null);
      if (meta) out.push({ meta, report });
    });
    return out;
  }

  /** The summary of the most recent run that has a report. */
  async latestFinished(scan = 50): Promise<ReportSummary | undefined> {
    return (await this.listRuns(scan)).find((r) => r.report)?.report;
  }

  /** Records why an ad set's job gave up, for the report (the last word of the ad set's job wins). */
  async recordFailure(runId: string, failure: AdsetFailure): Promise<void> {
    const key = this.keys.runFailures(runId);
    await this.redis.multi().hset(key, failure.adsetId, JSON.stringify(failure)).expire(key, RUN_RETENTION_S).exec();
  }

  async getFailures(runId: string, adsetIds: readonly string[]): Promise<Map<string, AdsetFailure>> {
    if (adsetIds.length === 0) return new Map();
    const raw = await this.redis.hmget(this.keys.runFailures(runId), ...adsetIds);
    const out = new Map<string, AdsetFailure>();
    raw.forEach((value, i) => {
      const failure = parseAdsetFailure(value);
      if (failure) out.set(adsetIds[i]!, failure);
    });
    return out;
  }

  async recordDelivery(runId: string, channel: string, status: DeliveryStatus): Promise<void> {
    const key = this.keys.deliveries(runId);
    await this.redis.multi().hset(key, channel, JSON.stringify(status)).expire(key, RUN_RETENTION_S).exec();
  }

  async getDeliveries(runId: string): Promise<Record<string, DeliveryStatus>> {
    const raw = await this.redis.hgetall(this.keys.deliveries(runId));
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as DeliveryStatus]));
  }
}

function parse<T>(raw: string | null): T | undefined {
  return raw ? (JSON.parse(raw) as T) : undefined;
}
