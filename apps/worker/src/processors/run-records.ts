import type { RunMeta } from '@closrads/core';

/** What an ad set job checks its data against, as its run recorded it in Redis. */
export interface KnownRunRecords {
  meta?: RunMeta;
  /** the state region keys the run planned for the campaign */
  plannedKeys?: string[];
}

/** Runs remembered at once; a process works one run at a time, rarely a few. */
const MAX_RUNS = 16;

/**
 * The run's record (dry or live, what it undoes) and its plan per campaign, as read from Redis by an
 * earlier job of the run in this process. Both are written before the run's first ad set job exists
 * and never change after, so the jobs that follow need not read them again. Only what was read from
 * Redis is kept: a job whose data disagrees with the remembered plan reads the plan again, so an
 * edited job is still refused by what Redis holds.
 */
export class RunRecords {
  private readonly runs = new Map<string, { meta?: RunMeta; plans: Map<string, string[]> }>();

  get(runId: string, campaign: string): KnownRunRecords {
    const run = this.runs.get(runId);
    return run ? { meta: run.meta, plannedKeys: run.plans.get(campaign) } : {};
  }

  remember(runId: string, campaign: string, found: KnownRunRecords): void {
    let run = this.runs.get(runId);
    if (!run) {
      if (this.runs.size >= MAX_RUNS) this.runs.delete(this.runs.keys().next().value!);
      run = { plans: new Map() };
      this.runs.set(runId, run);
    }
    if (found.meta) run.meta = found.meta;
    if (found.plannedKeys) run.plans.set(campaign, found.plannedKeys);
  }
}
