import type { AccountUsage } from '../rate-budget.js';

export interface UsageOverride {
  resetSeconds?: number;
  estimatedMinutes?: number;
  throttled?: boolean;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * The three usage headers. Assumption: app usage stays low (the simulator models limits per ad
 * account; Meta says X-App-Usage does not govern Marketing API calls);
 * the account headers appear only when the call is charged to an ad account.
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
  const minutes = override.estimatedMinutes ?? (override.throttled ? Math.floor(reset / 60) : 0);
  headers['x-ad-account-usage'] = JSON.stringify({
    acc_id_util_pct: round2(pct),
    reset_time_duration: reset,
    ads_api_access_tier: 'standard_access',
  });
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
