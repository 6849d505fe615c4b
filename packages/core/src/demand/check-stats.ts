import type { Redis } from 'ioredis';
import type { Keyspace } from '../queue/keys';

/** Counters behind `/metrics`, so an operator can alert on "demand unreadable for 2 hours". */
export interface DemandCheckCounters {
  /** Checks that ran. */
  checks: number;
  /** Checks that found another still running and did nothing. */
  overlapped: number;
  /** Campaigns found out of step with their demand (each starts a sync). */
  changes: number;
  /** Runs started by checks. */
  runs: number;
}

/** The latest demand reads of one campaign, by runs and checks alike. */
export interface DemandReadState {
  /** Last read that a run could act on (ms). */
  okAt?: number;
  /** Last read that would abort a run: bad data, all zeros, refused (ms). */
  badAt?: number;
  /** Such reads so far. */
  bad: number;
}

const COUNTER_FIELDS: Array<keyof DemandCheckCounters> = ['checks', 'overlapped', 'changes', 'runs'];

// One read-modify-write per campaign in Redis, so two processes recording at once lose nothing.
const RECORD_READ = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local state = raw and cjson.decode(raw) or { bad = 0 }
if ARGV[2] == 'ok' then state.okAt = tonumber(ARGV[3]) else state.badAt = tonumber(ARGV[3]); state.bad = (state.bad or 0) + 1 end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
return 1`;

export class DemandCheckStats {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  async count(field: keyof DemandCheckCounters, by = 1): Promise<void> {
    if (by > 0) await this.redis.hincrby(this.keys.demandCheckStats, field, by);
  }

  async recordRead(campaign: string, ok: boolean, at = Date.now()): Promise<void> {
    await this.redis.eval(RECORD_READ, 1, this.keys.demandReads, campaign, ok ? 'ok' : 'bad', String(at));
  }

  async counters(): Promise<DemandCheckCounters> {
    const raw = await this.redis.hgetall(this.keys.demandCheckStats);
    return Object.fromEntries(COUNTER_FIELDS.map((f) => [f, Number(raw[f] ?? 0)])) as unknown as DemandCheckCounters;
  }

  async reads(): Promise<Record<string, DemandReadState>> {
    const raw = await this.redis.hgetall(this.keys.demandReads);
    return Object.fromEntries(
      Object.entries(raw).map(([campaign, json]) => [campaign, JSON.parse(json) as DemandReadState]),
    );
  }
}
