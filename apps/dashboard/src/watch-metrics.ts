import type { Campaign, Keyspace } from '@closrads/core';
import type { Redis } from 'ioredis';
import { Exposition } from './metrics';

/**
 * The watch family of `/metrics`:
 *
 *   closrads_adsets_in_review{campaign}   ad sets whose watch is not over (Meta is still reviewing their ads)
 *
 * The worker keeps one sorted set per Facebook campaign of its watched ad sets (`watchDue`); a
 * campaign's figure is the sum over its Facebook campaign ids. Every configured campaign is listed,
 * disabled ones too: a watch started before a campaign was disabled still runs to its end.
 */
export async function renderWatchMetrics(
  redis: Redis,
  keys: Keyspace,
  campaigns: readonly Campaign[],
): Promise<string> {
  const watched = campaigns.flatMap((c) =>
    c.facebookCampaignIds.map((id) => ({ campaign: c.name, key: keys.watchDue(id) })),
  );
  const pipeline = redis.pipeline();
  for (const w of watched) pipeline.zcard(w.key);
  const replies = (await pipeline.exec()) ?? [];
  const totals = new Map<string, number>(campaigns.map((c) => [c.name, 0]));
  watched.forEach((w, i) => {
    const [err, n] = replies[i] ?? [new Error('no reply from Redis')];
    if (err) throw err;
    totals.set(w.campaign, (totals.get(w.campaign) ?? 0) + Number(n));
  });
  const samples = [...totals].map(([campaign, n]): [Record<string, string>, number] => [{ campaign }, n]);
  const out = new Exposition();
  out.family(
    'closrads_adsets_in_review',
    'gauge',
    'Ad sets whose watch is not over (their ads are still in review)',
    samples,
  );
  return out.toString();
}
