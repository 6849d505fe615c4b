import type { AdIssue } from '../report/types';
import { adCondition, reviewStateOf, type AdState } from './ad-health';
import type { RegionEntry } from './targeting';

/**
 * The protection of one written ad set, as an explicit state machine. Meta reviews an ad set's ads
 * again after a targeting change (for minutes to hours they are PENDING_REVIEW / IN_PROCESS), and a
 * broken lead form or a disapproval only shows once that review ends. So after every live write the
 * ads are watched until their review settles or WATCH_MS has passed.
 *
 *   writing ──write confirmed──▶ watching ──ads healthy──────────────▶ done (updated, review passed)
 *      │                          │  └──ads broken: republish once──▶ healing ──healthy──▶ done
 *      │ job died mid-write       │                                   └─still broken──▶ restoring
 *      ▼                          └──only rejected ads broken─────────────────────────▶ restoring
 *   unsure ──write landed──▶ watching                   restoring ──restored──▶ restored ──▶ done (reverted)
 *      └──it did not land──▶ done (failed)                  └──restore failed for good──▶ done (failed, needs a person)
 *
 * Every transition is decided here, from the state and what the ads look like now; the watch job
 * (apps/worker) only carries the decisions out and stores the new state.
 */
export type WatchPhase = 'writing' | 'unsure' | 'watching' | 'healing' | 'restoring' | 'restored' | 'done';

/** What the report says about the ad set at this moment of its watch. */
export interface WatchResult {
  outcome: 'updated' | 'reverted' | 'failed';
  review?: 'pending' | 'passed';
  ads?: AdIssue[];
  error?: string;
  needsAttention?: boolean;
  rolledBack?: boolean;
}

/** One ad set's change and its protection, stored in Redis by the ad set journal. */
export interface AdsetWatch {
  runId: string;
  campaign: string;
  adsetId: string;
  adsetName: string;
  facebookCampaignId: string;
  adAccountId: string;
  protection: boolean;
  phase: WatchPhase;
  /** The US state regions the ad set had before this change, verbatim: a rollback restores exactly these. */
  beforeStates: RegionEntry[];
  /** The state region keys this change writes. */
  afterKeys: string[];
  added: string[];
  removed: string[];
  warnings: string[];
  claimedAt: number;
  writtenAt?: number;
  /** The watch ends at this time whatever the review says. */
  watchUntil?: number;
  nextLookAt?: number;
  /** Looks since the last action, for the growing intervals. */
  looks: number;
  /** When the first look after the write was taken (the run's report waits for it). */
  firstLookAt?: number;
  /** Ads republished once because they broke after the change. */
  republished?: string[];
  restoreAttempts: number;
  result?: WatchResult;
}

export interface WatchTiming {
  /** The first look comes this long after a write (VERIFY_DELAY_MS), and again after each action. */
  verifyDelayMs: number;
  /** How long after the write the ads are watched at most (WATCH_MS). */
  watchMs: number;
}

/** Looks while ads are in review come at doubling intervals, at most this far apart. */
export const MAX_LOOK_INTERVAL_MS = 10 * 60_000;
/** A rollback that keeps failing with errors worth retrying is given up after this many tries. */
export const MAX_RESTORE_ATTEMPTS = 4;

/** When the next look is due after `looks` looks that found the ads still in review. */
export function nextLookDelay(looks: number, timing: WatchTiming): number {
  const base = Math.max(timing.verifyDelayMs, 1000);
  return Math.min(base * 2 ** Math.max(0, looks), MAX_LOOK_INTERVAL_MS);
}

/** What the watch does for one ad set after a look at its ads. */
export type WatchDecision =
  /** Ads still in review: look again at `nextLookAt`; the report says `result` meanwhile. */
  | { kind: 'wait'; nextLookAt: number; result: WatchResult }
  /** Send status=ACTIVE to these ads once, then look again at `nextLookAt`. */
  | { kind: 'republish'; adIds: string[]; nextLookAt: number }
  /** Put the previous state regions back onto the ad set's current targeting. */
  | { kind: 'restore'; broken: AdIssue[] }
  /** The watch of this ad set is over. */
  | { kind: 'finish'; result: WatchResult };

/** Rejected ads cannot be switched back on (Meta: 2490427/2490468); only others are worth a republish. */
const republishable = (ads: readonly AdState[], broken: readonly AdIssue[]): string[] => {
  const ids = new Set(broken.map((b) => b.id));
  return ads
    .filter((a) => ids.has(a.id) && adCondition(a) === 'broken' && a.effective_status !== 'DISAPPROVED')
    .map((a) => a.id);
};

/**
 * Decides what follows a look at an ad set's ads in phase watching, healing or restored. (writing,
 * unsure and restoring are not decided by a look: see `decideUnsure` and the restore step.)
 */
export function decideLook(
  watch: AdsetWatch,
  ads: readonly AdState[],
  now: number,
  timing: WatchTiming,
): WatchDecision {
  const review = reviewStateOf(ads);
  const expired = now >= (watch.watchUntil ?? now);
  const later = now + nextLookDelay(watch.looks, timing);
  const nextLookAt = watch.watchUntil !== undefined ? Math.min(later, watch.watchUntil) : later;

  if (watch.phase === 'restored') {
    const restored: WatchResult = { outcome: 'reverted', rolledBack: true, ads: watch.result?.ads ?? [] };
    if (review.state === 'broken') {
      return {
        kind: 'finish',
        result: {
          ...restored,
          needsAttention: true,
          error: `ads are still broken after the previous states were restored: ${review.broken.map((b) => b.name || b.id).join(', ')}`,
        },
      };
    }
    if (review.state === 'in-review' && !expired)
      return { kind: 'wait', nextLookAt, result: { ...restored, review: 'pending' } };
    return { kind: 'finish', result: { ...restored, review: review.state === 'healthy' ? 'passed' : 'pending' } };
  }

  if (review.state === 'broken') {
    const toRepublish = republishable(ads, review.broken);
    if (watch.phase === 'watching' && toRepublish.length > 0) {
      return { kind: 'republish', adIds: toRepublish, nextLookAt: now + Math.max(timing.verifyDelayMs, 0) };
    }
    return { kind: 'restore', broken: review.broken };
  }
  if (review.state === 'healthy') return { kind: 'finish', result: { outcome: 'updated', review: 'passed' } };
  if (expired) return { kind: 'finish', result: { outcome: 'updated', review: 'pending' } };
  return { kind: 'wait', nextLookAt, result: { outcome: 'updated', review: 'pending' } };
}

/** After a rollback attempt: the new phase and what the report says. */
export function afterRestore(
  watch: AdsetWatch,
  attempt: { ok: true } | { ok: false; retryable: boolean; message: string },
  broken: readonly AdIssue[],
  now: number,
  timing: WatchTiming,
): Pick<AdsetWatch, 'phase' | 'restoreAttempts' | 'nextLookAt' | 'looks' | 'result'> {
  const attempts = watch.restoreAttempts + 1;
  if (attempt.ok) {
    return {
      phase: 'restored',
      restoreAttempts: attempts,
      looks: 0,
      nextLookAt: now + Math.max(timing.verifyDelayMs, 0),
      result: { outcome: 'reverted', rolledBack: true, ads: [...broken], review: 'pending' },
    };
  }
  if (attempt.retryable && attempts < MAX_RESTORE_ATTEMPTS) {
    return {
      phase: 'restoring',
      restoreAttempts: attempts,
      looks: watch.looks,
      nextLookAt: now + nextLookDelay(attempts - 1, timing),
      result: watch.result,
    };
  }
  return {
    phase: 'done',
    restoreAttempts: attempts,
    looks: watch.looks,
    nextLookAt: undefined,
    result: {
      outcome: 'failed',
      ads: [...broken],
      rolledBack: false,
      needsAttention: true,
      error: `ads broke after the update and the rollback failed (${attempt.message}); restore the previous states by hand`,
    },
  };
}

/**
 * A job that died during its write leaves the change `unsure`: whether Meta applied the write is read
 * back from the ad set's state regions.
 */
export function decideUnsure(watch: AdsetWatch, currentStateKeys: readonly string[]): 'landed' | 'not-landed' {
  const after = new Set(watch.afterKeys);
  return currentStateKeys.length === after.size && currentStateKeys.every((k) => after.has(k))
    ? 'landed'
    : 'not-landed';
}

/** Whether the run's report may take this ad set's result: every write has had its first look and no action is half-way. */
export function settledForReport(watch: AdsetWatch): boolean {
  if (watch.phase === 'done') return true;
  return watch.firstLookAt !== undefined && (watch.phase === 'watching' || watch.phase === 'restored');
}
