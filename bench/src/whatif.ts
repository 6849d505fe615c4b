/**
 * What-if experiments: runtime patches applied in the worker process to model a fix proposed for
 * the product, so its effect can be measured before anyone changes packages/ or apps/. Off unless
 * `--what-if NAME` is given; results produced with them are labelled as such.
 */
import type { WorkerDeps } from '../../apps/worker/src/deps';

export const WHAT_IFS = {
  interleave:
    'fan-out interleaves the ad sets of all campaigns (round robin) instead of campaign after campaign (modelled with BullMQ priority = index within its campaign)',
  'sliding-write-slot': 'the per ad account write cap is a sliding 1 s window (ZSET) instead of a fixed calendar-second counter',
} as const;
export type WhatIf = keyof typeof WHAT_IFS;

export function applyWhatIf(deps: WorkerDeps, names: string[]): void {
  for (const name of names) {
    if (!(name in WHAT_IFS)) throw new Error(`unknown what-if ${name} (known: ${Object.keys(WHAT_IFS).join(', ')})`);
  }
  if (names.includes('interleave')) {
    const queue = deps.queues.updateAdset;
    const original = queue.addBulk.bind(queue);
    const seen = new Map<string, number>();
    queue.addBulk = ((jobs: Parameters<typeof original>[0]) =>
      original(
        jobs.map((j) => {
          const d = j.data as { runId?: string; campaign?: string };
          const key = `${d.runId}/${d.campaign}`;
          const i = (seen.get(key) ?? 0) + 1;
          seen.set(key, i);
          return { ...j, opts: { ...j.opts, priority: Math.min(i, 2_097_151) } };
        }),
      )) as typeof queue.addBulk;
  }
  if (names.includes('sliding-write-slot')) {
    const SLIDING = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], 2000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + 1000 - now)`;
    let seq = 0;
    deps.pacer.takeWriteSlot = async (adAccountId: string, now = Date.now()) => {
      const key = deps.keys.accountWrites(adAccountId, 0).replace(/:0$/, ':window');
      return Number(await deps.redis.eval(SLIDING, 1, key, String(now), '90', `${now}-${process.pid}-${++seq}`));
    };
  }
}
