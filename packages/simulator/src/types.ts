/**
 * Shapes shared by the scenario files, the live state and the HTTP layer.
 * Scenario types mirror the JSON files in ../scenarios; state types are what tests read and mutate.
 */

/** Which usage headers the simulator sends on calls charged to an ad account. */
export type UsageHeaderSet = 'all' | 'buc';

/**
 * An ad account's score budget: reads cost 1 point, writes 3, and the score drains evenly, `maxPoints`
 * per `windowMs` (an assumption: Meta documents a 300 s decay, not its shape). With `blockMs`, reaching the maximum blocks the account for that long
 * (calls during the block extend it), as Meta does; without it, a refused call waits only until it fits.
 */
export interface RateBudget {
  maxPoints: number;
  windowMs: number;
  /** Fixed block once the maximum is reached (Meta: 300 s at Limited access, 60 s at Full). */
  blockMs?: number;
  /**
   * `buc`: only X-Business-Use-Case-Usage (what Meta's current docs mostly send); `all` (default):
   * X-Ad-Account-Usage too.
   */
  headers?: UsageHeaderSet;
}

/** Meta's documented access tiers, by name (meta-graph-api.md §7 and §15). */
export interface RateTier {
  tier: 'limited' | 'full';
  headers?: UsageHeaderSet;
}

export interface ScenarioAdAccount {
  rateBudget?: RateBudget | RateTier;
  /** POSTs allowed per second for this account before 613/5044001 (default 100). */
  mutationQps?: number;
  name?: string;
}

export interface ScenarioCampaign {
  adAccountId: string;
  name: string;
  status?: string;
  effective_status?: string;
}

export interface IssueInfo {
  level: string;
  error_code: number;
  error_summary: string;
  error_message: string;
  error_type: string;
  [extra: string]: unknown;
}

export interface ScenarioAdset {
  id: string;
  campaignId: string;
  name: string;
  status: string;
  effective_status: string;
  targeting: Record<string, unknown>;
  issues_info?: IssueInfo[];
  updated_time?: string;
  created_time?: string;
  daily_budget?: string;
  lifetime_budget?: string;
  optimization_goal?: string;
  billing_event?: string;
  destination_type?: string;
}

/**
 * How the review that follows a geo change of its ad set ends for an ad:
 * `none` healthy; `break` lead-form issue #3390001 that a republish does not heal;
 * `break-heal-on-republish` the same issue, healed by a later `status=ACTIVE`; `disapprove` DISAPPROVED.
 */
export type OnGeoChange = 'none' | 'break' | 'break-heal-on-republish' | 'disapprove';

export interface ScenarioAd {
  id: string;
  adsetId: string;
  name: string;
  status: string;
  effective_status: string;
  issues_info?: IssueInfo[];
  ad_review_feedback?: Record<string, unknown>;
  onGeoChange?: OnGeoChange;
  /** how long this ad's reviews take, overriding the scenario's `graph.reviewMs` */
  reviewMs?: number;
}

export interface ClosrtechScenario {
  email?: string | null;
  password?: string | null;
  /** campaign param -> JSON body returned as is */
  campaigns: Record<string, unknown>;
  noAccess?: string[];
}

export interface GraphScenario {
  accessToken: string;
  tokenExpired?: boolean;
  appSecret?: string | null;
  deprecatedVersions?: string[];
  pageCap?: number;
  tokenScopes?: string[];
  /** how long an ad's review takes after an edit, in ms (default 0: it ends at once) */
  reviewMs?: number;
  adAccounts: Record<string, ScenarioAdAccount>;
  campaigns: Record<string, ScenarioCampaign>;
  adsets: ScenarioAdset[];
  ads: ScenarioAd[];
}

export interface Scenario {
  latencyMs?: number;
  closrtech: ClosrtechScenario;
  graph: GraphScenario;
  faults?: FaultRule[];
}

export type FaultResponse =
  | {
      kind: 'graph-error';
      code: number;
      subcode?: number;
      isTransient?: boolean;
      message?: string;
      userTitle?: string;
      userMsg?: string;
      httpStatus?: number;
      estimatedMinutes?: number;
      resetSeconds?: number;
    }
  | { kind: 'http'; status: number; body: string; contentType?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' };

export interface FaultMatch {
  api?: 'graph' | 'closrtech';
  method?: 'GET' | 'POST';
  objectId?: string;
  edge?: string;
  /** CLOSRTECH `campaign` query parameter */
  campaign?: string;
  /** only the nth matching call, 1-based */
  nth?: number;
}

export interface FaultRule {
  match: FaultMatch;
  /** uses left; default 1, -1 = forever */
  times?: number;
  response: FaultResponse;
}

export interface RecordedCall {
  api: 'graph' | 'closrtech' | 'admin';
  method: string;
  path: string;
  objectId?: string;
  edge?: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
  status: number;
  adAccountId?: string;
  at: number;
  throttled?: boolean;
}

/** One accepted POST on an ad set or ad (tests count these). */
export interface WriteRecord {
  objectId: string;
  kind: 'adset' | 'ad';
  /** the parameters that were applied, e.g. { targeting } or { status } */
  fields: Record<string, unknown>;
  at: number;
}

export interface GraphSettings {
  accessToken: string;
  tokenExpired: boolean;
  appSecret: string | null;
  deprecatedVersions: string[];
  pageCap: number;
  tokenScopes: string[];
  reviewMs: number;
}

/** A review in progress: the ad shows PENDING_REVIEW until `endsAt`, then the verdict is applied. */
export interface PendingReview {
  adId: string;
  adsetId: string;
  /** epoch ms */
  endsAt: number;
  /** what started it: a geo change of the ad set, or the republish of a broken ad */
  cause: 'geo-change' | 'republish';
  /** the ad set's geo the review judges (geo-change reviews), as `geoSignature` text */
  geo?: string;
  /** issues other than the lead-form break, hidden while in review and shown again after it */
  otherIssues: IssueInfo[];
}

/** Live in-memory state. Plain records so tests can poke at them and the admin route can serialise them. */
export interface SimulatorState {
  latencyMs: number;
  closrtech: ClosrtechScenario;
  graph: GraphSettings;
  adAccounts: Record<string, ScenarioAdAccount>;
  campaigns: Record<string, ScenarioCampaign>;
  adsets: Record<string, ScenarioAdset>;
  ads: Record<string, ScenarioAd>;
  writes: WriteRecord[];
  /** reviews in progress, by ad id (resolved lazily when ads are read) */
  reviews: Record<string, PendingReview>;
  /** per ad set, the geo its ads were approved with (set at its first geo change), as `geoSignature` text */
  approvedGeo: Record<string, string>;
}
