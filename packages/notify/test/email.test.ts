import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EMAIL_HTML_BUDGET_BYTES, STATUS_COLORS, renderEmail, renderFollowUpEmail, sendEmail } from '../src';
import {
  bigReport,
  cleanReport,
  dryRunReport,
  followUp,
  hugeFailingReport,
  mixedReport,
  revertedOnlyReport,
  warningReport,
  XSS_NAME,
} from './fixtures';
import { startSmtp, type SmtpSink } from '@closrads/test-support/sinks';

const FROM = 'closrads <closrads@example.com>';
const TO = ['ops@example.com', 'charlie@example.com'];

function expectSelfContained(html: string) {
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/<img src="http/i);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/url\(/i);
  expect(html).not.toMatch(/display:\s*(flex|grid)/i);
}

describe('renderEmail', () => {
  it('subject carries status, date and the tally', () => {
    expect(renderEmail(mixedReport()).subject).toBe(
      '[closrads] FAILED — sync 2026-11-26 — 1 failed, 1 reverted, 1 campaign aborted, 1 skipped pre-flight, 1 superseded',
    );
    expect(renderEmail(cleanReport()).subject).toBe('[closrads] OK — sync 2026-11-26 — 1 updated');
    expect(renderEmail(warningReport()).subject).toBe(
      '[closrads] Needs attention — sync 2026-11-26 — 1 skipped pre-flight',
    );
    expect(renderEmail(dryRunReport()).subject).toBe('[closrads] OK — sync 2026-11-27 — DRY RUN — 1 would update');
  });

  it('uses the green, orange and red boxes as the run deserves', () => {
    const box = (s: keyof typeof STATUS_COLORS) =>
      `background-color:${STATUS_COLORS[s].bg};border:1px solid ${STATUS_COLORS[s].border}`;
    const clean = renderEmail(cleanReport()).html;
    expect(clean).toContain(box('clean'));
    expect(clean).toContain('All campaigns ran without issues');
    expect(clean).not.toContain(box('failure'));
    expect(renderEmail(warningReport()).html).toContain(box('warning'));
    const mixed = renderEmail(mixedReport()).html;
    expect(mixed).toContain(box('failure'));
    expect(mixed).not.toContain(box('clean'));
  });

  it('shows each campaign, its counts, states, abort reason and notable ad sets, escaped', () => {
    const { html } = renderEmail(mixedReport());
    expect(html).toContain('Veterans');
    expect(html).toContain('Truckers');
    expect(html).toContain('Aborted: every state reports zero demand; targeting left as it is');
    expect(html).toContain('CA, DC, OH, TX');
    expect(html).toContain('Unmapped states (1):</strong> XX');
    expect(html).toContain('(#100/1885364) Missing Target Audience Location');
    expect(html).toContain('Flag video v3 (120210000000000901) — WITH_ISSUES: Ad creative rejected: text over image');
    expect(html).toContain('Carousel &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('VET &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;friends&quot;');
    expect(html).not.toContain(XSS_NAME);
    expect(html).toContain('original targeting restored');
    expect(html).toContain('newer run r-20261126-140000-9b1c owns it');
    expect(html).toContain('href="https://ads.example.com/runs/r-20261126-130000-4f2a"');
    expect(html).toContain('Open this run in the dashboard');
    expect(html).not.toContain('VET lookalike 1%'); // unchanged ad sets are only counted
    // Fluid on a phone: the only fixed 640 px is Outlook's own wrapper.
    expect(html).toContain('style="width:100%;max-width:640px;');
    expect(html).toMatch(/<!--\[if mso\]><table role="presentation" width="640"/);
    expectSelfContained(html);
  });

  it('shows a DRY RUN banner only for dry runs', () => {
    expect(renderEmail(dryRunReport()).html).toContain('DRY RUN</span>');
    expect(renderEmail(dryRunReport()).html).toContain('Would update');
    expect(renderEmail(cleanReport()).html).not.toContain('DRY RUN');
  });

  it('caps the ad set table and points to the dashboard', () => {
    const { html, text } = renderEmail(bigReport());
    const rows = html.match(/<tr><td style="padding:8px;border-bottom/g) ?? [];
    expect(rows).toHaveLength(50);
    expect(html).toMatch(
      /and \d+ more \(250 failed, \d+ updated\) — <a href="https:\/\/ads\.example\.com[^"]*"[^>]*>see the dashboard<\/a>/,
    );
    expect(html.length).toBeLessThan(100_000); // Gmail clips messages above ~102 KB
    expect(text).toContain('… and');
    expect(
      renderEmail(bigReport(), { maxAdsetsPerCampaign: 10 }).html.match(/<tr><td style="padding:8px;border-bottom/g),
    ).toHaveLength(10);
  });

  it("stays under Gmail's clipping size whatever the run: problems first, then a count with the link", () => {
    const { html } = renderEmail(hugeFailingReport());
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThanOrEqual(EMAIL_HTML_BUDGET_BYTES);
    expect(html).toContain('</html>'); // whole, not cut
    expect(html).toMatch(/And \d+ more campaigns \(\d+ FAILED\) — <a href="https:\/\/ads\.example\.com/);
    // Only failed rows are shown while failed ones are left: problems before changes.
    const outcomes = [
      ...html.matchAll(/font-weight:bold;letter-spacing:0\.5px;white-space:nowrap;">(failed|updated)<\/span>/g),
    ].map((m) => m[1]);
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o === 'failed')).toBe(true);
  });

  it('keeps a big single campaign under the budget by showing fewer rows', () => {
    const { html } = renderEmail(hugeFailingReport(1, 5000), { maxAdsetsPerCampaign: 5000 });
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThanOrEqual(EMAIL_HTML_BUDGET_BYTES);
    expect(html).toMatch(/and \d+ more \(\d+ failed, 2500 updated\) — <a href="https:\/\/ads\.example\.com/);
  });

  it('a reverted-only run needs attention and says FAILED nowhere', () => {
    const { subject, html, text } = renderEmail(revertedOnlyReport());
    expect(subject).toMatch(/^\[closrads\] Needs attention — sync 2026-11-26 — 1 reverted$/);
    expect(html).toContain('>Needs attention</div>');
    expect(html).toContain(STATUS_COLORS.warning.bg);
    for (const body of [subject, html, text]) expect(body).not.toContain('FAILED');
    expect(html).toContain('undone: ');
  });

  it('renders a follow-up notice', () => {
    const msg = renderFollowUpEmail(followUp());
    expect(msg.subject).toBe('[closrads] Update — sync 2026-11-26: 1 ad set changed after retry');
    expect(msg.html).toContain('VET &lt;rejects&gt;');
    expect(msg.html).toContain('before: failed');
    expect(msg.text).toContain('failed → [updated]');
    expectSelfContained(msg.html);
    const two = followUp();
    two.changes.push({ ...two.changes[0]!, campaign: 'Truckers' });
    two.dryRun = true;
    expect(renderFollowUpEmail(two).subject).toBe(
      '[closrads] Update — sync 2026-11-26 (DRY RUN): 2 ad sets changed after retry',
    );
  });
});

describe('sendEmail over SMTP', () => {
  let smtp: SmtpSink | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('delivers exactly one message with subject, HTML and text parts', async () => {
    smtp = await startSmtp();
    const msg = renderEmail(mixedReport());
    await sendEmail({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: FROM, to: TO }, msg);

    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toBe(msg.subject);
    expect(mail.subject).toContain('FAILED');
    expect(mail.subject).toContain('2026-11-26');
    expect(mail.from?.text).toContain('closrads@example.com');
    const to = Array.isArray(mail.to) ? mail.to : [mail.to];
    expect(to.flatMap((a) => a?.value.map((v) => v.address))).toEqual(TO);
    const html = String(mail.html);
    expect(html).toContain('Veterans');
    expect(html).toContain('Truckers');
    expect(html).toContain(STATUS_COLORS.failure.border);
    expect(html).toContain(STATUS_COLORS.warning.border); // pre-flight skip / superseded counts
    expect(html).toContain('VET &lt;script&gt;');
    expectSelfContained(html);
    expect(mail.text).toContain('closrads sync r-20261126-130000-4f2a');
    expect(mail.text).toContain('[failed] VET rejects');
  });

  it('carries DRY RUN and the green box for a clean dry run', async () => {
    smtp = await startSmtp();
    const msg = renderEmail(dryRunReport());
    await sendEmail({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: FROM, to: TO }, msg);
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toContain('DRY RUN');
    expect(mail.subject).toContain('OK');
    expect(String(mail.html)).toContain(STATUS_COLORS.clean.border);
    expect(String(mail.html)).not.toContain(`border-left:6px solid ${STATUS_COLORS.failure.border}`);
    expect(mail.text).toContain('DRY RUN');
  });

  it('logs in with URL-encoded credentials from SMTP_URL', async () => {
    const pass = 'p@ss/w:rd%é';
    smtp = await startSmtp({ user: 'reports@example.com', pass });
    const url = `smtp://${encodeURIComponent('reports@example.com')}:${encodeURIComponent(pass)}@127.0.0.1:${smtp.port}`;
    await sendEmail({ smtpUrl: url, from: FROM, to: TO }, renderEmail(cleanReport()));
    expect(smtp.messages).toHaveLength(1);
  });

  it('fails on a wrong password without revealing it', async () => {
    smtp = await startSmtp({ user: 'reports', pass: 'right-password' });
    const wrong = 'Wr0ngSecretPassw0rd';
    const url = `smtp://reports:${wrong}@127.0.0.1:${smtp.port}`;
    const err = await sendEmail({ smtpUrl: url, from: FROM, to: TO }, renderEmail(cleanReport())).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toMatch(/Email not sent via smtp:\/\/127\.0\.0\.1:\d+: .*(auth|login|535)/i);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(url);
    expect(JSON.stringify(err)).not.toContain(wrong);
    expect(smtp.messages).toHaveLength(0);
  });

  it('fails fast and clearly when nothing listens', async () => {
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    const started = Date.now();
    await expect(
      sendEmail({ smtpUrl: `smtp://u:hunter22@127.0.0.1:${port}`, from: FROM, to: TO }, renderEmail(cleanReport()), {
        timeoutMs: 2000,
      }),
    ).rejects.toThrow(/Email not sent via smtp:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('times out when the server accepts the connection but never greets', async () => {
    const sockets: Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    try {
      await expect(
        sendEmail({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM, to: TO }, renderEmail(cleanReport()), {
          timeoutMs: 300,
        }),
      ).rejects.toThrow(/Email not sent via smtp:\/\/127\.0\.0\.1:\d+: .*(greeting|timeout)/i);
      // The server never greets: any bound below the test's timeout shows the 300 ms timeout worked.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses to send without recipients', async () => {
    await expect(
      sendEmail({ smtpUrl: 'smtp://127.0.0.1:25', from: FROM, to: [' '] }, renderEmail(cleanReport())),
    ).rejects.toThrow(/no recipients/);
  });
});
