import { afterEach, describe, expect, it } from 'vitest';
import { Job } from 'bullmq';
import { jobIds } from '@closrads/core';
import { startReceiver, startSmtp, type HttpSink, type SmtpSink } from '@closrads/test-support/sinks';
import { startHarness, type Harness, VET, MTG } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario } from '@closrads/test-support/scenarios';

let h: Harness | undefined;
let smtp: SmtpSink | undefined;
let slack: HttpSink | undefined;
afterEach(async () => {
  await h?.close();
  await smtp?.close();
  await slack?.close();
  h = smtp = slack = undefined;
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function system(slackStatus = 200, notifyOn: 'always' | 'changes' | 'problems' = 'always') {
  smtp = await startSmtp({ user: 'mailer', pass: 'smtp-secret-pw' });
  slack = await startReceiver({ status: slackStatus, body: slackStatus === 200 ? 'ok' : 'internal error' });
  const scenario = baseScenario();
  h = await startHarness({
    scenario,
    campaigns: [VET, MTG],
    closrtechCredentials: CREDENTIALS,
    accessToken: TOKEN,
    notify: {
      email: {
        smtpUrl: `smtp://mailer:smtp-secret-pw@127.0.0.1:${smtp.port}`,
        to: ['charlie@example.com', 'ops@example.com'],
        from: 'closrads@example.com',
      },
      slackWebhookUrl: `${slack.url}/services/T000/B000/secretpath`,
      dashboardPublicUrl: 'https://closrads.example.com',
      notifyOn,
    },
  });
  return h;
}

/** The run's finalizer is done: whatever it was to hand to the delivery queue is there. */
async function finalized(hh: Harness, runId: string): Promise<void> {
  await until(
    async () => (await hh.system.deps.queues.finalizeReport.getJobState(jobIds.finalize(runId))) === 'completed',
  );
}
const deliveryJobs = async (hh: Harness, runId: string) =>
  (await hh.system.deps.queues.deliverReport.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter(
    (j) => (j.data as { runId: string }).runId === runId,
  );

describe('NOTIFY_ON', () => {
  it('problems: a run that went well sends nothing; one with an aborted campaign is sent', async () => {
    const hh = await system(200, 'problems');
    const quiet = await hh.system.run({ dryRun: false });
    expect(quiet.success).toBe(true);
    await finalized(hh, quiet.runId);
    expect(await deliveryJobs(hh, quiet.runId)).toHaveLength(0);
    expect(await hh.system.deps.redis.get(hh.system.deps.keys.notifySkipped(quiet.runId))).toBe('problems');

    hh.sim.addFault({
      match: { api: 'closrtech', campaign: 'MTG' },
      times: -1,
      response: { kind: 'http', status: 403, body: 'No access to this campaign' },
    });
    const bad = await hh.system.run({ dryRun: false });
    expect(bad.success).toBe(false);
    await until(() => smtp!.messages.length === 1 && slack!.bodies.length === 1);
    expect(smtp!.messages[0]!.html).toContain(bad.runId);
  });

  it('changes: a run that wrote is sent, the same run again with nothing to change is not', async () => {
    const hh = await system(200, 'changes');
    const wrote = await hh.system.run({ dryRun: false });
    expect(wrote.campaigns.some((c) => c.counts.updated > 0)).toBe(true);
    await until(() => smtp!.messages.length === 1 && slack!.bodies.length === 1);
    const same = await hh.system.run({ dryRun: false });
    expect(same.campaigns.every((c) => c.counts.updated === 0)).toBe(true);
    await finalized(hh, same.runId);
    expect(await deliveryJobs(hh, same.runId)).toHaveLength(0);
    expect(smtp!.messages).toHaveLength(1);
  });
});

describe('report delivery', () => {
  it('sends the email and the Slack payload once each, with the report content', async () => {
    const hh = await system();
    const report = await hh.system.run({ dryRun: true });
    await until(() => smtp!.messages.length === 1 && slack!.bodies.length === 1);
    // Every queue empty: no other delivery is on its way.
    await hh.settled();
    expect(smtp!.messages).toHaveLength(1);
    expect(slack!.bodies).toHaveLength(1);

    const mail = smtp!.messages[0]!;
    expect(mail.subject).toMatch(/DRY RUN/);
    expect(mail.subject).toContain(report.startedAt.slice(0, 10));
    expect(mail.html).toContain('Veterans');
    expect(mail.html).toContain('Mortgage');
    expect(mail.html).toContain(`https://closrads.example.com/runs/${report.runId}`);
    expect(mail.text).toMatch(/Veterans/);
    expect((mail.to as { text: string }).text).toContain('charlie@example.com');

    const payload = JSON.parse(slack!.bodies[0]!) as {
      text: string;
      blocks: Array<{ type: string; text?: { text: string } }>;
    };
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(payload.blocks)).toContain('Veterans');
    expect(JSON.stringify(payload.blocks)).toContain('Mortgage');

    const deliveries = await hh.system.deps.store.getDeliveries(report.runId);
    expect(deliveries.email?.status).toBe('sent');
    expect(deliveries.slack?.status).toBe('sent');
  });

  it('a failing webhook leaves the sync successful and the email delivered, and is recorded', async () => {
    const hh = await system(500);
    const report = await hh.system.run({ dryRun: false });
    expect(report.success).toBe(true);
    await until(
      async () => (await hh.system.deps.store.getDeliveries(report.runId)).slack?.status === 'failed',
      15_000,
    );
    const deliveries = await hh.system.deps.store.getDeliveries(report.runId);
    expect(deliveries.email?.status).toBe('sent');
    expect(deliveries.slack?.error).toMatch(/500/);
    expect(deliveries.slack?.error).not.toContain('secretpath');
    expect(smtp!.messages).toHaveLength(1);
    expect(slack!.bodies.length).toBe(5); // every attempt, then given up
    expect(hh.logs.some((l) => l.includes('"level":50') && l.includes('report delivery failed for good'))).toBe(true);
    expect(hh.logs.join('\n')).not.toContain('smtp-secret-pw');
  });

  it('a finalizer retried after delivery sends nothing twice', async () => {
    const hh = await system();
    const report = await hh.system.run({ dryRun: false });
    await until(() => smtp!.messages.length === 1 && slack!.bodies.length === 1);
    const fetchFinalizer = () => Job.fromId(hh.system.deps.queues.finalizeReport, jobIds.finalize(report.runId));
    const firstFinish = (await fetchFinalizer())!.finishedOn!;
    await (await fetchFinalizer())!.retry('completed');
    await until(async () => ((await fetchFinalizer())?.finishedOn ?? 0) > firstFinish);
    await hh.settled();
    expect(smtp!.messages).toHaveLength(1);
    expect(slack!.bodies).toHaveLength(1);
    expect(hh.printed).toHaveLength(1);
  });

  it('a late retry sends a short follow-up, not the whole report again', async () => {
    const hh = await system();
    hh.sim.addFault({
      match: { api: 'graph', method: 'POST', objectId: '201' },
      times: -1,
      response: { kind: 'graph-error', code: 2, isTransient: true },
    });
    const report = await hh.system.run({ dryRun: false });
    expect(report.success).toBe(false);
    await until(() => smtp!.messages.length === 1 && slack!.bodies.length === 1);
    hh.sim.clearFaults();
    const job = await Job.fromId(hh.system.deps.queues.updateAdset, jobIds.adset(report.runId, '201'));
    await job!.retry('failed');
    await until(() => smtp!.messages.length === 2 && slack!.bodies.length === 2);
    const followUp = smtp!.messages[1]!;
    expect(followUp.subject).toMatch(/Update/);
    expect(followUp.html).toContain('adset 201');
    expect(String(followUp.html).length).toBeLessThan(String(smtp!.messages[0]!.html).length);
    const stored = await hh.system.deps.store.getReport(report.runId);
    expect(stored).toMatchObject({ revision: 2, success: true });
  });
});
