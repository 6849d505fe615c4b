/**
 * Renders the mixed-run email in a real Chromium and keeps a screenshot: artifacts/ for CI, and
 * docs/img/ for the README when UPDATE_SCREENSHOTS=1.
 */
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../src';
import { mixedReport } from './fixtures';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('email screenshot', () => {
  it('renders the report email in Chromium', { timeout: 60_000 }, async () => {
    const artifact = join(repoRoot, 'artifacts', 'email-report.png');
    const docsCopy = join(repoRoot, 'docs', 'img', 'email-report.png');
    mkdirSync(dirname(artifact), { recursive: true });

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.setContent(renderEmail(mixedReport()).html, { waitUntil: 'load' });
      // The email must be self-contained: nothing fetched, and the XSS fixture stays text.
      expect(requests.filter((u) => !u.startsWith('data:') && u !== 'about:blank')).toEqual([]);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.getByText('<script>alert("x")</script>', { exact: false }).count()).toBeGreaterThan(0);
      const width = (await page.locator('table table').first().boundingBox())?.width ?? 0;
      expect(width).toBeGreaterThanOrEqual(600);
      expect(width).toBeLessThanOrEqual(660);
      await page.screenshot({ path: artifact, fullPage: true });
      // On a phone the email takes the screen's width instead of a fixed 640 px.
      await page.setViewportSize({ width: 375, height: 800 });
      const phoneWidth = (await page.locator('table table').first().boundingBox())?.width ?? 0;
      expect(phoneWidth).toBeGreaterThan(300);
      expect(phoneWidth).toBeLessThanOrEqual(375);
    } finally {
      await browser.close();
    }
    // The README's copy changes only on request, so a test run leaves the work tree clean.
    if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(artifact, docsCopy);
    expect(statSync(artifact).size).toBeGreaterThan(20_000);
    // The README's copy is a real picture (refreshed with UPDATE_SCREENSHOTS=1); byte sizes of two
    // renderings are not compared: they differ with fonts and the machine, not with the product.
    expect(readFileSync(docsCopy).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(statSync(docsCopy).size).toBeGreaterThan(20_000);
  });
});
