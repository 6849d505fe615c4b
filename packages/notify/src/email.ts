/**
 * The HTML report email. Mail clients (Outlook's Word engine, Gmail's sanitiser) ignore most modern
 * CSS, so this is deliberately old-fashioned: nested tables, inline styles, bgcolor attributes, web-safe
 * fonts, no images, no external resources. Every string taken from the report goes through escapeHtml.
 */
import { campaignChanges } from '@closrads/core';
import { renderTileMapTable } from './tile-map';
import {
  CHANGE_PREFIX,
  OUTCOME_LABEL,
  campaignCounts,
  changeKind,
  type AdsetResult,
  type CampaignReport,
  type FollowUp,
  type OutcomeCounts,
  type RunReport,
} from '@closrads/core';
import { escapeHtml as esc, oneLine } from './escape';
import {
  DEFAULT_MAX_ADSETS_PER_CAMPAIGN,
  campaignStatusWord,
  campaignStopReason,
  followUpSentence,
  followUpStatus,
  notableAdsets,
  rankOf,
  STATUS_WORD,
  adsetReason,
  campaignStatus,
  dateFromRunId,
  describeAd,
  describeHidden,
  duration,
  longDate,
  plural,
  reportStatus,
  runDate,
  runTime,
  statusSentence,
  subjectTally,
  type ReportStatus,
} from './format';
import { renderTextFollowUp, renderTextSummary } from './summary';

export interface EmailMessage {
  subject: string;
  html: string;
  text: string;
}

export interface EmailOptions {
  /** Rows in each campaign's ad set table before "and N more" (default 50). */
  maxAdsetsPerCampaign?: number;
  /** Most bytes of HTML the email may have (default EMAIL_HTML_BUDGET_BYTES). */
  maxHtmlBytes?: number;
}

/**
 * Gmail clips a message whose HTML is over 102 KB behind a "[Message clipped] View entire message"
 * link, hiding the end of the report. Assumption: the limit applies to the HTML as sent, and the
 * transfer encoding and headers can add a few KB, so the HTML is kept well below it.
 */
export const EMAIL_HTML_BUDGET_BYTES = 90_000;

/** Box colours per status; exported so tests and other views can use the same palette. */
export const STATUS_COLORS: Record<ReportStatus, { bg: string; border: string; text: string }> = {
  clean: { bg: '#ecfdf3', border: '#16a34a', text: '#14532d' },
  warning: { bg: '#fff7ed', border: '#ea580c', text: '#7c2d12' },
  failure: { bg: '#fef2f2', border: '#dc2626', text: '#7f1d1d' },
};

const ADDED_COLOR = '#15803d';
const REMOVED_COLOR = '#b91c1c';
const MUTED = '#6b7280';
const INK = '#111827';
const RULE = '#e5e7eb';
const FONT = 'Arial, Helvetica, sans-serif';
const MONO = "Consolas, 'Courier New', monospace";
const MAX_ADS_PER_ROW = 5;

const OUTCOME_PILL: Record<AdsetResult['outcome'], { bg: string; fg: string }> = {
  failed: { bg: '#fee2e2', fg: '#991b1b' },
  reverted: { bg: '#fee2e2', fg: '#991b1b' },
  skipped_preflight: { bg: '#ffedd5', fg: '#9a3412' },
  superseded: { bg: '#ffedd5', fg: '#9a3412' },
  deferred: { bg: '#f3f4f6', fg: '#374151' },
  skipped_changed: { bg: '#f3f4f6', fg: '#374151' },
  updated: { bg: '#dcfce7', fg: '#166534' },
  would_update: { bg: '#dbeafe', fg: '#1e40af' },
  unchanged: { bg: '#f3f4f6', fg: '#374151' },
};

export function emailSubject(report: RunReport): string {
  const parts = [
    `[closrads] ${STATUS_WORD[reportStatus(report)]}`,
    `sync ${runDate(report.startedAt)}`,
    ...(report.dryRun ? ['DRY RUN'] : []),
    subjectTally(report),
  ];
  return parts.join(' — ');
}

export function renderEmail(report: RunReport, opts: EmailOptions = {}): EmailMessage {
  const max = opts.maxAdsetsPerCampaign ?? DEFAULT_MAX_ADSETS_PER_CAMPAIGN;
  const budget = opts.maxHtmlBytes ?? EMAIL_HTML_BUDGET_BYTES;
  const subject = emailSubject(report);
  const layout = fitToBudget(report, max, budget, (rows) => page(subject, statusSentence(report), rows));
  return {
    subject,
    html: layout,
    text: renderTextSummary(report, { maxAdsetsPerCampaign: max }),
  };
}

/**
 * The whole email within `budget` bytes whatever the run: problems first (across every campaign),
 * then changes, then a count of the rest with the dashboard link. It tries every notable row first and
 * searches for the most rows that fit; with too many campaigns for even that, the most troubled
 * campaigns keep their section and the others are summed up in one row.
 */
function fitToBudget(report: RunReport, max: number, budget: number, wrap: (rows: string) => string): string {
  const ranked = rankedRows(report, max);
  const campaignOrder = report.campaigns
    .map((c, i) => ({ c, i }))
    .sort((x, y) => STATUS_RANK[campaignStatus(x.c)] - STATUS_RANK[campaignStatus(y.c)] || x.i - y.i)
    .map(({ c }) => c);
  const render = (rows: number, campaigns: number, maps = false) =>
    wrap(bodyRows(report, new Set(ranked.slice(0, rows)), new Set(campaignOrder.slice(0, campaigns)), maps));
  const fits = (html: string) => Buffer.byteLength(html, 'utf8') <= budget;

  // The tile maps are the first thing to go: problems and changes matter more than the picture.
  const withMaps = render(ranked.length, campaignOrder.length, true);
  if (fits(withMaps)) return withMaps;
  const all = render(ranked.length, campaignOrder.length);
  if (fits(all)) return all;
  const campaigns = fits(render(0, campaignOrder.length))
    ? campaignOrder.length
    : largest(campaignOrder.length, (m) => fits(render(0, m)));
  const rows = largest(ranked.length, (k) => fits(render(k, campaigns)));
  return render(rows, campaigns);
}

/** The largest n in [0, upper] for which ok(n) holds, given ok is true up to some n and false after. */
function largest(upper: number, ok: (n: number) => boolean): number {
  let lo = 0;
  let hi = upper;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const STATUS_RANK: Record<ReportStatus, number> = { failure: 0, warning: 1, clean: 2 };

/** Every notable ad set the email could show (at most `max` per campaign), most urgent first. */
function rankedRows(report: RunReport, max: number): AdsetResult[] {
  const candidates = report.campaigns.flatMap((c, ci) =>
    notableAdsets(c)
      .slice(0, Math.max(0, Math.floor(max)))
      .map((a, i) => ({ a, ci, i })),
  );
  return candidates.sort((x, y) => rankOf(x.a) - rankOf(y.a) || x.ci - y.ci || x.i - y.i).map(({ a }) => a);
}

function bodyRows(
  report: RunReport,
  shownRows: ReadonlySet<AdsetResult>,
  shownCampaigns: ReadonlySet<CampaignReport>,
  maps: boolean,
): string {
  const left = report.campaigns.filter((c) => !shownCampaigns.has(c));
  return [
    headerRow(report),
    report.dryRun ? dryRunRow() : '',
    summaryRow(reportStatus(report), statusSentence(report)),
    report.dashboardUrl ? buttonRow(report.dashboardUrl, 'Open this run in the dashboard') : '',
    ...report.campaigns.filter((c) => shownCampaigns.has(c)).map((c) => campaignRows(c, report, shownRows, maps)),
    left.length ? otherCampaignsRow(left, report.dashboardUrl) : '',
    report.campaigns.length ? '' : paddedRow(`<p style="margin:0;color:${MUTED};">No campaigns were run.</p>`),
    footerRow(report),
  ].join('');
}

function otherCampaignsRow(left: CampaignReport[], dashboardUrl?: string): string {
  const byStatus = new Map<ReportStatus, number>();
  for (const c of left) byStatus.set(campaignStatus(c), (byStatus.get(campaignStatus(c)) ?? 0) + 1);
  const tally = (['failure', 'warning', 'clean'] as const)
    .filter((s) => byStatus.get(s))
    .map((s) => `${byStatus.get(s)} ${STATUS_WORD[s]}`)
    .join(', ');
  const link = dashboardUrl
    ? ` — <a href="${esc(dashboardUrl)}" style="color:#1d4ed8;">see the dashboard</a>`
    : ' — see the dashboard';
  return paddedRow(
    `<p style="margin:0;color:${MUTED};font-style:italic;">And ${esc(plural(left.length, 'more campaign'))} (${esc(tally)})${link}</p>`,
    '16px 28px',
  );
}

export function renderFollowUpEmail(followUp: FollowUp, opts: EmailOptions = {}): EmailMessage {
  const max = opts.maxAdsetsPerCampaign ?? DEFAULT_MAX_ADSETS_PER_CAMPAIGN;
  const n = followUp.changes.length;
  const date = dateFromRunId(followUp.runId);
  const subject = `[closrads] Update — sync ${date}${followUp.dryRun ? ' (DRY RUN)' : ''}: ${plural(n, 'ad set')} changed after retry`;
  const status = followUpStatus(followUp);
  const sentence = followUpSentence(n, status);

  const body = followUp.changes
    .slice(0, max)
    .map((ch) =>
      adsetRow(ch.adset, `${esc(oneLine(ch.campaign, 80))} · before: ${esc(OUTCOME_LABEL[ch.previousOutcome])}`),
    );
  const rest = n > max ? moreRow(`and ${n - max} more`, followUp.dashboardUrl) : '';

  const rows = [
    paddedRow(
      `<div style="font-size:12px;letter-spacing:1px;text-transform:uppercase;color:${MUTED};">closrads · report update</div>` +
        `<h1 style="margin:6px 0 4px;font-size:22px;line-height:28px;color:${INK};font-family:${FONT};">Update to the sync of ${esc(date)}</h1>` +
        `<p style="margin:0;font-size:13px;color:${MUTED};">Run ${esc(followUp.runId)} · revision ${followUp.revision}</p>`,
      '24px 28px 8px',
    ),
    followUp.dryRun ? dryRunRow() : '',
    summaryRow(status, sentence),
    followUp.dashboardUrl ? buttonRow(followUp.dashboardUrl, 'Open this run in the dashboard') : '',
    n ? paddedRow(adsetTable(body.join('') + rest), '8px 28px 24px') : '',
  ];
  return {
    subject,
    html: page(subject, sentence, rows.join('')),
    text: renderTextFollowUp(followUp, { maxAdsetsPerCampaign: max }),
  };
}

// ---------------------------------------------------------------------------------------------
// Page skeleton

function page(title: string, preheader: string, rows: string): string {
  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="x-apple-disable-message-reformatting">' +
    `<title>${esc(title)}</title></head>` +
    `<body style="margin:0;padding:0;background-color:#f3f4f6;font-family:${FONT};color:${INK};">` +
    // Preview text shown by the inbox list next to the subject; hidden in the message itself.
    `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${esc(preheader)}</div>` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f4f6" style="background-color:#f3f4f6;">` +
    `<tr><td align="center" style="padding:16px 4px;">` +
    // Fluid: full width on a phone, at most 640 px elsewhere. Outlook ignores max-width, so it gets a
    // fixed-width wrapper of its own.
    '<!--[if mso]><table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->' +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" ` +
    `style="width:100%;max-width:640px;background-color:#ffffff;border:1px solid ${RULE};font-family:${FONT};font-size:14px;line-height:20px;color:${INK};">` +
    rows +
    '</table><!--[if mso]></td></tr></table><![endif]--></td></tr></table></body></html>\n'
  );
}

function paddedRow(inner: string, padding = '12px 28px'): string {
  return `<tr><td style="padding:${padding};font-family:${FONT};">${inner}</td></tr>`;
}

function headerRow(report: RunReport): string {
  const took = duration(report.startedAt, report.finishedAt);
  const meta = [
    `Started ${runTime(report.startedAt)}${took ? ` · took ${took}` : ''}`,
    report.trigger === 'schedule' ? 'scheduled run' : `${esc(report.trigger)} run`,
    `run ${esc(report.runId)}`,
  ].join(' · ');
  return paddedRow(
    `<div style="font-size:12px;letter-spacing:1px;text-transform:uppercase;color:${MUTED};">closrads · daily state sync</div>` +
      `<h1 style="margin:6px 0 4px;font-size:24px;line-height:30px;color:${INK};font-family:${FONT};">Sync report — ${esc(longDate(report.startedAt))}</h1>` +
      `<p style="margin:0;font-size:13px;color:${MUTED};">${meta}</p>`,
    '24px 28px 8px',
  );
}

function dryRunRow(): string {
  return paddedRow(
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>` +
      `<td bgcolor="#1e1b4b" style="background-color:#1e1b4b;padding:12px 16px;color:#ffffff;font-family:${FONT};">` +
      `<span style="font-size:16px;font-weight:bold;letter-spacing:2px;color:#fde047;">DRY RUN</span>` +
      `<span style="font-size:14px;color:#ffffff;">&nbsp;&nbsp;Nothing was changed on Facebook. Counts show what a live run would do.</span>` +
      `</td></tr></table>`,
    '8px 28px',
  );
}

function summaryRow(status: ReportStatus, sentence: string): string {
  const c = STATUS_COLORS[status];
  return paddedRow(
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>` +
      `<td bgcolor="${c.bg}" style="background-color:${c.bg};border:1px solid ${c.border};border-left:6px solid ${c.border};padding:14px 16px;font-family:${FONT};">` +
      `<div style="font-size:18px;line-height:24px;font-weight:bold;color:${c.border};">${esc(STATUS_WORD[status])}</div>` +
      `<div style="font-size:15px;line-height:22px;color:${c.text};margin-top:2px;">${esc(sentence)}</div>` +
      `</td></tr></table>`,
    '8px 28px',
  );
}

/** A "bulletproof" button: a coloured table cell around a link, which Outlook renders too. */
function buttonRow(url: string, label: string): string {
  return paddedRow(
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>` +
      `<td bgcolor="#1d4ed8" style="background-color:#1d4ed8;border-radius:4px;">` +
      `<a href="${esc(url)}" style="display:inline-block;padding:10px 18px;font-family:${FONT};font-size:14px;font-weight:bold;color:#ffffff;text-decoration:none;">${esc(label)} &rarr;</a>` +
      `</td></tr></table>`,
    '4px 28px 8px',
  );
}

function footerRow(report: RunReport): string {
  const parts = [
    `Run ${esc(report.runId)}`,
    `started ${esc(report.startedAt)}`,
    `finished ${esc(report.finishedAt)}`,
    ...(report.revision && report.revision > 1 ? [`revision ${report.revision}`] : []),
  ];
  return (
    `<tr><td style="padding:16px 28px 24px;border-top:1px solid ${RULE};font-family:${FONT};font-size:12px;line-height:18px;color:${MUTED};">` +
    `${parts.join(' · ')}<br>Sent by closrads. Times are UTC.</td></tr>`
  );
}

// ---------------------------------------------------------------------------------------------
// Campaign sections

function campaignRows(
  c: CampaignReport,
  report: RunReport,
  shownRows: ReadonlySet<AdsetResult>,
  maps: boolean,
): string {
  const status = campaignStatus(c);
  const aborted = c.status !== 'completed';
  const badge = aborted
    ? pill(campaignStatusWord(c), STATUS_COLORS.failure.border, '#ffffff')
    : status === 'clean'
      ? pill('COMPLETED', '#dcfce7', STATUS_COLORS.clean.text)
      : status === 'warning'
        ? pill('COMPLETED · NEEDS ATTENTION', '#ffedd5', STATUS_COLORS.warning.text)
        : pill('COMPLETED · HAS FAILURES', '#fee2e2', STATUS_COLORS.failure.text);

  const head =
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>` +
    `<td style="font-family:${FONT};font-size:19px;line-height:26px;font-weight:bold;color:${INK};word-break:break-word;">${esc(c.name)}</td>` +
    `<td align="right" valign="middle" style="font-family:${FONT};white-space:nowrap;">${badge}</td>` +
    `</tr></table>`;
  const abort = aborted
    ? `<p style="margin:8px 0 0;color:${STATUS_COLORS.failure.border};font-weight:bold;">${c.status === 'held' ? 'Held' : 'Aborted'}: ${esc(campaignStopReason(c) ?? 'no reason given')}</p>`
    : '';
  const states =
    `<p style="margin:10px 0 0;font-size:13px;line-height:19px;"><strong>Active states (${c.activeStates.length}):</strong> ` +
    `<span style="color:#374151;">${c.activeStates.length ? esc(c.activeStates.join(', ')) : 'none'}</span></p>` +
    (c.unmappedStates.length
      ? `<p style="margin:4px 0 0;font-size:13px;line-height:19px;color:${STATUS_COLORS.warning.text};"><strong>Unmapped states (${c.unmappedStates.length}):</strong> ${esc(c.unmappedStates.join(', '))} — demand reported but no Facebook region known</p>`
      : '');

  const notable = notableAdsets(c);
  const shown = notable.filter((a) => shownRows.has(a));
  const hidden = notable.filter((a) => !shownRows.has(a));
  const table = notable.length
    ? `<div style="height:12px;line-height:12px;font-size:1px;">&nbsp;</div>` +
      adsetTable(
        shown.map((a) => adsetRow(a)).join('') +
          (hidden.length ? moreRow(`and ${hidden.length} more (${describeHidden(hidden)})`, report.dashboardUrl) : ''),
      )
    : `<p style="margin:10px 0 0;font-size:13px;color:${MUTED};">${c.adsets.length ? 'No ad set needed a change.' : 'No ad sets were processed.'}</p>`;

  return (
    `<tr><td style="padding:20px 28px 16px;border-top:1px solid ${RULE};font-family:${FONT};">` +
    head +
    abort +
    // An aborted campaign that touched nothing would only show a row of zeros.
    (aborted && c.adsets.length === 0 ? '' : countsTable(campaignCounts(c), report.dryRun)) +
    states +
    (maps ? campaignTileMap(c) : '') +
    table +
    `</td></tr>`
  );
}

/** The campaign's states on a tile map (targeted, added, removed); none for a campaign that read no demand. */
function campaignTileMap(c: CampaignReport): string {
  // A held or aborted campaign wrote nothing: a map of its demand would look like targeting.
  if (c.status !== 'completed' || c.activeStates.length === 0) return '';
  const { added, removed } = campaignChanges(c.adsets);
  return renderTileMapTable({ targeted: c.activeStates, added, removed });
}

function pill(label: string, bg: string, fg: string): string {
  return `<span style="display:inline-block;padding:2px 8px;border-radius:10px;background-color:${bg};color:${fg};font-size:11px;line-height:16px;font-weight:bold;letter-spacing:0.5px;white-space:nowrap;">${esc(label)}</span>`;
}

function countsTable(k: OutcomeCounts, dryRun: boolean): string {
  const cells: Array<[string, number, string]> = [];
  // A dry run never updates and a live run never "would update": show the one that applies,
  // and the other only if it is somehow non-zero.
  if (!dryRun || k.updated) cells.push(['Updated', k.updated, ADDED_COLOR]);
  if (dryRun || k.wouldUpdate) cells.push(['Would update', k.wouldUpdate, '#1d4ed8']);
  cells.push(
    ['Unchanged', k.unchanged, '#374151'],
    ['Skipped pre-flight', k.skippedPreflight, STATUS_COLORS.warning.border],
    ['Reverted', k.reverted, STATUS_COLORS.failure.border],
    ['Failed', k.failed, STATUS_COLORS.failure.border],
    ['Superseded', k.superseded, STATUS_COLORS.warning.border],
  );
  // Inline blocks rather than table cells: on a phone they wrap onto a second line instead of
  // pushing the email wider than the screen.
  const tds = cells
    .map(([label, n, color]) => {
      const fg = n > 0 ? color : '#9ca3af';
      return (
        `<div style="display:inline-block;vertical-align:top;width:76px;margin:0 4px 4px 0;padding:6px 2px;border:1px solid ${RULE};background-color:#f9fafb;text-align:center;font-family:${FONT};">` +
        `<div style="font-size:20px;line-height:24px;font-weight:bold;color:${fg};">${n}</div>` +
        `<div style="font-size:10px;line-height:13px;text-transform:uppercase;letter-spacing:0.3px;color:${MUTED};">${label}</div></div>`
      );
    })
    .join('');
  return (
    `<div style="margin-top:12px;font-size:0;line-height:0;">${tds}</div>` +
    `<p style="margin:4px 0 0;font-size:12px;color:${MUTED};">${plural(k.processed, 'active ad set')} processed</p>`
  );
}

function adsetTable(rows: string): string {
  const th = (label: string, width: string) =>
    `<th align="left" width="${width}" style="padding:6px 8px;font-family:${FONT};font-size:11px;text-transform:uppercase;letter-spacing:0.5px;color:${MUTED};border-bottom:2px solid ${RULE};">${label}</th>`;
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;table-layout:fixed;">` +
    `<tr>${th('Ad set', '32%')}${th('Outcome', '24%')}${th('Details', '44%')}</tr>` +
    rows +
    `</table>`
  );
}

function adsetRow(a: AdsetResult, context?: string): string {
  const p = OUTCOME_PILL[a.outcome];
  const cell = `padding:8px;border-bottom:1px solid ${RULE};font-family:${FONT};font-size:13px;line-height:18px;vertical-align:top;word-break:break-word;`;
  const name =
    (context ? `<div style="font-size:11px;color:${MUTED};">${context}</div>` : '') +
    `<div style="font-weight:bold;color:${INK};">${esc(a.name)}</div>` +
    `<div style="font-size:11px;color:${MUTED};">${esc(a.id)}</div>`;
  const outcome =
    pill(OUTCOME_LABEL[a.outcome], p.bg, p.fg) +
    (a.needsAttention
      ? `<div style="margin-top:4px;">${pill('NEEDS ATTENTION', STATUS_COLORS.failure.border, '#ffffff')}</div>`
      : '');
  return `<tr><td style="${cell}">${name}</td><td style="${cell}">${outcome}</td><td style="${cell}">${details(a)}</td></tr>`;
}

function details(a: AdsetResult): string {
  const out: string[] = [];
  const change: string[] = [];
  if (a.added.length)
    change.push(`<span style="color:${ADDED_COLOR};font-weight:bold;">+&nbsp;${esc(a.added.join(', '))}</span>`);
  if (a.removed.length)
    change.push(
      `<span style="color:${REMOVED_COLOR};font-weight:bold;">&minus;&nbsp;${esc(a.removed.join(', '))}</span>`,
    );
  const prefix = CHANGE_PREFIX[changeKind(a)];
  if (change.length)
    out.push(
      `<div>${prefix ? `<span style="color:${MUTED};">${esc(prefix)}</span>` : ''}${change.join('&nbsp;&nbsp; ')}</div>`,
    );

  // The Graph error is machine text (codes, ids): monospace. Context such as "restored" is prose.
  const context = adsetReason({ ...a, error: undefined });
  if (context) {
    const color = a.needsAttention ? REMOVED_COLOR : '#374151';
    out.push(
      `<div style="margin-top:2px;color:${color};font-size:13px;${a.needsAttention ? 'font-weight:bold;' : ''}">${esc(context)}</div>`,
    );
  }
  if (a.error) {
    out.push(
      `<div style="margin-top:2px;color:${REMOVED_COLOR};font-family:${MONO};font-size:12px;line-height:17px;">${esc(oneLine(a.error, 500))}</div>`,
    );
  }
  if (a.ads?.length) {
    const items = a.ads
      .slice(0, MAX_ADS_PER_ROW)
      .map((ad) => `<li style="margin:0 0 2px;">${esc(describeAd(ad))}</li>`);
    const rest = a.ads.length - MAX_ADS_PER_ROW;
    if (rest > 0) items.push(`<li style="margin:0;color:${MUTED};">${plural(rest, 'more ad')}</li>`);
    out.push(`<ul style="margin:4px 0 0;padding-left:16px;color:#374151;font-size:12px;">${items.join('')}</ul>`);
  }
  return out.join('') || `<span style="color:${MUTED};">—</span>`;
}

function moreRow(label: string, dashboardUrl?: string): string {
  const link = dashboardUrl
    ? ` — <a href="${esc(dashboardUrl)}" style="color:#1d4ed8;">see the dashboard</a>`
    : ' — see the dashboard';
  return `<tr><td colspan="3" style="padding:10px 8px;font-family:${FONT};font-size:13px;color:${MUTED};font-style:italic;">${esc(label)}${link}</td></tr>`;
}
