import { JOB_NAMES, QUEUES, jobIds } from '@closrads/core';
import { Worker } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets } from '../src/board';
import { AUTH, testDashboard, type TestDashboard } from './helpers';
import { testRedisUrl } from '@closrads/test-support/redis';

const HOST = 'dash.test:3000';
const ORIGIN = `http://${HOST}`;

describe('CSRF protection of the board and Run now', () => {
  let d: TestDashboard;
  const put = (path: string) => request(d.app).put(path).set('Authorization', AUTH).set('Host', HOST);

  beforeAll(async () => {
    d = await testDashboard();
  });
  afterAll(async () => {
    await d.close();
  });

  /** A job that fails once, permanently, on a queue of the product. */
  async function failedJob(id: string): Promise<void> {
    const queue = d.deps.queues[QUEUES.updateAdset];
    await queue.add(JOB_NAMES.updateAdset, { runId: 'r-x', adsetId: id }, { jobId: id, attempts: 1 });
    const worker = new Worker(
      QUEUES.updateAdset,
      async () => {
        throw new Error('(#100) simulated');
      },
      { connection: { url: testRedisUrl() }, prefix: d.deps.keys.bullPrefix },
    );
    await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await worker.close();
    expect(await queue.getJobState(id)).toBe('failed');
  }

  it('refuses a board retry from another site, and accepts it from the board itself', async () => {
    await failedJob('adset-csrf-1');
    const path = '/queues/api/queues/update-adset/adset-csrf-1/retry';
    expect((await put(path).set('Origin', 'https://evil.example')).status).toBe(403);
    expect((await put(path).set('Origin', ORIGIN).set('Sec-Fetch-Site', 'cross-site')).status).toBe(403);
    expect((await put(path).set('Referer', 'https://evil.example/page')).status).toBe(403);
    expect((await put(path)).status).toBe(403); // no browser marker and no X-Requested-With
    expect((await put(path).set('Origin', 'null')).status).toBe(403);
    expect(await d.deps.queues[QUEUES.updateAdset].getJobState('adset-csrf-1')).toBe('failed');

    const ok = await put(path).set('Origin', ORIGIN).set('Sec-Fetch-Site', 'same-origin');
    expect(ok.status).toBeLessThan(300);
    expect(await d.deps.queues[QUEUES.updateAdset].getJobState('adset-csrf-1')).toBe('waiting');
  });

  it('lets a script retry with X-Requested-With, and retries completed finalize jobs', async () => {
    const finalize = d.deps.queues[QUEUES.finalizeReport];
    const id = jobIds.finalize('r-20261126-130000-aaaa');
    await finalize.add(JOB_NAMES.finalizeReport, { runId: 'r-20261126-130000-aaaa' }, { jobId: id });
    const worker = new Worker(QUEUES.finalizeReport, async () => ({ ok: true }), {
      connection: { url: testRedisUrl() },
      prefix: d.deps.keys.bullPrefix,
    });
    await new Promise<void>((resolve) => worker.on('completed', () => resolve()));
    await worker.close();
    const res = await put(`/queues/api/queues/finalize-report/${id}/retry`).set('X-Requested-With', 'curl');
    expect(res.status).toBeLessThan(300);
    expect(await finalize.getJobState(id)).toBe('waiting');
  });

  it('redacts secret-looking keys in what the board shows', async () => {
    const q = d.deps.queues[QUEUES.deliverReport];
    await q.add(
      'deliver-report',
      { runId: 'r-1', accessToken: 'EAAB-secret', nested: { password: 'pw', list: [{ apiKey: 'k', keep: 1 }] } },
      { jobId: 'deliver-redact' },
    );
    const res = await request(d.app).get('/queues/api/queues/deliver-report/deliver-redact').set('Authorization', AUTH);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain('EAAB-secret');
    expect((res.body as { job: { data: unknown } }).job.data).toEqual({
      runId: 'r-1',
      accessToken: '***',
      nested: { password: '***', list: [{ apiKey: '***', keep: 1 }] },
    });
    expect(
      redactSecrets({ FB_ACCESS_TOKEN: 'x', campaign: 'Veterans', webhookUrl: 'https://hooks', passed: 3 }),
    ).toEqual({ FB_ACCESS_TOKEN: '***', campaign: 'Veterans', webhookUrl: '***', passed: 3 });
  });

  describe('Run now', () => {
    const form = () =>
      request(d.app).post('/runs').set('Authorization', AUTH).set('Host', HOST).set('Origin', ORIGIN).type('form');
    let token = '';

    beforeAll(async () => {
      const page = await request(d.app).get('/runs/new').set('Authorization', AUTH);
      expect(page.status).toBe(200);
      expect(page.text).toContain('value="Veterans"');
      expect(page.text).not.toContain('value="Solar"'); // disabled campaigns are not offered
      token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      expect(token).not.toBe('');
    });

    const runCount = async () => (await d.deps.store.listRuns(100)).length;

    it('refuses a post without the token, with a wrong one, or from another origin', async () => {
      const before = await runCount();
      expect((await form().send({ mode: 'dry' })).status).toBe(403);
      expect((await form().send({ mode: 'dry', csrf: `${token.slice(0, -2)}xx` })).status).toBe(403);
      const cross = await request(d.app)
        .post('/runs')
        .set('Authorization', AUTH)
        .set('Host', HOST)
        .set('Origin', 'https://evil.example')
        .type('form')
        .send({ mode: 'dry', csrf: token });
      expect(cross.status).toBe(403);
      expect(await runCount()).toBe(before);
    });

    it('starts a dry run as pnpm enqueue does and redirects to its page', async () => {
      const res = await form().send(`csrf=${encodeURIComponent(token)}&mode=dry&campaign=Veterans&campaign=Truckers`);
      expect(res.status).toBe(303);
      const runId = /^\/runs\/(r-\d{8}-\d{6}-[0-9a-f]{4})$/.exec(res.headers.location ?? '')?.[1];
      expect(runId).toBeDefined();
      expect(await d.deps.store.getMeta(runId!)).toMatchObject({
        runId,
        trigger: 'manual',
        dryRun: true,
        campaigns: ['Veterans', 'Truckers'],
      });
      expect(await d.deps.queues[QUEUES.finalizeReport].getJobState(jobIds.finalize(runId!))).toBe('waiting-children');
      const plan = await d.deps.queues[QUEUES.planSync].getJob(jobIds.plan(runId!));
      expect(plan?.data).toMatchObject({ runId, trigger: 'manual', dryRun: true, campaigns: ['Veterans', 'Truckers'] });
      const page = await request(d.app).get(res.headers.location!).set('Authorization', AUTH);
      // No worker in this test: the page says so instead of "in progress".
      expect(page.text).toContain('no worker is running');
    });

    it('asks for confirmation before a live run, then starts it', async () => {
      const before = await runCount();
      const step1 = await form().send({ csrf: token, mode: 'live', campaign: 'Veterans' });
      expect(step1.status).toBe(200);
      expect(step1.text).toContain('Confirm a live run');
      expect(step1.text).toContain('name="confirm" value="yes" required');
      expect(await runCount()).toBe(before);

      const unticked = await form().send({ csrf: token, mode: 'live', campaign: 'Veterans', step: 'confirm' });
      expect(unticked.status).toBe(422);
      expect(await runCount()).toBe(before);

      const step2 = await form().send({
        csrf: token,
        mode: 'live',
        campaign: 'Veterans',
        step: 'confirm',
        confirm: 'yes',
      });
      expect(step2.status).toBe(303);
      const runId = step2.headers.location!.split('/').pop()!;
      expect(await d.deps.store.getMeta(runId)).toMatchObject({ dryRun: false, campaigns: ['Veterans'] });
    });

    it('rejects unknown campaigns and a missing mode', async () => {
      expect((await form().send({ csrf: token, mode: 'dry', campaign: 'Nope' })).status).toBe(400);
      expect((await form().send({ csrf: token })).status).toBe(400);
    });
  });
});
