import { DemandCheckStats } from '@closrads/core';
import { Worker } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  failedReport,
  minutesAgo,
  okReport,
  revertedOnlyReport,
  seedFinished,
  testDashboard,
  type TestDashboard,
} from './helpers';
import { testRedisUrl } from '@closrads/test-support/redis';

/** Parses Prometheus text into `name{labels}` → value, and checks each family is declared once. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const declared = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# (HELP|TYPE) (\S+)/.exec(line);
    if (help) {
      const key = `${help[1]} ${help[2]}`;
      expect(declared.has(key), `duplicate ${key}`).toBe(false);
      declared.add(key);
      continue;
    }
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    expect(m, `bad line: ${line}`).not.toBeNull();
    samples.set(m![1]!, Number(m![2]));
  }
  return samples;
}

describe('/healthz and /metrics', () => {
  let d: TestDashboard;
  let worker: Worker;
  const last = okReport(minutesAgo(30), true);
  const lastSuccessLive = okReport(minutesAgo(90));
  const failed = failedReport(minutesAgo(150));

  beforeAll(async () => {
    d = await testDashboard();
    // One worker on one queue, as a worker process would connect it.
    worker = new Worker('update-adset', async () => undefined, {
      connection: { url: testRedisUrl() },
      prefix: d.deps.keys.bullPrefix,
      autorun: true,
    });
    await worker.waitUntilReady();
    await seedFinished(d.deps, failed);
    await seedFinished(d.deps, lastSuccessLive);
    // The newest run failed for Veterans only in the sense of the fixture below: a dry run with a failure.
    await seedFinished(d.deps, {
      ...last,
      success: false,
      campaigns: [
        {
          ...last.campaigns[0]!,
          counts: { ...last.campaigns[0]!.counts, failed: 1 },
          adsets: [
            ...last.campaigns[0]!.adsets,
            {
              id: '209',
              name: 'x',
              facebookCampaignId: '9001',
              outcome: 'failed',
              added: [],
              removed: [],
              error: 'boom',
            },
          ],
        },
      ],
    });
    await d.deps.queues['plan-sync'].add('plan-sync', { runId: 'x' });
  });
  afterAll(async () => {
    await worker.close();
    await d.close();
  });

  it('/healthz: Redis answers, workers counted, last run and its outcome', async () => {
    const res = await request(d.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      redis: { ok: true },
      workers: {
        processes: 1,
        byQueue: { 'update-adset': 1, 'plan-sync': 0, 'finalize-report': 0, 'deliver-report': 0 },
      },
      lastRun: { runId: last.runId, finishedAt: last.finishedAt, success: false, verdict: 'failed', dryRun: true },
      lastLiveRun: { runId: lastSuccessLive.runId, success: true, verdict: 'ok', dryRun: false },
      runsWaiting: 0,
      problems: [],
    });
  });

  it('/healthz: 503 when Redis does not answer, and says nothing more', async () => {
    const down = await testDashboard({ redisUrl: 'redis://127.0.0.1:1', prefix: d.prefix });
    try {
      const res = await request(down.app).get('/healthz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', redis: { ok: false } });
      expect((await request(down.app).get('/metrics')).status).toBe(503);
    } finally {
      await down.close();
    }
  });

  it('/metrics: queue figures and per-campaign run figures in valid Prometheus text', async () => {
    const res = await request(d.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain; version=0.0.4');
    const m = parseExposition(res.text);
    expect(m.get('closrads_queue_jobs{queue="plan-sync",state="waiting"}')).toBe(1);
    expect(m.get('closrads_queue_jobs{queue="update-adset",state="failed"}')).toBe(0);
    expect(m.get('closrads_queue_completed_total{queue="update-adset"}')).toBe(0);
    expect(m.has('closrads_queue_failed_total{queue="finalize-report"}')).toBe(true);
    expect(m.get('closrads_workers{queue="update-adset"}')).toBe(1);
    expect(m.get('closrads_worker_processes')).toBe(1);

    const s = (iso: string) => Date.parse(iso) / 1000;
    expect(m.get('closrads_last_run_success')).toBe(0);
    expect(m.get('closrads_last_run_dry_run')).toBe(1);
    expect(m.get('closrads_last_run_timestamp_seconds')).toBe(s(last.finishedAt));
    expect(m.get('closrads_last_success_timestamp_seconds')).toBe(s(lastSuccessLive.finishedAt));
    expect(m.get('closrads_campaign_last_run_timestamp_seconds{campaign="Veterans"}')).toBe(s(last.finishedAt));
    expect(m.get('closrads_campaign_last_success_timestamp_seconds{campaign="Veterans"}')).toBe(
      s(lastSuccessLive.finishedAt),
    );
    // Truckers only ran in the oldest run, where it was aborted: a last run, no success.
    expect(m.get('closrads_campaign_last_run_timestamp_seconds{campaign="Truckers"}')).toBe(s(failed.finishedAt));
    expect(m.has('closrads_campaign_last_success_timestamp_seconds{campaign="Truckers"}')).toBe(false);
    expect(m.get('closrads_campaign_adsets{campaign="Veterans",outcome="updated"}')).toBe(1);
    expect(m.get('closrads_campaign_adsets{campaign="Veterans",outcome="failed"}')).toBe(1);
    expect(m.get('closrads_campaign_adsets{campaign="Veterans",outcome="unchanged"}')).toBe(1);
    expect(m.get('closrads_campaign_adsets{campaign="Truckers",outcome="updated"}')).toBe(0);
    expect(m.get('closrads_runs_in_progress')).toBe(0);
  });

  it('/metrics: demand checks, changes, bad answers and the last good read per campaign', async () => {
    const stats = new DemandCheckStats(d.deps.redis, d.deps.keys);
    await stats.count('checks', 3);
    await stats.count('changes', 2);
    await stats.count('runs');
    const okAt = Date.parse('2026-11-30T10:00:00Z');
    await stats.recordRead('Veterans', true, okAt);
    await stats.recordRead('Veterans', false, okAt + 60_000);
    await stats.recordRead('Veterans', false, okAt + 120_000);
    const m = parseExposition((await request(d.app).get('/metrics')).text);
    expect(m.get('closrads_demand_checks_total')).toBe(3);
    expect(m.get('closrads_demand_checks_overlapped_total')).toBe(0);
    expect(m.get('closrads_demand_changes_total')).toBe(2);
    expect(m.get('closrads_demand_change_runs_total')).toBe(1);
    expect(m.get('closrads_demand_bad_answers_total{campaign="Veterans"}')).toBe(2);
    expect(m.get('closrads_demand_bad_answers_total{campaign="Truckers"}')).toBe(0);
    expect(m.get('closrads_demand_last_read_timestamp_seconds{campaign="Veterans"}')).toBe(okAt / 1000);
    expect(m.has('closrads_demand_last_read_timestamp_seconds{campaign="Truckers"}')).toBe(false);
    expect(m.has('closrads_demand_bad_answers_total{campaign="Solar"}')).toBe(false); // disabled
  });

  it('/metrics: ad sets in review, per campaign, from the watch sorted set of each Facebook campaign', async () => {
    const before = parseExposition((await request(d.app).get('/metrics')).text);
    expect(before.get('closrads_adsets_in_review{campaign="Veterans"}')).toBe(0);
    const due = Date.now() + 60_000;
    // The worker scores each watched ad set by when its next look is due (keys.watchDue).
    await d.deps.redis.zadd(d.deps.keys.watchDue('9001'), due, '201', due + 1000, '202');
    await d.deps.redis.zadd(d.deps.keys.watchDue('9003'), due, '301');
    // Another Facebook campaign's set, not in the campaigns file: counted for no one.
    await d.deps.redis.zadd(d.deps.keys.watchDue('9999'), due, '999');
    const m = parseExposition((await request(d.app).get('/metrics')).text);
    expect(m.get('closrads_adsets_in_review{campaign="Veterans"}')).toBe(2);
    expect(m.get('closrads_adsets_in_review{campaign="Truckers"}')).toBe(0);
    // Disabled since, but its watch still runs to its end: still shown.
    expect(m.get('closrads_adsets_in_review{campaign="Solar"}')).toBe(1);
    await d.deps.redis.zrem(d.deps.keys.watchDue('9001'), '201');
    const after = parseExposition((await request(d.app).get('/metrics')).text);
    expect(after.get('closrads_adsets_in_review{campaign="Veterans"}')).toBe(1);
  });
});

describe('/healthz and /metrics follow the verdict, and only live runs count as a success', () => {
  let d: TestDashboard;
  const staleLive = okReport(minutesAgo(3000));
  const reverted = revertedOnlyReport(minutesAgo(600));
  const freshDry = okReport(minutesAgo(5), true);

  beforeAll(async () => {
    d = await testDashboard();
    await seedFinished(d.deps, staleLive);
    await seedFinished(d.deps, reverted);
    await seedFinished(d.deps, freshDry);
    // A run that no worker will take.
    await d.deps.store.recordStart({
      runId: 'r-20261201-120000-beef',
      trigger: 'manual',
      dryRun: false,
      campaigns: [],
      startedAt: minutesAgo(1).toISOString(),
    });
  });
  afterAll(async () => d.close());

  it('/healthz: no worker is running, said plainly; the last live run needs attention and succeeded', async () => {
    const res = await request(d.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      workers: { processes: 0 },
      problems: ['no worker is running'],
      runsWaiting: 1,
      lastRun: { runId: freshDry.runId, dryRun: true, verdict: 'ok' },
      lastLiveRun: { runId: reverted.runId, success: true, verdict: 'attention' },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/FAILED|"failed"/);
  });

  it('/metrics: a dry run does not move the live last-success figures; a reverted-only run succeeded with verdict attention', async () => {
    const m = parseExposition((await request(d.app).get('/metrics')).text);
    const s = (iso: string) => Date.parse(iso) / 1000;
    expect(m.get('closrads_worker_processes')).toBe(0);
    expect(m.get('closrads_last_run_timestamp_seconds')).toBe(s(freshDry.finishedAt));
    expect(m.get('closrads_last_run_dry_run')).toBe(1);
    // The newest live run is the reverted one: it succeeded, so it is the last success, not the dry run.
    expect(m.get('closrads_last_success_timestamp_seconds')).toBe(s(reverted.finishedAt));
    expect(m.get('closrads_campaign_last_success_timestamp_seconds{campaign="Veterans"}')).toBe(s(reverted.finishedAt));
    expect(m.get('closrads_last_live_run_success')).toBe(1);
    expect(m.get('closrads_last_live_run_verdict{verdict="attention"}')).toBe(1);
    expect(m.get('closrads_last_live_run_verdict{verdict="failed"}')).toBe(0);
    expect(m.get('closrads_last_live_run_verdict{verdict="ok"}')).toBe(0);
    expect(m.get('closrads_runs_in_progress')).toBe(1);
  });

  it('/metrics: with only dry runs since a stale live run, the last success stays the stale one', async () => {
    const only = await testDashboard();
    try {
      await seedFinished(only.deps, staleLive);
      await seedFinished(only.deps, freshDry);
      const m = parseExposition((await request(only.app).get('/metrics')).text);
      const s = (iso: string) => Date.parse(iso) / 1000;
      expect(m.get('closrads_last_success_timestamp_seconds')).toBe(s(staleLive.finishedAt));
      expect(m.get('closrads_campaign_last_success_timestamp_seconds{campaign="Veterans"}')).toBe(
        s(staleLive.finishedAt),
      );
    } finally {
      await only.close();
    }
  });
});
