/**
 * A run whose only problem is a reverted ad set, end to end: the worker, the simulator, SMTP and a
 * Slack receiver, `pnpm enqueue --wait`, and the dashboard all read it the same way: verdict
 * `attention`, success, exit code 0, and FAILED nowhere.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '@closrads/test-support/cli';
import { startReceiver, startSmtp, type HttpSink, type SmtpSink } from '@closrads/test-support/sinks';
import { campaign, startHarness, type Harness } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, ad, baseScenario } from '@closrads/test-support/scenarios';
import { AUTH, testDashboard, type TestDashboard } from './helpers';

const VET = campaign({
  name: 'Veterans',
  closrtechCampaign: 'VET',
  adAccountId: 'act_1',
  facebookCampaignIds: ['9001'],
});

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a reverted-only run reads the same everywhere', () => {
  let h: Harness;
  let d: TestDashboard;
  let smtp: SmtpSink;
  let slack: HttpSink;
  let result: { code: number; stdout: string; stderr: string };
  let runId: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    slack = await startReceiver({ status: 200, body: 'ok' });
    const scenario = baseScenario();
    // Simulator assumptions geo-break-model and review-time-zero (packages/simulator/README.md): the
    // break shows right after the write, and the rollback heals (rollback-heals).
    // Ad set 201 needs a change; its ad breaks on the geo change and stays broken: the ad set is reverted.
    scenario.graph.ads.push(ad('931', '201', { name: 'Instant form', onGeoChange: 'break' }));
    h = await startHarness({
      scenario,
      campaigns: [VET],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
      notify: {
        email: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, to: ['ops@example.com'], from: 'closrads@example.com' },
        slackWebhookUrl: `${slack.url}/services/T000/B000/secretpath`,
        dashboardPublicUrl: 'https://closrads.example.com',
      },
    });
    d = await testDashboard({ prefix: h.prefix });
    const dir = mkdtempSync(join(tmpdir(), 'closrads-verdict-'));
    const campaignsFile = join(dir, 'campaigns.json');
    writeFileSync(campaignsFile, JSON.stringify({ campaigns: [VET] }));
    result = await runScript('apps/scheduler/src/enqueue.ts', ['--live', '--wait'], {
      REDIS_URL: h.redisUrl,
      QUEUE_PREFIX: h.prefix,
      CAMPAIGNS_FILE: campaignsFile,
    });
    runId = /closrads sync (r-\S+)/.exec(result.stdout)?.[1] ?? '';
    if (!runId) throw new Error(`enqueue printed no run: ${result.code} ${result.stdout} ${result.stderr}`);
    await until(() => smtp.messages.length === 1 && slack.bodies.length === 1, 'the email and the Slack message');
    await until(async () => {
      const recorded = await d.deps.store.getDeliveries(runId);
      return 'email' in recorded && 'slack' in recorded;
    }, 'both deliveries recorded');
  }, 90_000);

  afterAll(async () => {
    await d?.close();
    await h?.close();
    await smtp?.close();
    await slack?.close();
  });

  it('the report: success, verdict attention, one ad set reverted', async () => {
    const report = await d.deps.store.getReport(runId);
    expect(report).toMatchObject({ success: true, verdict: 'attention' });
    expect(report!.campaigns[0]!.adsets.find((a) => a.id === '201')).toMatchObject({
      outcome: 'reverted',
      rolledBack: true,
    });
  });

  it('pnpm enqueue --wait: exit 0, Needs attention, FAILED nowhere', () => {
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/— Needs attention$/);
    expect(result.stdout).not.toContain('FAILED');
  });

  it('the email: subject and banner say Needs attention, FAILED nowhere', () => {
    const mail = smtp.messages[0]!;
    expect(mail.subject).toMatch(/^\[closrads\] Needs attention — /);
    expect(mail.html).toContain('>Needs attention</div>');
    expect(`${mail.subject}${mail.html}${mail.text}`).not.toContain('FAILED');
  });

  it('Slack: Needs attention, FAILED nowhere', () => {
    const body = slack.bodies[0]!;
    expect(body).toContain('Needs attention');
    expect(body).not.toContain('FAILED');
    expect(body).not.toContain(':red_circle:');
  });

  it('the run page, the runs list and the API: Needs attention, both deliveries sent, FAILED nowhere', async () => {
    const page = (await request(d.app).get(`/runs/${runId}`).set('Authorization', AUTH)).text;
    expect(page).toContain('data-verdict="attention">Needs attention</span>');
    expect(page).toMatch(/<li data-channel="email">email: <span class="badge ok">sent<\/span>/);
    expect(page).toMatch(/<li data-channel="slack">slack: <span class="badge ok">sent<\/span>/);
    expect(page).not.toMatch(/FAILED|>failed</);
    expect(page).not.toContain('data-channel="stdout"'); // the worker's console mark is not a channel
    const list = (await request(d.app).get('/runs').set('Authorization', AUTH)).text;
    expect(list).toContain('data-verdict="attention">Needs attention</span>');
    expect(list).not.toMatch(/FAILED|failed/);
  });

  it('/metrics and /healthz: success 1, verdict attention, one worker process', async () => {
    const metrics = (await request(d.app).get('/metrics')).text;
    expect(metrics).toMatch(/^closrads_last_run_success 1$/m);
    expect(metrics).toMatch(/^closrads_last_live_run_verdict\{verdict="attention"\} 1$/m);
    expect(metrics).toMatch(/^closrads_last_run_verdict\{verdict="failed"\} 0$/m);
    expect(metrics).toMatch(/^closrads_worker_processes 1$/m);
    const health = (await request(d.app).get('/healthz')).body as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'ok',
      workers: { processes: 1 },
      problems: [],
      lastRun: { runId, success: true, verdict: 'attention' },
    });
  });
});
