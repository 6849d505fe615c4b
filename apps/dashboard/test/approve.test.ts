import { QUEUES, jobIds } from '@closrads/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, heldReport, minutesAgo, okReport, seedFinished, testDashboard, type TestDashboard } from './helpers';

const HOST = 'dash.test:3000';
const ORIGIN = `http://${HOST}`;

describe('Approve on the run page of a held campaign', () => {
  let d: TestDashboard;
  let held: ReturnType<typeof heldReport>;
  let token = '';
  const form = (runId: string) =>
    request(d.app)
      .post(`/runs/${runId}/approve`)
      .set('Authorization', AUTH)
      .set('Host', HOST)
      .set('Origin', ORIGIN)
      .type('form');
  const runCount = async () => (await d.deps.store.listRuns(100)).length;

  beforeAll(async () => {
    d = await testDashboard();
    held = heldReport(minutesAgo(5));
    await seedFinished(d.deps, held);
    const page = await request(d.app).get(`/runs/${held.runId}`).set('Authorization', AUTH);
    expect(page.status).toBe(200);
    expect(page.text).toContain('badge bad">held');
    expect(page.text).toContain('Held: demand would drop 4 of the 6 states');
    expect(page.text).toContain(`action="/runs/${held.runId}/approve"`);
    token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    expect(token).not.toBe('');
  });
  afterAll(async () => d.close());

  it('shows no Approve button on a run that held nothing', async () => {
    const ok = okReport(minutesAgo(30));
    await seedFinished(d.deps, ok);
    const page = await request(d.app).get(`/runs/${ok.runId}`).set('Authorization', AUTH);
    expect(page.text).not.toContain('/approve');
    expect((await form(ok.runId).send({ csrf: token, campaign: 'Veterans', confirm: 'yes' })).status).toBe(404);
  });

  it('refuses a post without the token or from another site, and starts nothing', async () => {
    const before = await runCount();
    expect((await form(held.runId).send({ campaign: 'Veterans', confirm: 'yes' })).status).toBe(403);
    const cross = await request(d.app)
      .post(`/runs/${held.runId}/approve`)
      .set('Authorization', AUTH)
      .set('Host', HOST)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ csrf: token, campaign: 'Veterans', confirm: 'yes' });
    expect(cross.status).toBe(403);
    expect(await runCount()).toBe(before);
  });

  it("asks for confirmation, then starts one approved run of that campaign in the held run's mode", async () => {
    const before = await runCount();
    const step1 = await form(held.runId).send({ csrf: token, campaign: 'Veterans' });
    expect(step1.status).toBe(200);
    expect(step1.text).toContain('Approve Veterans');
    expect(step1.text).toContain('name="confirm" value="yes" required');
    const unticked = await form(held.runId).send({ csrf: token, campaign: 'Veterans', step: 'confirm' });
    expect(unticked.status).toBe(422);
    expect(await runCount()).toBe(before);

    const step2 = await form(held.runId).send({ csrf: token, campaign: 'Veterans', step: 'confirm', confirm: 'yes' });
    expect(step2.status).toBe(303);
    const runId = step2.headers.location!.split('/').pop()!;
    expect(runId).not.toBe(held.runId);
    expect(await d.deps.store.getMeta(runId)).toMatchObject({
      trigger: 'manual',
      dryRun: false,
      campaigns: ['Veterans'],
    });
    const plan = await d.deps.queues[QUEUES.planSync].getJob(jobIds.plan(runId));
    expect(plan?.data).toMatchObject({ campaigns: ['Veterans'], approve: ['Veterans'], dryRun: false });
  });
});
