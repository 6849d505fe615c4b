/**
 * The demand pictures in a real browser (Debian Chromium via playwright-core): a campaign whose demand
 * changed, found by a demand check; its campaign page (map of what it targets, demand heatmap, runs),
 * the run page's map, and the email's tile map. Saves artifacts/campaign-page.png and
 * artifacts/email-tile-map.png (and, with UPDATE_SCREENSHOTS=1, their docs/img copies for the README).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DemandCheckResult, JOB_NAMES, campaignChanges, readCampaignsFile, waitForReport } from '@closrads/core';
import { renderEmail } from '@closrads/notify';
import { Job } from 'bullmq';
import { launchBrowser, serve, type Served } from '@closrads/test-support/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { campaign, startHarness, type Harness } from '@closrads/test-support/harness';
import { CREDENTIALS, TOKEN, baseScenario } from '@closrads/test-support/scenarios';
import { PASSWORD, USER, testDashboard, type TestDashboard } from './helpers';
import { readPicture } from '@closrads/test-support/png';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DAY = 24 * 3600 * 1000;

function keep(name: string, artifact: string): void {
  // The README's copy changes only on request, so a test run leaves the work tree clean.
  if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(artifact, join(repoRoot, 'docs', 'img', name));
  // What the picture shows, not its byte size (which changes with fonts and compression).
  expect(readPicture(artifact)).toMatchObject({
    width: 1100,
    height: expect.toSatisfy((h: number) => h >= 900),
    colours: expect.toSatisfy((c: number) => c > 16),
  });
}

/** A demand check through the queue, as the `demand-check` schedule adds it; waits for it to finish. */
async function checkThroughQueue(h: Harness): Promise<DemandCheckResult> {
  const queue = h.system.deps.queues.planSync;
  const added = await queue.add(JOB_NAMES.demandCheck, { dryRun: false });
  let result: DemandCheckResult | undefined;
  await vi.waitFor(
    async () => {
      // The job is read after its state says completed, so its return value is there.
      expect(await queue.getJobState(added.id!)).toBe('completed');
      const job = await Job.fromId(queue, added.id!);
      result = DemandCheckResult.parse(job!.returnvalue);
    },
    { timeout: 30_000, interval: 50 },
  );
  return result!;
}

describe('demand history and maps in the browser', () => {
  let h: Harness;
  let d: TestDashboard;
  let server: Served;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    const { campaigns, problems } = readCampaignsFile(join(repoRoot, 'config', 'campaigns.example.json'));
    expect(problems).toEqual([]);
    h = await startHarness({ scenario: 'demo', campaigns: campaigns.filter((c) => c.name === 'Veterans') });
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
  });

  const demandCheck = () => checkThroughQueue(h);

  it(
    "shows what a campaign targets, its demand over 30 days, and a run's added and removed states",
    { timeout: 90_000 },
    async () => {
      // Four weeks of earlier readings (a fixture in the real store): demand drifting between states.
      const history = h.system.deps.demandHistory;
      const start = Date.now() - 29 * DAY;
      for (let day = 0; day < 28; day++) {
        const wave = (n: number) => Math.max(0, Math.round(n + 6 * Math.sin((day + n) / 4)));
        await history.record(
          'Veterans',
          new Map([
            ['OH', wave(12)],
            ['TX', wave(3)],
            ['PA', wave(7)],
            ['MI', wave(5)],
            ['NC', wave(10)],
            ['VA', day < 20 ? wave(4) : 0],
            ['NY', wave(6)],
            ['GA', day > 24 ? 4 : 0],
          ]),
          start + day * DAY,
        );
      }

      const first = await demandCheck();
      expect(first.campaigns[0]?.verdict).toBe('first-run');
      expect((await waitForReport(h.system.deps.store, first.runId!, 30_000, 50))?.success).toBe(true);
      // Demand moves: Georgia gains demand, Virginia loses it. The next check applies it, no manual step.
      const vet = h.sim.state.closrtech.campaigns.VND_VETERAN_LEADS as Record<
        string,
        { demand: number; stock: number }
      >;
      vet.GA = { demand: 5, stock: 3 };
      vet.VA = { demand: 0, stock: 0 };
      const changed = await demandCheck();
      expect(changed.campaigns[0]?.verdict).toBe('changed');
      const report = (await waitForReport(h.system.deps.store, changed.runId!, 30_000, 50))!;
      expect(report.trigger).toBe('demand-change');

      const context = await browser.newContext({
        httpCredentials: { username: USER, password: PASSWORD },
        viewport: { width: 1100, height: 900 },
      });
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));

      await page.goto(`${base}/campaigns`);
      expect(await page.locator('td', { hasText: 'GA' }).count()).toBeGreaterThan(0);
      await page.getByRole('link', { name: 'Veterans' }).click();
      expect(page.url()).toBe(`${base}/campaigns/Veterans`);
      const targeted = await page
        .locator('figure.usmap g.tile.targeted')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
      expect(targeted.sort()).toEqual(report.campaigns[0]!.activeStates);
      expect(await page.locator('figure.usmap g.tile').count()).toBe(51);
      // The heatmap: one row per state with demand in the window, 30 day columns each.
      const rows = page.locator('.heatmap g[data-state]');
      expect(await rows.count()).toBeGreaterThanOrEqual(8);
      expect(await page.locator('.heatmap g[data-state="OH"] rect').count()).toBe(30);
      expect(await page.getByRole('link', { name: /UTC/ }).count()).toBeGreaterThanOrEqual(2); // its runs
      expect(await page.locator('script').count()).toBe(0);
      const shot = join(repoRoot, 'artifacts', 'campaign-page.png');
      mkdirSync(dirname(shot), { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      keep('campaign-page.png', shot);

      // The run page's map: GA added, VA removed.
      await page.goto(`${base}/runs/${report.runId}`);
      // (Ad sets of the demo started from different targeting, so the run added more than Georgia to some.)
      const { added, removed } = campaignChanges(report.campaigns[0]!.adsets);
      expect(added).toContain('GA');
      expect(removed).toContain('VA');
      expect(
        (
          await page
            .locator('figure.usmap g.tile.added')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))
        ).sort(),
      ).toEqual(added);
      expect(
        await page
          .locator('figure.usmap g.tile.removed')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-state'))),
      ).toEqual(removed);

      // Readable on a phone: the page never scrolls sideways (the heatmap scrolls in its own box).
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/campaigns/Veterans`);
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const mapWidth = (await page.locator('figure.usmap svg').boundingBox())?.width ?? 0;
      expect(mapWidth).toBeGreaterThan(300);
      expect(mapWidth).toBeLessThanOrEqual(390);
      expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
      await context.close();

      // The email's tile map renders from tables alone, fetching nothing.
      const mail = await browser.newPage({ viewport: { width: 720, height: 900 } });
      const fetched: string[] = [];
      mail.on('request', (r) => fetched.push(r.url()));
      await mail.setContent(renderEmail(report).html, { waitUntil: 'load' });
      expect(fetched.filter((u) => u !== 'about:blank' && !u.startsWith('data:'))).toEqual([]);
      const ga = mail.locator('td[title="GA added"]');
      expect(await ga.count()).toBe(1);
      expect(await ga.getAttribute('style')).toContain('background-color:#15803d');
      const map = mail.locator('table[role="presentation"]', { has: mail.locator('td[title="GA added"]') }).last();
      const mailShot = join(repoRoot, 'artifacts', 'email-tile-map.png');
      const tileMapWidth = (await map.boundingBox())?.width ?? 0;
      await map.screenshot({ path: mailShot });
      await mail.close();
      const picture = readPicture(mailShot);
      expect(Math.abs(picture.width - tileMapWidth)).toBeLessThanOrEqual(1);
      expect(picture.colours).toBeGreaterThan(16);
      if (process.env.UPDATE_SCREENSHOTS === '1')
        copyFileSync(mailShot, join(repoRoot, 'docs', 'img', 'email-tile-map.png'));
    },
  );
});

/** A scenario of its own (no rate budget): the held campaign's approval writes at once. */
describe('approving a held campaign in the browser', () => {
  let h: Harness;
  let d: TestDashboard;
  let server: Served;
  let browser: Browser;
  let base = '';

  beforeAll(async () => {
    h = await startHarness({
      scenario: baseScenario(),
      campaigns: [
        campaign({
          name: 'Veterans',
          closrtechCampaign: 'VET',
          adAccountId: 'act_1',
          facebookCampaignIds: ['9001'],
          protection: false,
        }),
      ],
      closrtechCredentials: CREDENTIALS,
      accessToken: TOKEN,
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
  });

  const demandCheck = () => checkThroughQueue(h);

  it(
    'approves a held campaign from its run page: confirmation, then one run past its guardrails',
    { timeout: 90_000 },
    async () => {
      const first = await demandCheck();
      expect((await waitForReport(h.system.deps.store, first.runId!, 30_000, 50))?.success).toBe(true);
      // Demand collapses to one state: two of the three live states would go, so the next check holds it.
      h.sim.state.closrtech.campaigns.VET = { OH: 15, TX: 0, CA: 0 };
      const check = await demandCheck();
      expect(check.campaigns[0]?.verdict).toBe('changed');
      const held = (await waitForReport(h.system.deps.store, check.runId!, 30_000, 50))!;
      expect(held.campaigns[0]?.status).toBe('held');
      const writes = h.sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST').length;

      const context = await browser.newContext({
        httpCredentials: { username: USER, password: PASSWORD },
        viewport: { width: 1100, height: 900 },
      });
      const page = await context.newPage();
      await page.goto(`${base}/runs/${held.runId}`);
      expect(await page.locator('.notice.bad', { hasText: 'Held: demand would drop' }).count()).toBe(1);
      const shot = join(repoRoot, 'artifacts', 'held-run.png');
      await page.screenshot({ path: shot, fullPage: true });
      keep('held-run.png', shot);

      await page.getByRole('button', { name: 'Approve…' }).click();
      expect(await page.locator('h1').textContent()).toBe('Approve Veterans');
      expect(h.sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST')).toHaveLength(writes); // nothing yet
      await page.getByLabel(/I have checked the demand/).check();
      await page.getByRole('button', { name: 'Approve and run' }).click();
      await page.waitForURL(/\/runs\/r-\d{8}-\d{6}-[0-9a-f]{4}$/);
      const approvedId = page.url().split('/').pop()!;
      expect(approvedId).not.toBe(held.runId);
      const approved = (await waitForReport(h.system.deps.store, approvedId, 30_000, 50))!;
      expect(approved.campaigns[0]).toMatchObject({ status: 'completed', activeStates: ['OH'] });
      expect(approved.campaigns[0]!.counts.updated).toBeGreaterThan(0);
      expect(h.sim.calls.filter((c) => c.api === 'graph' && c.method === 'POST').length).toBeGreaterThan(writes);
      await context.close();
    },
  );
});
