import type { Redis } from 'ioredis';
import type { Keyspace } from '../queue/keys';

/** The contract asks for at least 90 days; a little more keeps the 90th day whole. */
export const DEMAND_HISTORY_DAYS = 95;
const DAY_MS = 24 * 3600 * 1000;

/** One reading: when it was read and each state's demand (states at zero are left out). */
export interface DemandPoint {
  at: number;
  demand: Record<string, number>;
}

/** `CA=5,TX=4`: sorted, so two identical answers encode identically. */
export function encodeDemand(demand: ReadonlyMap<string, number> | Record<string, number>): string {
  const entries: [string, number][] = demand instanceof Map ? [...demand] : Object.entries(demand);
  return entries
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, n]) => `${code}=${n}`)
    .join(',');
}

export function decodeDemand(encoded: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (encoded === '') return out;
  for (const part of encoded.split(',')) {
    const eq = part.lastIndexOf('=');
    out[part.slice(0, eq)] = Number(part.slice(eq + 1));
  }
  return out;
}

// Members are `<ms>|<encoded demand>`. A reading equal to the newest one adds nothing (a demand that
// stays the same for weeks costs one member). Members older than the window go, except the newest of
// them: it is the demand in effect when the window starts.
const RECORD = `
local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0)
local changed = 1
if newest[1] then
  local sep = string.find(newest[1], '|', 1, true)
  if string.sub(newest[1], sep + 1) == ARGV[2] then changed = 0 end
end
if changed == 1 then redis.call('ZADD', KEYS[1], ARGV[1], ARGV[1] .. '|' .. ARGV[2]) end
local old = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[3])
if old > 1 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, old - 2) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return changed`;

/** Each campaign's per-state demand as read by runs and checks, kept compactly for 95 days. */
export class DemandHistory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Stores a reading; true when it differs from the previous one. */
  async record(campaign: string, demand: ReadonlyMap<string, number>, at = Date.now()): Promise<boolean> {
    const windowMs = DEMAND_HISTORY_DAYS * DAY_MS;
    const changed = await this.redis.eval(
      RECORD,
      1,
      this.keys.demandHistory(campaign),
      String(at),
      encodeDemand(demand),
      String(at - windowMs),
      String(windowMs),
    );
    return changed === 1;
  }

  /** Readings from `fromMs` on, preceded by the one in effect at `fromMs` (when there is one). */
  async since(campaign: string, fromMs: number): Promise<DemandPoint[]> {
    const key = this.keys.demandHistory(campaign);
    const [before, after] = await Promise.all([
      this.redis.zrevrangebyscore(key, `(${fromMs}`, '-inf', 'LIMIT', 0, 1),
      this.redis.zrangebyscore(key, fromMs, '+inf'),
    ]);
    return [...before, ...after].map(parseMember);
  }
}

function parseMember(member: string): DemandPoint {
  const sep = member.indexOf('|');
  return { at: Number(member.slice(0, sep)), demand: decodeDemand(member.slice(sep + 1)) };
}

export interface DemandDay {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** Highest demand per state in effect during the day; undefined before the first reading. */
  demand?: Record<string, number>;
}

/**
 * The last `days` UTC days up to `now`, oldest first, each with the highest demand of every state in
 * effect during it (the reading carried over from the day before, and every reading of the day).
 */
export function dailyDemand(points: readonly DemandPoint[], days: number, now = Date.now()): DemandDay[] {
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const out: DemandDay[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const start = today - i * DAY_MS;
    const end = start + DAY_MS;
    const carried = sorted.filter((p) => p.at < start).at(-1);
    const during = sorted.filter((p) => p.at >= start && p.at < end && p.at <= now);
    const inEffect = [...(carried ? [carried] : []), ...during];
    const day = new Date(start).toISOString().slice(0, 10);
    if (inEffect.length === 0) {
      out.push({ day });
      continue;
    }
    const demand: Record<string, number> = {};
    for (const p of inEffect)
      for (const [code, n] of Object.entries(p.demand)) demand[code] = Math.max(demand[code] ?? 0, n);
    out.push({ day, demand });
  }
  return out;
}
