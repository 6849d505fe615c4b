/**
 * What-if experiments: runtime patches applied in the worker process to model a fix proposed for
 * the product, so its effect can be measured before anyone changes packages/ or apps/. Off unless
 * `--what-if NAME` is given; results produced with them are labelled as such.
 */
import type { WorkerDeps } from '../../apps/worker/src/deps';

export const WHAT_IFS = {
  interleave:
    'fan-out interleaves the ad sets of all campaigns (round robin) instead of campaign after campaign (modelled with BullMQ priority = index within its campaign)',
} as const;

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
}
