import { describe, expect, it } from 'vitest';
import { renderTextFollowUp, renderTextSummary, reportStatus } from '../src';
import {
  bigReport,
  cleanReport,
  dryRunReport,
  followUp,
  mixedReport,
  revertedOnlyReport,
  warningReport,
  XSS_NAME,
} from './fixtures';

describe('reportStatus', () => {
  it('is clean, warning or failure as the outcomes say', () => {
    expect(reportStatus(cleanReport())).toBe('clean');
    expect(reportStatus(dryRunReport())).toBe('clean');
    expect(reportStatus(warningReport())).toBe('warning');
    expect(reportStatus(mixedReport())).toBe('failure');
    expect(reportStatus(bigReport())).toBe('failure');
  });

  it('follows the verdict: an aborted or held campaign or success=false is a failure, a revert needs attention', () => {
    const aborted = cleanReport();
    aborted.campaigns[1]!.status = 'aborted';
    expect(reportStatus(aborted)).toBe('failure');

    const held = cleanReport();
    held.campaigns[1]!.status = 'held';
    expect(reportStatus(held)).toBe('failure');

    const reverted = cleanReport();
    reverted.campaigns[0]!.adsets[0]!.outcome = 'reverted';
    expect(reportStatus(reverted)).toBe('warning');

    expect(reportStatus({ ...cleanReport(), success: false })).toBe('failure');

    const superseded = cleanReport();
    superseded.campaigns[0]!.adsets[1]!.outcome = 'superseded';
    expect(reportStatus(superseded)).toBe('clean');
  });
});

describe('renderTextSummary', () => {
  it('starts with a header naming run, date, trigger and status', () => {
    const text = renderTextSummary(mixedReport());
    const [first] = text.split('\n');
    expect(first).toBe('closrads sync r-20261126-130000-4f2a — 2026-11-26 13:00 UTC — schedule — FAILED');
    expect(text).toContain('Dashboard: https://ads.example.com/runs/r-20261126-130000-4f2a');
  });

  it('lists campaigns with counts, states, abort reason and one line per notable ad set', () => {
    const text = renderTextSummary(mixedReport());
    expect(text).toContain('Campaign Veterans: completed');
    expect(text).toContain(
      'processed 6 · updated 1 · unchanged 1 · skipped pre-flight 1 · reverted 1 · failed 1 · superseded 1',
    );
    expect(text).toContain('Active states (4): CA, DC, OH, TX');
    expect(text).toContain('Unmapped states (1): XX');
    expect(text).toContain('Campaign Truckers: ABORTED — every state reports zero demand; targeting left as it is');
    // Changes that were not written read "would have", a restored one "undone".
    expect(text).toContain(
      '[failed] VET rejects (120200000000000204) would have: +CA,DC,OH,TX -NY — (#100/1885364) Missing Target Audience Location',
    );
    expect(text).toContain(
      `[skipped pre-flight] ${XSS_NAME} (120200000000000205) would have: +OH — ads: Flag video v3 (120210000000000901) — WITH_ISSUES: Ad creative rejected`,
    );
    expect(text).toContain(
      '[reverted] VET retarget (120200000000000206) undone: +TX -CA — original targeting restored',
    );
    expect(text).toContain(
      '[superseded] VET overnight (120200000000000207) — newer run r-20261126-140000-9b1c owns it',
    );
    expect(text).not.toContain('VET lookalike'); // unchanged ad sets are not listed
    // Failed first
    expect(text.indexOf('[failed]')).toBeLessThan(text.indexOf('[updated]'));
  });

  it('a reverted-only run needs attention and says FAILED nowhere', () => {
    const text = renderTextSummary(revertedOnlyReport());
    expect(text.split('\n')[0]).toBe(
      'closrads sync r-20261126-130000-4f2a — 2026-11-26 13:00 UTC — schedule — Needs attention',
    );
    expect(text).not.toContain('FAILED');
    expect(text).toContain('No failures, but 1 ad set was rolled back because its ads broke.');
  });

  it('a held campaign makes the run FAILED and says why', () => {
    const r = cleanReport();
    r.success = false;
    r.campaigns[1] = {
      ...r.campaigns[1]!,
      status: 'held',
      holdReason:
        '1 state mapped, fewer than minStates 2; approve with pnpm enqueue --campaign "Final Expense" --approve',
      adsets: [],
    };
    const text = renderTextSummary(r);
    expect(text.split('\n')[0]).toMatch(/— FAILED$/);
    expect(text).toContain('Campaign Final Expense: HELD — 1 state mapped, fewer than minStates 2');
    expect(text).toContain('1 campaign was held by its guardrails');
  });

  it('marks a dry run', () => {
    const text = renderTextSummary(dryRunReport());
    expect(text.split('\n')[0]).toBe(
      'closrads sync r-20261127-090000-aa11 — 2026-11-27 09:00 UTC — manual — DRY RUN — OK',
    );
    expect(text).toContain('DRY RUN: nothing was changed on Facebook.');
    expect(text).toContain('[would update] ACA broad (501) +NC,SC -VA');
  });

  it('stays short for 5,000 ad sets: failed first, then "… and N more"', () => {
    const text = renderTextSummary(bigReport());
    const adsetLines = text.split('\n').filter((l) => l.startsWith('  ['));
    expect(adsetLines).toHaveLength(50);
    expect(adsetLines.every((l) => l.startsWith('  [failed]'))).toBe(true);
    // 300 failed + 1,700-odd updated were notable; 50 shown.
    expect(text).toMatch(/… and \d+ more \(250 failed, \d+ updated\)/);
    expect(text.length).toBeLessThan(20_000);
    expect(
      renderTextSummary(bigReport(), { maxAdsetsPerCampaign: 5 })
        .split('\n')
        .filter((l) => l.startsWith('  [')),
    ).toHaveLength(5);
  });

  it('cannot be made to print extra lines by a name with a newline', () => {
    const r = cleanReport();
    r.campaigns[0]!.adsets[0]!.name = 'evil\nCampaign Fake: completed';
    const text = renderTextSummary(r);
    expect(text).not.toMatch(/^Campaign Fake/m);
  });
});

describe('renderTextFollowUp', () => {
  it('names the run, the revision and each change', () => {
    const text = renderTextFollowUp(followUp());
    expect(text.split('\n')[0]).toBe('closrads update r-20261126-130000-4f2a — 2026-11-26 — revision 2 — run now OK');
    expect(text).toContain('1 ad set changed after a late retry.');
    expect(text).toContain('Veterans: failed → [updated] VET <rejects> (120200000000000204) +CA,DC -NY');
  });
});
