/**
 * The operator's path in a real browser (Debian Chromium via playwright-core): log in, open a run with
 * a failed ad set, follow its link into Bull Board, retry the job, and watch the run page catch up.
 * Then it starts a dry undo of that run from its Undo button. Saves the run page as artifacts/run-page.png
 * and its top, with the Undo button, as artifacts/run-undo.png (and, with UPDATE_SCREENSHOTS=1, copies
 * them to docs/img/ for the README).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QUEUES, readCampaignsFile, startRun, workerProcessName } from '@closrads/core';
import { Worker } from 'bullmq';
import { startReceiver, type HttpSink } from '@closrads/test-support/sinks';
import { createPlanSyncProcessor } from '@closrads/worker/processors/plan-sync';
import { createUpdateAdsetProcessor } from '@closrads/worker/processors/update-adset';
import { launchBrowser, serve, type Served } from '@closrads/test-support/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '@closrads/test-support/harness';
import { PASSWORD, USER, testDashboard, type TestDashboard } from './helpers';
import { readPicture } from '@closrads/test-support/png';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('the operator retries a failed ad set from the dashboard', () => {
  let h: Harness;
  let d: TestDashboard;
  let server: Served;
  let browser: Browser;
  let slack: HttpSink;
  let base = '';

  beforeAll(async () => {
    const { campaigns, problems } = readCampaignsFile(join(repoRoot, 'config', 'campaigns.example.json'));
    expect(problems).toEqual([]);
    // A Slack receiver, so the run page has a delivery to show.
    slack = await startReceiver({ status: 200, body: 'ok' });
    h = await startHarness({
      scenario: 'demo',
      campaigns: campaigns.filter((c) => c.name === 'Veterans'),
      notify: {
        slackWebhookUrl: `${slack.url}/services/T000/B000/secretpath`,
        email: undefined,
        dashboardPublicUrl: undefined,
      },
    });
    d = await testDashboard({ prefix: h.prefix });
    server = await serve(d.app);
    base = server.url;
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await d?.close();
    await h?.close();
    await slack?.close();
  });

  /** Reloads the run page until the ad set row shows the outcome (the report is rebuilt by the worker). */
  async function waitForOutcome(
    page: Page,
    url: string,
    adsetId: string,
    outcome: string,
    timeoutMs = 20_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await page.goto(url);
      const text = (await page.locator(`tr[data-adset="${adsetId}"] td:nth-child(2)`).textContent()) ?? '';
      if (text.includes(outcome)) return;
      if (Date.now() > deadline) throw new Error(`ad set ${adsetId} still shows "${text}" on ${url}`);
      await page.waitForTimeout(300);
    }
  }

  it(
    'logs in, follows the failed ad set into Bull Board, retries it, sees it updated, and starts a dry undo',
    { timeout: 150_000 },
    async () => {
      // A permanent Graph error (#100) on the write to ad set 201: the job fails, the report says so.
      h.sim.addFault({
        match: { api: 'graph', method: 'POST', objectId: '201' },
        times: -1,
        response: { kind: 'graph-error', code: 100, subcode: 1885364 },
      });
      const report = await h.system.run({ dryRun: false, campaigns: ['Veterans'] });
      const failed = report.campaigns[0]?.adsets.find((a) => a.id === '201');
      expect(failed?.outcome).toBe('failed');

      // Without credentials: a 401 and a Basic challenge (Chromium then shows its login prompt).
      const denied = await fetch(`${base}/runs`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toContain('Basic');

      const context = await browser.newContext({
        httpCredentials: { username: USER, password: PASSWORD },
        viewport: { width: 1100, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(`${base}/runs`);
      await page.getByRole('link', { name: report.runId }).click();
      const runUrl = `${base}/runs/${report.runId}`;
      expect(page.url()).toBe(runUrl);
      const row = page.locator('tr[data-adset="201"]');
      await expect.poll(() => row.locator('td').nth(1).textContent()).toContain('failed');
      expect(await row.textContent()).toContain('(#100/1885364)');

      // The cause is fixed upstream; now retry from the board.
      h.sim.clearFaults();
      await row.getByRole('link', { name: 'job' }).click();
      await page.waitForURL(`**/queues/queue/update-adset/adset-${report.runId}-201`);
      // The job's actions are icon buttons with tooltips; retry carries the refresh icon and asks to confirm.
      const retry = page.locator('li button:has(svg.lucide-refresh-cw)').first();
      await retry.waitFor({ timeout: 15_000 });
      // The board renders the failed reason once the job view has loaded.
      await page.getByText('(#100/1885364)').first().waitFor({ timeout: 15_000 });
      await retry.click();
      const [put] = await Promise.all([
        page.waitForResponse(
          (r) =>
            r.request().method() === 'PUT' &&
            r.url().endsWith(`/queues/api/queues/update-adset/adset-${report.runId}-201/retry`),
        ),
        page.getByRole('button', { name: 'Confirm' }).click(),
      ]);
      // The board's own request passes the CSRF check (same Origin) and the job is re-queued.
      expect(put.status()).toBe(204);
      expect(await put.request().headerValue('origin')).toBe(base);

      // The worker re-runs the ad set, then the finalizer (late retry): the run page catches up.
      await waitForOutcome(page, runUrl, '201', 'updated');
      const updatedRow = page.locator('tr[data-adset="201"]');
      expect(await updatedRow.textContent()).not.toContain('(#100/1885364)');
      expect(await page.locator('h2', { hasText: 'Changed after the first report' }).count()).toBe(1);
      expect(
        (await page.locator('section li', { hasText: 'VET broad 25-54 (201)' }).textContent())?.replace(/\s+/g, ' '),
      ).toContain('failed → updated');
      expect(await page.locator('script').count()).toBe(0);
      // The report's delivery to Slack, as the worker recorded it.
      await expect
        .poll(
          async () => {
            await page.goto(runUrl);
            return page.locator('#deliveries li[data-channel="slack"]').textContent();
          },
          { timeout: 20_000 },
        )
        .toContain('sent');

      const artifact = join(repoRoot, 'artifacts', 'run-page.png');
      const docsCopy = join(repoRoot, 'docs', 'img', 'run-page.png');
      mkdirSync(dirname(artifact), { recursive: true });
      await page.screenshot({ path: artifact, fullPage: true });
      // The README's copy changes only on request, so a test run leaves the work tree clean.
      if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(artifact, docsCopy);
      // What the picture shows, not its byte size (which changes with fonts and compression).
      expect(readPicture(artifact)).toMatchObject({
        width: 1100,
        height: expect.toSatisfy((h: number) => h >= 900),
        colours: expect.toSatisfy((c: number) => c > 16),
      });

      // A finished live run offers "Undo this run"; the top of its page is the README's picture of it.
      const undo = page.getByRole('button', { name: 'Undo this run…' });
      expect(await undo.isVisible()).toBe(true);
      const undoArtifact = join(repoRoot, 'artifacts', 'run-undo.png');
      await page.screenshot({ path: undoArtifact });
      if (process.env.UPDATE_SCREENSHOTS === '1')
        copyFileSync(undoArtifact, join(repoRoot, 'docs', 'img', 'run-undo.png'));
      expect(readPicture(undoArtifact)).toMatchObject({
        width: 1100,
        height: 900,
        colours: expect.toSatisfy((c: number) => c > 16),
      });
      // The button leads to the confirmation; a dry undo then starts a run of its own that names this one.
      await undo.click();
      expect(await page.locator('h1').textContent()).toBe(`Undo run ${report.runId}`);
      await page.getByLabel('Dry run: show what the undo would do, change nothing').check();
      await page.getByLabel(`I want to undo the changes of run ${report.runId}`).check();
      await page.getByRole('button', { name: 'Start undo run' }).click();
      await page.waitForURL((u) => /\/runs\/r-[^/]+$/.test(u.pathname) && !u.pathname.endsWith(report.runId));
      const undoUrl = page.url();
      expect(await page.locator('dd', { has: page.locator(`a[href="/runs/${report.runId}"]`) }).count()).toBe(1);
      // The undo run finishes (a dry run: its report is there, and nothing to undo in turn).
      await expect
        .poll(
          async () => {
            await page.goto(undoUrl);
            return page.locator('dt', { hasText: 'Finished' }).count();
          },
          { timeout: 30_000 },
        )
        .toBe(1);
      expect(await page.locator('dl.meta').textContent()).toContain('Undo of');
      expect(await page.getByRole('button', { name: 'Undo this run…' }).count()).toBe(0);

      // Readable on a phone: the page itself never scrolls sideways; only the ad set table does.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(runUrl);
      // A string expression: the test's TypeScript has no DOM types.
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await context.close();
    },
  );
});

describe('the run page while a run is under way', () => {
  let h: Harness;
  let d: TestDashboard;
  let server: Served;
  let browser: Browser;
  const workers: Worker[] = [];

  beforeAll(async () => {
    const { campaigns } = readCampaignsFile(join(repoRoot, 'config', 'campaigns.example.json'));
    // Without protection an ad set job finishes in one go, so one can be processed by hand below.
    const veterans = campaigns.filter((c) => c.name === 'Veterans').map((c) => ({ ...c, protection: false }));
    h = await startHarness({ scenario: 'demo', campaigns: veterans, withoutWorkers: true });
    d = await testDashboard({ prefix: h.prefix });
    server = await serve(d.app);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await Promise.all(workers.map((w) => w.close()));
    await d?.close();
    await h?.close();
  });

  it('shows "no worker is running", then how many ad sets are done out of how many', { timeout: 90_000 }, async () => {
    const { deps } = h.system;
    const base = server.url;
    const runId = await startRun(
      { flow: deps.flow, store: deps.store, timing: deps.timing },
      { trigger: 'manual', dryRun: false, campaigns: ['Veterans'] },
    );
    const context = await browser.newContext({
      httpCredentials: { username: USER, password: PASSWORD },
      viewport: { width: 1100, height: 700 },
    });
    const page = await context.newPage();
    await page.goto(`${base}/runs/${runId}`);
    expect(await page.locator('.notice.bad').textContent()).toContain('No worker is running');

    // Planning runs; the ad set jobs wait. Then exactly one of them is processed, by hand.
    const opts = { connection: deps.redis, prefix: deps.keys.bullPrefix, name: workerProcessName() };
    workers.push(new Worker(QUEUES.planSync, createPlanSyncProcessor(deps), opts));
    const manual = new Worker(QUEUES.updateAdset, null, opts);
    workers.push(manual);
    await expect.poll(() => deps.queues.updateAdset.getWaitingCount(), { timeout: 20_000 }).toBeGreaterThan(1);
    const total = await deps.queues.updateAdset.getWaitingCount();
    const job = await manual.getNextJob('screenshot');
    const value: unknown = await createUpdateAdsetProcessor(deps)(job, 'screenshot');
    await job.moveToCompleted(value, 'screenshot', false);

    await page.goto(`${base}/runs/${runId}`);
    expect(await page.locator('.run-progress').textContent()).toContain(`updating ad sets: 1/${total} done`);
    expect(await page.locator('.badge.info').first().textContent()).toBe('in progress');
    const artifact = join(repoRoot, 'artifacts', 'run-progress.png');
    const docsCopy = join(repoRoot, 'docs', 'img', 'run-progress.png');
    mkdirSync(dirname(artifact), { recursive: true });
    await page.screenshot({ path: artifact, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(artifact, docsCopy);
    expect(readPicture(artifact)).toMatchObject({
      width: 1100,
      height: expect.toSatisfy((h: number) => h >= 700),
      colours: expect.toSatisfy((c: number) => c > 16),
    });

    // The run list fits a phone: the page never scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/runs`);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await context.close();
  });
});
