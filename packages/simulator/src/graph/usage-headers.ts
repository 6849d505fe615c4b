import type { AccountUsage } from '../rate-budget.js';

export interface UsageOverride {
  resetSeconds?: number;
  estimatedMinutes?: number;
  throttled?: boolean;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * The usage headers. Assumption: app usage stays low (the simulator models limits per ad account;
 * Meta says X-App-Usage does not govern Marketing API calls); the account
 * headers appear only when the call is charged to an ad account, and X-Ad-Account-Usage only when the
 * account's budget does not say `headers: 'buc'` (Meta's current docs mostly send the BUC header alone).
 * Assumption: the BUC `call_count` is the score's percentage and `total_cputime` / `total_time` half of
 * it (Meta does not say how these relate to the score). Assumption: `ads_api_access_tier` is always
 * `standard_access`, whatever the budget (the product reads it as Limited access's 60 points only when
 * the first reading agrees).
 */
export function usageHeaders(
  adAccountId: string | undefined,
  usage: AccountUsage | undefined,
  override: UsageOverride = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-app-usage': JSON.stringify({ call_count: 1, total_time: 1, total_cputime: 1 }),
  };
  if (!adAccountId || !usage) return headers;
  const pct = override.throttled ? Math.max(100, usage.pct) : usage.pct;
  const reset = override.resetSeconds ?? usage.resetSeconds;
  // While blocked, the BUC header says how many minutes remain (rounded up, so waiting that long is enough).
  const blockedMinutes = Math.ceil(usage.blockedSeconds / 60);
  const minutes =
    override.estimatedMinutes ??
    (usage.blockedSeconds > 0 ? blockedMinutes : override.throttled ? Math.floor(reset / 60) : 0);
  if (usage.headers !== 'buc') {
    headers['x-ad-account-usage'] = JSON.stringify({
      acc_id_util_pct: round2(pct),
      reset_time_duration: reset,
      ads_api_access_tier: 'standard_access',
    });
  }
  const whole = Math.round(pct);
  headers['x-business-use-case-usage'] = JSON.stringify({
    [adAccountId.replace(/^act_/, '')]: [
      {
        type: 'ads_management',
        call_count: whole,
        total_cputime: Math.round(whole / 2),
        total_time: Math.round(whole / 2),
        estimated_time_to_regain_access: minutes,
        ads_api_access_tier: 'standard_access',
      },
    ],
  });
  return headers;
}
