import { describe, expect, it } from 'vitest';
import { ALL_QUEUES, JOBS, JOB_NAMES, QUEUE_SETTINGS, jobOptions, jobSpecOf } from '@closrads/core';

describe('the job catalog', () => {
  it('names every job the product adds, each on a queue that has worker settings', () => {
    expect(
      Object.values(JOBS)
        .map((j) => j.name)
        .sort(),
    ).toEqual(Object.values(JOB_NAMES).sort());
    expect(Object.keys(QUEUE_SETTINGS).sort()).toEqual([...ALL_QUEUES].sort());
    for (const spec of Object.values(JOBS)) expect(ALL_QUEUES).toContain(spec.queue);
    const options = jobOptions();
    for (const settings of Object.values(QUEUE_SETTINGS)) expect(options[settings.options].attempts).toBeGreaterThan(0);
  });

  it('finds a job by queue and name, and nothing for a name that queue does not run', () => {
    expect(jobSpecOf('plan-sync', 'demand-check')).toBe(JOBS.demandCheck);
    expect(jobSpecOf('plan-sync', 'scheduled-sync')).toBe(JOBS.scheduledSync);
    expect(jobSpecOf('update-adset', 'plan-sync')).toBeUndefined();
    expect(jobSpecOf('plan-sync', 'nonsense')).toBeUndefined();
  });

  it('parses an ad set result, keeping a field the schema does not name', () => {
    const line = {
      campaign: 'Veterans',
      id: '201',
      name: 'VET broad',
      facebookCampaignId: '9001',
      outcome: 'updated',
      added: ['CA'],
      removed: [],
      extra: 1,
    };
    expect(JOBS.updateAdset.result.parse(line)).toEqual(line);
  });

  it('refuses a result that breaks its schema', () => {
    expect(JOBS.updateAdset.result.safeParse({ campaign: 'Veterans', id: '201', outcome: 'done' }).success).toBe(false);
    expect(
      JOBS.planSync.result.safeParse({ runId: 'r-1', campaigns: [{ name: 'Veterans', status: 'finished' }] }).success,
    ).toBe(false);
    expect(JOBS.deliverReport.result.safeParse({ channel: 'email', status: 'maybe' }).success).toBe(false);
    expect(JOBS.finalizeReport.result.safeParse({ runId: 'r-1', success: 'yes', revision: 1 }).success).toBe(false);
  });
});
