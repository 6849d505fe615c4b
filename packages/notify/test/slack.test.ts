import { afterEach, describe, expect, it } from 'vitest';
import { SLACK_LIMITS, postSlack, renderSlack, renderSlackFollowUp, type SlackPayload } from '../src';
import {
  bigReport,
  cleanReport,
  dryRunReport,
  followUp,
  manyCampaignsReport,
  mixedReport,
  revertedOnlyReport,
  warningReport,
} from './fixtures';
import { startReceiver, type HttpSink } from '@closrads/test-support/sinks';

type Text = { type: string; text: string };
type Block = { type: string; text?: Text; elements?: Array<Record<string, unknown>> };

/** The limits Slack enforces on an incoming-webhook message. */
function expectValidBlockKit(payload: SlackPayload) {
  const blocks = payload.blocks as Block[];
  expect(typeof payload.text).toBe('string');
  expect(payload.text.length).toBeGreaterThan(0);
  expect(payload.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks) {
    expect(['header', 'context', 'section', 'divider', 'actions']).toContain(b.type);
    if (b.type === 'header') {
      expect(b.text?.type).toBe('plain_text');
      expect(b.text!.text.length).toBeLessThanOrEqual(150);
    }
    if (b.type === 'section') {
      expect(b.text?.type).toBe('mrkdwn');
      expect(b.text!.text.length).toBeGreaterThan(0);
      expect(b.text!.text.length).toBeLessThanOrEqual(3000);
    }
    if (b.type === 'context') {
      expect(b.elements!.length).toBeLessThanOrEqual(10);
      for (const e of b.elements!) expect(String(e.text).length).toBeLessThanOrEqual(3000);
    }
  }
}

const sectionTexts = (p: SlackPayload) =>
  (p.blocks as Block[]).filter((b) => b.type === 'section').map((b) => b.text!.text);

describe('renderSlack follows the verdict', () => {
  it('a reverted-only run needs attention and says FAILED nowhere', () => {
    const payload = renderSlack(revertedOnlyReport());
    expectValidBlockKit(payload);
    const all = JSON.stringify(payload);
    expect(all).not.toContain('FAILED');
    expect(all).not.toContain(':red_circle:');
    expect(payload.text).toContain('Needs attention');
    expect(all).toContain(':large_orange_circle: *Needs attention*');
  });
});

describe('renderSlack', () => {
  it('has a header, a context line, a status line, a section per campaign and a dashboard button', () => {
    const payload = renderSlack(mixedReport());
    expectValidBlockKit(payload);
    const blocks = payload.blocks as Block[];
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'closrads sync — 2026-11-26', emoji: true },
    });
    expect(JSON.stringify(blocks[1])).toContain('Trigger: *schedule*');
    const texts = sectionTexts(payload);
    expect(texts[0]).toMatch(/^:red_circle: \*FAILED\* — 1 ad set failed/);
    expect(
      texts.some((t) => t.includes('*Veterans* — completed') && t.includes('Active states (4): CA, DC, OH, TX')),
    ).toBe(true);
    expect(
      texts.some((t) => t.includes('*Truckers* — *ABORTED*') && t.includes('every state reports zero demand')),
    ).toBe(true);
    const adsets = texts.find((t) => t.includes('VET rejects'))!;
    expect(adsets).toContain('(#100/1885364) Missing Target Audience Location');
    expect(adsets).toContain('VET &lt;script&gt;alert("x")&lt;/script&gt; &amp; "friends"');
    expect(adsets).not.toContain('<script>');
    expect(adsets.indexOf('VET rejects')).toBeLessThan(adsets.indexOf('VET broad')); // failed first
    const actions = blocks.find((b) => b.type === 'actions')!;
    expect(JSON.stringify(actions)).toContain('https://ads.example.com/runs/r-20261126-130000-4f2a');
    expect(payload.text).toBe(
      'closrads FAILED — sync 2026-11-26 — 1 failed, 1 reverted, 1 campaign aborted, 1 skipped pre-flight, 1 superseded',
    );
  });

  it('marks dry runs and uses green/orange for clean/warning runs', () => {
    const dry = renderSlack(dryRunReport());
    expectValidBlockKit(dry);
    expect((dry.blocks[0] as Block).text!.text).toBe('DRY RUN — closrads sync — 2026-11-27');
    expect(JSON.stringify(dry.blocks[1])).toContain('*DRY RUN*');
    expect(dry.text).toMatch(/^\[DRY RUN\] closrads OK/);
    expect(sectionTexts(renderSlack(cleanReport()))[0]).toMatch(/^:large_green_circle: \*OK\*/);
    expect(sectionTexts(renderSlack(warningReport()))[0]).toMatch(/^:large_orange_circle: \*Needs attention\*/);
  });

  it('stays within Slack limits for 5,000 ad sets and says how many were left out', () => {
    const payload = renderSlack(bigReport());
    expectValidBlockKit(payload);
    const adsets = sectionTexts(payload).find((t) => t.includes('BIG adset'))!;
    expect(adsets).toMatch(
      /…and \d+ more ad sets \(\d+ failed, \d+ updated\) — see the <https:\/\/ads\.example\.com[^|]*\|dashboard>/,
    );
    expect(
      adsets
        .split('\n')
        .slice(0, -1)
        .every((l) => l.startsWith(':x:')),
    ).toBe(true);
    expect(JSON.stringify(payload).length).toBeLessThan(60_000);

    const many = renderSlack(
      { ...bigReport(), campaigns: Array.from({ length: 3 }, () => bigReport().campaigns[0]!) },
      { maxAdsetsPerCampaign: 1000 },
    );
    expectValidBlockKit(many);
  });

  it('stays within 50 blocks with many campaigns, troubled ones first', () => {
    for (const n of [15, 40, 120]) {
      const payload = renderSlack(manyCampaignsReport(n));
      expectValidBlockKit(payload);
      expect(payload.blocks.length).toBeLessThanOrEqual(50);
    }
    const texts = sectionTexts(renderSlack(manyCampaignsReport(120)));
    expect(texts[1]).toContain('*Campaign 3*'); // first failing campaign comes first
    expect(texts[texts.length - 1]).toMatch(/more campaigns? — see the dashboard/);
  });

  it('renders a follow-up', () => {
    const payload = renderSlackFollowUp(followUp());
    expectValidBlockKit(payload);
    expect(payload.text).toBe('closrads update — sync 2026-11-26: 1 ad set changed after retry');
    expect(sectionTexts(payload).join('\n')).toContain('Veterans: _failed_ → :white_check_mark: *VET &lt;rejects&gt;*');
  });
});

describe('postSlack', () => {
  let sink: HttpSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });
  const secretPath = '/services/T0AAAAAAA/B0BBBBBBB/s3cr3tW3bh00kT0k3n';

  it('posts exactly one JSON payload', async () => {
    sink = await startReceiver();
    const payload = renderSlack(mixedReport());
    await postSlack(sink.url + secretPath, payload);
    expect(sink.bodies).toHaveLength(1);
    const received = JSON.parse(sink.bodies[0]!) as SlackPayload;
    expect(received).toEqual(payload);
    expectValidBlockKit(received);
  });

  it('rejects on a non-2xx answer without revealing the webhook path', async () => {
    sink = await startReceiver({ status: 500, body: `internal error for ${secretPath}` });
    const err = (await postSlack(sink.url + secretPath, renderSlack(cleanReport())).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^Slack webhook answered 500: internal error/);
    expect(err.message).not.toContain('s3cr3tW3bh00kT0k3n');
    expect(err.message).not.toContain(sink.url);
  });

  it('masks every path segment of the webhook URL a receiver echoes, in any encoding', async () => {
    for (const segment of ['T0AAAAAAA', 'B0BBBBBBB', 's3cr3tW3bh00kT0k3n']) {
      for (const echoed of [segment, encodeURIComponent(`/${segment}`), `&quot;${segment}&quot;`]) {
        sink = await startReceiver({ status: 404, body: `no_team: ${echoed}` });
        const err = (await postSlack(sink.url + secretPath, renderSlack(cleanReport())).catch(
          (e: unknown) => e,
        )) as Error;
        expect(err.message).toMatch(/^Slack webhook answered 404: no_team/);
        expect(err.message).not.toContain(segment);
        await sink.close();
      }
    }
    sink = undefined;
  });

  it('refuses a redirect instead of posting the report elsewhere', async () => {
    const elsewhere = await startReceiver();
    sink = await startReceiver({ status: 307, headers: { location: `${elsewhere.url}/collect` } });
    const err = (await postSlack(sink.url + secretPath, renderSlack(cleanReport())).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/Slack webhook answered with a redirect \(HTTP 307/);
    expect(elsewhere.bodies).toEqual([]);
    await elsewhere.close();
  });

  it("reports Slack's own error text", async () => {
    sink = await startReceiver({ status: 400, body: 'invalid_blocks' });
    await expect(postSlack(sink.url + secretPath, renderSlack(cleanReport()))).rejects.toThrow(
      'Slack webhook answered 400: invalid_blocks',
    );
  });

  it('gives up quickly when the webhook does not answer', async () => {
    sink = await startReceiver({ hang: true });
    const started = Date.now();
    const err = (await postSlack(sink.url + secretPath, renderSlack(cleanReport()), { timeoutMs: 200 }).catch(
      (e: unknown) => e,
    )) as Error;
    // The receiver never answers: any bound below the test's timeout shows the 200 ms timeout worked,
    // and a wide one holds on a loaded machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err.message).toBe('Slack webhook did not answer within 200 ms');
    expect(sink.bodies).toHaveLength(1);
  });

  it('names a refused connection without the path', async () => {
    const probe = await startReceiver();
    await probe.close();
    const err = (await postSlack(probe.url + secretPath, renderSlack(cleanReport()), { timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toMatch(/^Slack webhook request failed: .*ECONNREFUSED/);
    expect(err.message).not.toContain('s3cr3t');
  });
});
