import { newRunId, type RunReport } from '@closrads/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, XSS_NAME, failedReport, minutesAgo, okReport, seedFinished, testDashboard, type TestDashboard } from './helpers';

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
    await d.deps.store.recordStart({ runId: runningId, trigger: 'manual', dryRun: true, campaigns: ['Veterans'], startedAt: running.toISOString() });
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
    expect(runs[0]).toMatchObject({ status: 'in_progress', dryRun: true, trigger: 'manual', requestedCampaigns: ['Veterans'], campaigns: [] });
    expect(runs[1]).toMatchObject({ status: 'succeeded', success: true, finishedAt: ok.finishedAt });
    expect(runs[2]).toMatchObject({
      status: 'failed',
      success: false,
      trigger: 'schedule',
      campaigns: [
        { name: 'Veterans', status: 'completed', counts: { processed: 3, updated: 1, failed: 1 } },
        { name: 'Truckers', status: 'aborted', abortReason: 'every state reports zero demand; targeting left as it is' },
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
    expect(running.body).toMatchObject({ runId: runningId, status: 'in_progress' });
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
    expect(res.text).toContain('in progress');
    expect(res.text).toMatch(/Veterans<\/strong>: <span class="">1 updated<\/span> · <span class="err">1 failed<\/span>/);
    expect(res.text.indexOf(runningId)).toBeLessThan(res.text.indexOf(failed.runId));
    expect(res.text).not.toContain('<script');
  });

  it('GET /runs/:runId renders the report: states, aborts, outcomes, errors, ad issues and board links', async () => {
    const res = await get(`/runs/${failed.runId}`);
    expect(res.status).toBe(200);
    const page = res.text;
    expect(page).toContain('<span class="badge bad">failed</span>');
    expect(page).toContain('<span class="badge warn">live</span>');
    for (const st of ['CA', 'DC', 'OH', 'TX']) expect(page).toContain(`<span class="st ">${st}</span>`);
    expect(page).toContain('<span class="st add">DC</span>');
    expect(page).toContain('<span class="st rem">NY</span>');
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

  it('GET /runs/:runId says "in progress" (and reloads) before the report exists; 404 for unknown runs', async () => {
    const res = await get(`/runs/${runningId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('in progress');
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
      lateChanges: [{ revision: 2, campaign: 'Veterans', adset: { ...base.campaigns[0]!.adsets[1]!, outcome: 'updated', error: undefined }, previousOutcome: 'failed' }],
    };
    await seedFinished(d.deps, fixed);
    const res = await get(`/runs/${fixed.runId}`);
    expect(res.text).toContain('Changed after the first report');
    expect(res.text).toContain('revision 2, after a retry');
  });
});
