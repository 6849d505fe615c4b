import { deliverySlot, newRunId, type RunReport } from '@closrads/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import {
  AUTH,
  XSS_NAME,
  failedReport,
  minutesAgo,
  okReport,
  revertedOnlyReport,
  seedFinished,
  testDashboard,
  type TestDashboard,
} from './helpers';
import { testRedisUrl } from '@closrads/test-support/redis';

describe('run history and reports', () => {
  let d: TestDashboard;
  let failed: RunReport;
  let ok: RunReport;
  let runningId: string;
  const get = (path: string) => request(d.app).get(path).set('Authorization', AUTH);

  beforeAll(async () => {
    d = await testDashboard();
    failed = failedReport(minutesAgo(180));
    ok = okReport(minutesAgo(60));
    await seedFinished(d.deps, failed);
    await seedFinished(d.deps, ok);
    const running = minutesAgo(1);
    runningId = newRunId(running);
    await d.deps.store.recordStart({
      runId: runningId,
      trigger: 'manual',
      dryRun: true,
      campaigns: ['Veterans'],
      startedAt: running.toISOString(),
    });
  });
  afterAll(async () => {
    await d.close();
  });

  it('GET /api/runs lists the runs newest first, with per-campaign counts and an in-progress one', async () => {
    const res = await get('/api/runs');
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    const runs = (res.body as { runs: Array<Record<string, unknown>> }).runs;
    expect(runs.map((r) => r.runId)).toEqual([runningId, ok.runId, failed.runId]);
    expect(runs[0]).toMatchObject({
      status: 'in_progress',
      dryRun: true,
      trigger: 'manual',
      requestedCampaigns: ['Veterans'],
      campaigns: [],
    });
    expect(runs[1]).toMatchObject({ status: 'finished', success: true, verdict: 'ok', finishedAt: ok.finishedAt });
    expect(runs[2]).toMatchObject({
      status: 'finished',
      success: false,
      verdict: 'failed',
      trigger: 'schedule',
      campaigns: [
        { name: 'Veterans', status: 'completed', counts: { processed: 3, updated: 1, failed: 1 } },
        {
          name: 'Truckers',
          status: 'aborted',
          abortReason: 'every state reports zero demand; targeting left as it is',
        },
      ],
    });
    const limited = await get('/api/runs?limit=1');
    expect((limited.body as { runs: unknown[] }).runs).toHaveLength(1);
  });

  it('GET /api/runs/:runId is exactly the stored report', async () => {
    const res = await get(`/api/runs/${failed.runId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(failed);
  });

  it('GET /api/runs/:runId answers 202 while the run has no report, 404 JSON when unknown', async () => {
    const running = await get(`/api/runs/${runningId}`);
    expect(running.status).toBe(202);
    expect(running.body).toMatchObject({
      runId: runningId,
      status: 'in_progress',
      noWorker: true,
      progress: { phase: 'queued' },
    });
    for (const id of ['r-20200101-000000-0000', 'nonsense', '..%2F..%2Fetc']) {
      const res = await get(`/api/runs/${id}`);
      expect(res.status).toBe(404);
      expect(res.type).toBe('application/json');
      expect(res.body).toMatchObject({ error: 'not_found' });
    }
    expect((await get('/api/nothing-here')).body).toEqual({ error: 'not_found' });
  });

  it('GET /runs shows the history as a page', async () => {
    const res = await get('/runs');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('<meta name="viewport"');
    expect(res.text).toContain(`href="/runs/${failed.runId}"`);
    // No worker is connected in this test: the unfinished run says so rather than "in progress".
    expect(res.text).toContain('<span class="badge bad">no worker is running</span>');
    expect(res.text).toContain('No worker is running: unfinished runs wait');
    expect(res.text).toContain('<span class="badge bad" data-verdict="failed">FAILED</span>');
    expect(res.text).toContain('<span class="badge ok" data-verdict="ok">OK</span>');
    expect(res.text).toMatch(
      /Veterans<\/strong>: <span class="">1 updated<\/span> · <span class="err">1 failed<\/span>/,
    );
    expect(res.text.indexOf(runningId)).toBeLessThan(res.text.indexOf(failed.runId));
    expect(res.text).not.toContain('<script');
  });

  it('GET /runs/:runId renders the report: states, aborts, outcomes, errors, ad issues and board links', async () => {
    const res = await get(`/runs/${failed.runId}`);
    expect(res.status).toBe(200);
    const page = res.text;
    expect(page).toContain('<span class="badge bad" data-verdict="failed">FAILED</span>');
    expect(page).toContain('<span class="badge bad">failed</span>');
    expect(page).toContain('<span class="badge warn">live</span>');
    for (const st of ['CA', 'DC', 'OH', 'TX']) expect(page).toContain(`<span class="st ">${st}</span>`);
    expect(page).toContain('<span class="st add">DC</span>');
    expect(page).toContain('<span class="st rem">NY</span>');
    // The failed and skipped ad sets wrote nothing: their states read "would have", the updated one's do not.
    const row = (id: string) => new RegExp(`<tr data-adset="${id}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    expect(row('204')).toContain('would have');
    expect(row('205')).toContain('would have');
    expect(row('201')).not.toContain('would have');
    expect(page).toContain('No channel has reported a delivery of this run');
    expect(page).toContain('Aborted: every state reports zero demand; targeting left as it is');
    expect(page).toContain('(#100/1885364) Missing Target Audience Location');
    expect(page).toContain('ad Ad nine (9): DISAPPROVED — Ad rejected: misleading claims');
    expect(page).toContain(`href="/queues/queue/update-adset/adset-${failed.runId}-204"`);
    expect(page).toContain(`href="/queues/queue/finalize-report/finalize-${failed.runId}"`);
    // Ad set names are user data: shown as text, never as markup.
    expect(page).not.toContain(XSS_NAME);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; VET');
    expect(page).not.toContain('http-equiv="refresh"');
  });

  it('GET /runs/:runId says "no worker is running" (and reloads) before the report exists; 404 for unknown runs', async () => {
    const res = await get(`/runs/${runningId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('no worker is running');
    expect(res.text).not.toContain('in progress');
    expect(res.text).toContain('queued, waiting for a worker');
    expect(res.text).toContain('<meta http-equiv="refresh" content="5">');
    expect((await get('/runs/r-20200101-000000-0000')).status).toBe(404);
    const odd = await get('/runs/%3Cb%3E');
    expect(odd.status).toBe(404);
    expect(odd.text).not.toContain('<b>');
  });

  it('shows a late retry: the revision and what changed', async () => {
    const base = failedReport(minutesAgo(240));
    const fixed: RunReport = {
      ...base,
      revision: 2,
      updatedAt: new Date().toISOString(),
      lateChanges: [
        {
          revision: 2,
          campaign: 'Veterans',
          adset: { ...base.campaigns[0]!.adsets[1]!, outcome: 'updated', error: undefined },
          previousOutcome: 'failed',
        },
      ],
    };
    await seedFinished(d.deps, fixed);
    const res = await get(`/runs/${fixed.runId}`);
    expect(res.text).toContain('Changed after the first report');
    expect(res.text).toContain('revision 2, after a retry');
  });

  it('a reverted-only run reads the same on the run page and in the list: needs attention, FAILED nowhere', async () => {
    const reverted = revertedOnlyReport(minutesAgo(300));
    await seedFinished(d.deps, reverted);
    const page = (await get(`/runs/${reverted.runId}`)).text;
    expect(page).toContain('<span class="badge warn" data-verdict="attention">Needs attention</span>');
    expect(page).not.toMatch(/FAILED|>failed</);
    expect(new RegExp(`<tr data-adset="206">[\\s\\S]*?</tr>`).exec(page)?.[0]).toContain('undone');
    const list = (await get('/runs')).text;
    const row = new RegExp(`<tr data-run="${reverted.runId}">[\\s\\S]*?</tr>`).exec(list)?.[0] ?? '';
    expect(row).toContain('data-verdict="attention">Needs attention</span>');
    expect(row).not.toMatch(/FAILED|failed/);
    const api = (await get('/api/runs')).body as {
      runs: Array<{ runId: string; verdict?: string; success?: boolean }>;
    };
    expect(api.runs.find((r) => r.runId === reverted.runId)).toMatchObject({ success: true, verdict: 'attention' });
  });

  it("shows each channel's delivery: sent, or failed with its reason", async () => {
    const run = okReport(minutesAgo(400));
    await seedFinished(d.deps, run);
    await d.deps.store.recordDelivery(run.runId, 'email', { status: 'sent', at: new Date().toISOString() });
    await d.deps.store.recordDelivery(run.runId, 'slack', {
      status: 'failed',
      at: new Date().toISOString(),
      error: 'Slack webhook answered 404: no_service',
    });
    await d.deps.store.recordDelivery(run.runId, deliverySlot('slack', 2), {
      status: 'sent',
      at: new Date().toISOString(),
    });
    const page = (await get(`/runs/${run.runId}`)).text;
    expect(page).toMatch(
      /<li data-channel="slack-r2">slack \(update, revision 2\): <span class="badge ok">sent<\/span>/,
    );
    expect(page).toMatch(/<li data-channel="email">email: <span class="badge ok">sent<\/span>/);
    expect(page).toMatch(
      /<li data-channel="slack">slack: <span class="badge bad">failed<\/span> .*Slack webhook answered 404: no_service/,
    );
  });

  it('says "in progress" while a worker process is connected', async () => {
    const worker = new Worker('plan-sync', null, {
      connection: { url: testRedisUrl() },
      prefix: d.deps.keys.bullPrefix,
      name: 'test-host-1',
      autorun: false,
    });
    await worker.waitUntilReady();
    try {
      // Not running, but connected: the connection carries the worker's name.
      await expect.poll(async () => (await get('/healthz')).body.workers?.processes, { timeout: 10_000 }).toBe(1);
      const res = await get(`/runs/${runningId}`);
      expect(res.text).toContain('<span class="badge info">in progress</span>');
      expect(res.text).not.toContain('no worker is running');
    } finally {
      await worker.close();
    }
  });
});
