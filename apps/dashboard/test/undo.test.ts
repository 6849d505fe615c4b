import { QUEUES, jobIds } from '@closrads/core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, minutesAgo, okReport, seedFinished, testDashboard, type TestDashboard } from './helpers';

const HOST = 'dash.test:3000';
const ORIGIN = `http://${HOST}`;

describe('Undo this run, on the run page of a finished live run', () => {
  let d: TestDashboard;
  let live: ReturnType<typeof okReport>;
  let token = '';
  const form = (runId: string) =>
    request(d.app)
      .post(`/runs/${runId}/undo`)
      .set('Authorization', AUTH)
      .set('Host', HOST)
      .set('Origin', ORIGIN)
      .type('form');
  const runCount = async () => (await d.deps.store.listRuns(100)).length;

  beforeAll(async () => {
    d = await testDashboard();
    live = okReport(minutesAgo(10));
    await seedFinished(d.deps, live);
    const page = await request(d.app).get(`/runs/${live.runId}`).set('Authorization', AUTH);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`action="/runs/${live.runId}/undo"`);
    expect(page.text).toContain('Undo this run');
    token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    expect(token).not.toBe('');
  });
  afterAll(async () => d.close());

  it('shows no Undo button on a dry run, and refuses to undo one', async () => {
    const dry = okReport(minutesAgo(20), true);
    await seedFinished(d.deps, dry);
    const page = await request(d.app).get(`/runs/${dry.runId}`).set('Authorization', AUTH);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('/undo');
    const before = await runCount();
    const res = await form(dry.runId).send({ csrf: token, step: 'confirm', mode: 'live', confirm: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('was a dry run: it changed nothing on Facebook, so there is nothing to undo');
    expect(await runCount()).toBe(before);
  });

  it('refuses a run that has not finished, and one that does not exist', async () => {
    const runId = 'r-20261201-120000-beef';
    await d.deps.store.recordStart({
      runId,
      trigger: 'manual',
      dryRun: false,
      campaigns: [],
      startedAt: minutesAgo(1).toISOString(),
    });
    const pending = await request(d.app).get(`/runs/${runId}`).set('Authorization', AUTH);
    expect(pending.text).not.toContain('/undo');
    const before = await runCount();
    const unfinished = await form(runId).send({ csrf: token, step: 'confirm', mode: 'dry', confirm: 'yes' });
    expect(unfinished.status).toBe(409);
    expect(unfinished.text).toContain('has not finished yet');
    const unknown = await form('r-20261201-120000-dead').send({
      csrf: token,
      step: 'confirm',
      mode: 'dry',
      confirm: 'yes',
    });
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('is not in the stored run history');
    expect(await runCount()).toBe(before);
  });

  it('refuses a post without the token, with a wrong one, or from another site, and starts nothing', async () => {
    const before = await runCount();
    const confirmed = { step: 'confirm', mode: 'live', confirm: 'yes' };
    const missing = await form(live.runId).send(confirmed);
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('The form expired or did not come from this dashboard');
    expect(
      (await form(live.runId).send({ ...confirmed, csrf: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }))
        .status,
    ).toBe(403);
    const cross = await request(d.app)
      .post(`/runs/${live.runId}/undo`)
      .set('Authorization', AUTH)
      .set('Host', HOST)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ ...confirmed, csrf: token });
    expect(cross.status).toBe(403);
    expect(await runCount()).toBe(before);
  });

  it('asks for confirmation with the mode preselected from DRY_RUN, then starts an undo run of that run', async () => {
    const before = await runCount();
    const step1 = await form(live.runId).send({ csrf: token });
    expect(step1.status).toBe(200);
    expect(step1.text).toContain(`Undo run ${live.runId}`);
    expect(step1.text).toContain('left 1 ad set updated');
    expect(step1.text).toContain('name="confirm" value="yes" required');
    // The test dashboard has DRY_RUN=true: dry is the preselected mode.
    expect(step1.text).toMatch(/value="dry" checked/);
    expect(step1.text).not.toMatch(/value="live" checked/);
    const unticked = await form(live.runId).send({ csrf: token, step: 'confirm', mode: 'live' });
    expect(unticked.status).toBe(422);
    const noMode = await form(live.runId).send({ csrf: token, step: 'confirm', confirm: 'yes' });
    expect(noMode.status).toBe(400);
    expect(await runCount()).toBe(before);

    const step2 = await form(live.runId).send({ csrf: token, step: 'confirm', mode: 'live', confirm: 'yes' });
    expect(step2.status).toBe(303);
    const runId = step2.headers.location!.split('/').pop()!;
    expect(runId).not.toBe(live.runId);
    expect(await d.deps.store.getMeta(runId)).toMatchObject({
      trigger: 'undo',
      undoOf: live.runId,
      dryRun: false,
      campaigns: [],
    });
    const plan = await d.deps.queues[QUEUES.planSync].getJob(jobIds.plan(runId));
    expect(plan?.data).toMatchObject({ trigger: 'undo', undoOf: live.runId, dryRun: false });

    // The undo run's page names the run it undoes; the run list shows its trigger.
    const page = await request(d.app).get(`/runs/${runId}`).set('Authorization', AUTH);
    expect(page.text).toContain(`<dt>Undo of</dt><dd><a href="/runs/${live.runId}">${live.runId}</a></dd>`);
    const list = await request(d.app).get('/runs').set('Authorization', AUTH);
    expect(list.text).toMatch(new RegExp(`<tr data-run="${runId}">[\\s\\S]*?<td data-label="Trigger">undo</td>`));
  });

  it('a dry undo is started in dry-run mode; its finished page says "Undo of" too', async () => {
    const step2 = await form(live.runId).send({ csrf: token, step: 'confirm', mode: 'dry', confirm: 'yes' });
    expect(step2.status).toBe(303);
    const runId = step2.headers.location!.split('/').pop()!;
    expect(await d.deps.store.getMeta(runId)).toMatchObject({ trigger: 'undo', undoOf: live.runId, dryRun: true });
    // Finished the way the worker finishes it: a report with trigger undo and undoOf.
    const undone = { ...okReport(minutesAgo(1), true), runId, trigger: 'undo' as const, undoOf: live.runId };
    await d.deps.store.saveReport(undone);
    const page = await request(d.app).get(`/runs/${runId}`).set('Authorization', AUTH);
    expect(page.text).toContain(`<dt>Undo of</dt><dd><a href="/runs/${live.runId}">${live.runId}</a></dd>`);
    // A dry undo changed nothing either: nothing to undo.
    expect(page.text).not.toContain(`/runs/${runId}/undo`);
  });
});
