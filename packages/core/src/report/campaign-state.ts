import type { Redis } from 'ioredis';
import { KEY_TTL_S, type Keyspace } from '../queue/keys';
import type { AdsetResult, RunReport } from './types';

/** Campaign state is kept longer than run history: a demand that stays the same for weeks is normal. */
const CAMPAIGN_STATE_TTL_S = KEY_TTL_S.campaignState;

export type RunMode = 'live' | 'dry';
export const modeOf = (dryRun: boolean): RunMode => (dryRun ? 'dry' : 'live');

/** What the guardrails and the demand checks need to know of a campaign's last completed run. */
export interface LastCompleted {
  runId: string;
  startedMs: number;
  activeStates: string[];
  /** An ad set of that run was deferred (an earlier change still watched): the campaign is not in step. */
  deferred: boolean;
}

export interface HeldMarker {
  runId: string;
  activeStates: string[];
}

// Runs can finish out of order (a slow run started before a fast one): only a newer run replaces
// the record.
const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local stored = cjson.decode(current)
  if tonumber(stored.startedMs) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * Per campaign and mode (live, dry): its last completed run and whether its newest run was held.
 * Written from every report; read by planning (guardrails) and by demand checks.
 */
export class CampaignStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
  ) {}

  /** Records what a report says of each campaign. A held or aborted campaign keeps its last completed run. */
  async recordReport(report: RunReport): Promise<void> {
    const mode = modeOf(report.dryRun);
    const startedMs = Date.parse(report.startedAt);
    for (const c of report.campaigns) {
      if (c.status === 'completed') {
        const record: LastCompleted = {
          runId: report.runId,
          startedMs,
          activeStates: c.activeStates,
          deferred: c.adsets.some(isDeferred),
        };
        const replaced = await this.redis.eval(
          SET_IF_NEWER,
          1,
          this.keys.campaignLastCompleted(c.name, mode),
          JSON.stringify(record),
          String(startedMs),
          String(CAMPAIGN_STATE_TTL_S),
        );
        if (replaced === 1) await this.redis.del(this.keys.campaignHeld(c.name, mode));
      } else if (c.status === 'held') {
        const marker: HeldMarker = { runId: report.runId, activeStates: c.activeStates };
        await this.redis.set(this.keys.campaignHeld(c.name, mode), JSON.stringify(marker), 'EX', CAMPAIGN_STATE_TTL_S);
      }
    }
  }

  async lastCompleted(campaign: string, mode: RunMode): Promise<LastCompleted | undefined> {
    return parse<LastCompleted>(await this.redis.get(this.keys.campaignLastCompleted(campaign, mode)));
  }

  async held(campaign: string, mode: RunMode): Promise<HeldMarker | undefined> {
    return parse<HeldMarker>(await this.redis.get(this.keys.campaignHeld(campaign, mode)));
  }

  /** Forgets a hold whose demand has gone (demand came back to the last completed run's). */
  async clearHeld(campaign: string, mode: RunMode): Promise<void> {
    await this.redis.del(this.keys.campaignHeld(campaign, mode));
  }
}

/** `deferred`: an earlier change of the ad set was still watched, so this run left it alone. */
function isDeferred(adset: AdsetResult): boolean {
  return (adset.outcome as string) === 'deferred';
}

function parse<T>(raw: string | null): T | undefined {
  return raw ? (JSON.parse(raw) as T) : undefined;
}
