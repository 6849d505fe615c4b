/**
 * Renders the mixed-run email in a real Chromium and keeps a screenshot: artifacts/ for CI, and
 * docs/img/ for the README when UPDATE_SCREENSHOTS=1.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '@closrads/test-support/browser';
import { readPicture } from '@closrads/test-support/png';
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../src';
import { mixedReport } from './fixtures';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('email screenshot', () => {
  it('renders the report email in Chromium', { timeout: 60_000 }, async () => {
    const artifact = join(repoRoot, 'artifacts', 'email-report.png');
    const docsCopy = join(repoRoot, 'docs', 'img', 'email-report.png');
    mkdirSync(dirname(artifact), { recursive: true });

    const browser = await launchBrowser();
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
    // What the pictures show, read from the PNGs: the email's width, a real height, more than a few
    // colours. Byte sizes are not compared: they change with fonts and the machine, not the product.
    const shown = {
      width: 720,
      height: expect.toSatisfy((h: number) => h >= 900),
      colours: expect.toSatisfy((c: number) => c > 16),
    };
    expect(readPicture(artifact)).toMatchObject(shown);
    // The README's copy is a real picture of the same email (refreshed with UPDATE_SCREENSHOTS=1).
    expect(readPicture(docsCopy)).toMatchObject(shown);
  });
});
