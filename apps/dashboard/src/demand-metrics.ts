import type { Campaign, DemandCheckStats } from '@closrads/core';
import { Exposition } from './metrics';

/**
 * The demand-check families of `/metrics`:
 *
 *   closrads_demand_checks_total                      counter  demand checks that ran
 *   closrads_demand_checks_overlapped_total           counter  checks that found another still running and did nothing
 *   closrads_demand_changes_total                     counter  campaigns found out of step with their demand (each synced)
 *   closrads_demand_change_runs_total                 counter  runs started by demand checks
 *   closrads_demand_bad_answers_total{campaign}       counter  demand reads that would abort a run (bad data, all zeros, refused)
 *   closrads_demand_last_read_timestamp_seconds{campaign}      last demand read a run could act on (runs and checks)
 *
 * Alert example, "demand unreadable for 2 hours": `time() - closrads_demand_last_read_timestamp_seconds > 7200`.
 */
export async function renderDemandMetrics(stats: DemandCheckStats, campaigns: readonly Campaign[]): Promise<string> {
  const [counters, reads] = await Promise.all([stats.counters(), stats.reads()]);
  const enabled = campaigns.filter((c) => c.enabled).map((c) => c.name);
  const out = new Exposition();
  out.family('closrads_demand_checks_total', 'counter', 'Demand checks that ran', [[{}, counters.checks]]);
  out.family(
    'closrads_demand_checks_overlapped_total',
    'counter',
    'Demand checks that found another still running and did nothing',
    [[{}, counters.overlapped]],
  );
  out.family(
    'closrads_demand_changes_total',
    'counter',
    'Campaigns a demand check found out of step with their demand',
    [[{}, counters.changes]],
  );
  out.family('closrads_demand_change_runs_total', 'counter', 'Runs started by demand checks', [[{}, counters.runs]]);
  out.family(
    'closrads_demand_bad_answers_total',
    'counter',
    'Demand reads that would abort a run (bad data, all zeros, refused)',
    enabled.map((name) => [{ campaign: name }, reads[name]?.bad ?? 0]),
  );
  out.family(
    'closrads_demand_last_read_timestamp_seconds',
    'gauge',
    'Time of the last demand read a run could act on',
    enabled.flatMap((name): Array<[Record<string, string>, number]> =>
      reads[name]?.okAt ? [[{ campaign: name }, reads[name].okAt / 1000]] : [],
    ),
  );
  return out.toString();
}
