/**
 * Block Kit message for a Slack incoming webhook. Slack rejects the whole message (400
 * invalid_blocks) when a limit is exceeded, so every size below is enforced here, whatever the run's
 * size: a report that cannot be delivered is worse than a summarised one.
 */
import {
  CHANGE_PREFIX,
  OUTCOME_LABEL,
  campaignCounts,
  labelledCounts,
  SUMMARY_OUTCOMES,
  changeKind,
  type AdsetResult,
  type CampaignReport,
  type FollowUp,
  type RunReport,
} from '@closrads/core';
import { escapeMrkdwn as md, oneLine } from './escape';
import {
  campaignStatusWord,
  campaignStopReason,
  followUpSentence,
  followUpStatus,
  STATUS_WORD,
  adsetReason,
  campaignStatus,
  dateFromRunId,
  describeAd,
  describeHidden,
  notableAdsets,
  plural,
  reportStatus,
  runDate,
  runTime,
  statusSentence,
  subjectTally,
  type ReportStatus,
} from './format';

/** Slack's documented limits. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  text: 40000,
  buttonText: 75,
  contextElements: 10,
} as const;

export interface SlackPayload {
  text: string;
  blocks: object[];
}

export interface SlackOptions {
  /** Notable ad set lines per campaign before "…and N more" (default 15: Slack is read on phones). */
  maxAdsetsPerCampaign?: number;
}

const DEFAULT_SLACK_ADSETS = 15;

const STATUS_EMOJI: Record<ReportStatus, string> = {
  clean: ':large_green_circle:',
  warning: ':large_orange_circle:',
  failure: ':red_circle:',
};

const OUTCOME_EMOJI: Record<AdsetResult['outcome'], string> = {
  failed: ':x:',
  reverted: ':rewind:',
  skipped_preflight: ':warning:',
  superseded: ':fast_forward:',
  deferred: ':hourglass:',
  skipped_changed: ':fast_forward:',
  updated: ':white_check_mark:',
  would_update: ':large_blue_circle:',
  unchanged: ':white_circle:',
};

type Block = Record<string, unknown>;

const header = (text: string): Block => ({
  type: 'header',
  text: { type: 'plain_text', text: clip(text, SLACK_LIMITS.headerText), emoji: true },
});
const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) },
});
const context = (items: string[]): Block => ({
  type: 'context',
  elements: items
    .slice(0, SLACK_LIMITS.contextElements)
    .map((t) => ({ type: 'mrkdwn', text: clip(t, SLACK_LIMITS.sectionText) })),
});
const divider = (): Block => ({ type: 'divider' });
const button = (url: string, label: string): Block => ({
  type: 'actions',
  elements: [
    { type: 'button', text: { type: 'plain_text', text: clip(label, SLACK_LIMITS.buttonText) }, url, style: 'primary' },
  ],
});

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Joins `lines` while they fit in `limit` characters. `total` is how many items the lines stand for
 * (it can exceed lines.length when a count cap already cut the list); whatever is left out is named by
 * a closing `more(left)` line, for which room is always kept.
 */
function fitLines(lines: string[], total: number, limit: number, more: (left: number) => string): string {
  const out: string[] = [];
  let used = 0;
  for (const line of lines) {
    const leftAfter = total - out.length - 1;
    const reserve = leftAfter > 0 ? more(leftAfter).length + 1 : 0;
    if (used + line.length + 1 + reserve > limit) break;
    out.push(line);
    used += line.length + 1;
  }
  const left = total - out.length;
  if (left > 0) out.push(more(left));
  return clip(out.join('\n'), limit);
}

export function renderSlack(report: RunReport, opts: SlackOptions = {}): SlackPayload {
  const max = opts.maxAdsetsPerCampaign ?? DEFAULT_SLACK_ADSETS;
  const status = reportStatus(report);
  const date = runDate(report.startedAt);

  const top: Block[] = [
    header(`${report.dryRun ? 'DRY RUN — ' : ''}closrads sync — ${date}`),
    context([
      `:calendar: ${date} ${runTime(report.startedAt)}`,
      `Trigger: *${report.trigger}*`,
      ...(report.dryRun ? ['*DRY RUN* — nothing was changed on Facebook'] : []),
      `Run \`${md(report.runId)}\``,
    ]),
    section(`${STATUS_EMOJI[status]} *${STATUS_WORD[status]}* — ${md(statusSentence(report))}`),
  ];
  const bottom: Block[] = report.dashboardUrl ? [button(report.dashboardUrl, 'Open this run in the dashboard')] : [];

  const budget = SLACK_LIMITS.blocks - top.length - bottom.length;
  const blocks = [...top, ...campaignBlocks(report, max, budget), ...bottom];
  const text = clip(
    `${report.dryRun ? '[DRY RUN] ' : ''}closrads ${STATUS_WORD[status]} — sync ${date} — ${subjectTally(report)}`,
    SLACK_LIMITS.text,
  );
  return { text, blocks };
}

/**
 * Three blocks per campaign (divider, summary, ad sets) when they fit; one merged section each when
 * they do not; and past that, the most troubled campaigns first with the rest summed up in one section.
 */
function campaignBlocks(report: RunReport, max: number, budget: number): Block[] {
  const cs = report.campaigns;
  if (cs.length * 3 <= budget) {
    return cs.flatMap((c) => {
      const lines = adsetLines(c, max, report.dashboardUrl);
      return [divider(), section(campaignSummary(c)), ...(lines ? [section(lines)] : [])];
    });
  }
  const merged = (c: CampaignReport) => {
    const summary = campaignSummary(c);
    const room = SLACK_LIMITS.sectionText - summary.length - 1;
    return section(`${summary}\n${adsetLines(c, Math.min(max, 5), report.dashboardUrl, room)}`.trimEnd());
  };
  if (cs.length <= budget) return cs.map(merged);

  const rank: Record<ReportStatus, number> = { failure: 0, warning: 1, clean: 2 };
  const sorted = cs
    .map((c, i) => ({ c, i }))
    .sort((x, y) => rank[campaignStatus(x.c)] - rank[campaignStatus(y.c)] || x.i - y.i);
  const shown = sorted.slice(0, budget - 1).map(({ c }) => merged(c));
  const rest = sorted
    .slice(budget - 1)
    .map(({ c }) => `${STATUS_EMOJI[campaignStatus(c)]} *${md(oneLine(c.name, 60))}* — ${countsText(c)}`);
  const more = (left: number) => `…and ${plural(left, 'more campaign')} — see the dashboard`;
  shown.push(section(`Other campaigns:\n${fitLines(rest, rest.length, SLACK_LIMITS.sectionText - 20, more)}`));
  return shown;
}

function countsText(c: CampaignReport): string {
  const k = campaignCounts(c);
  const parts = labelledCounts(k, SUMMARY_OUTCOMES);
  const shown = parts.filter(([, n]) => n > 0).map(([l, n]) => `${l} *${n}*`);
  return `${k.processed} processed${shown.length ? ` · ${shown.join(' · ')}` : ''}`;
}

function campaignSummary(c: CampaignReport): string {
  const status = campaignStatus(c);
  const lines = [
    `${STATUS_EMOJI[status]} *${md(oneLine(c.name, 120))}* — ${c.status === 'completed' ? 'completed' : `*${campaignStatusWord(c)}*`}`,
  ];
  if (c.status !== 'completed')
    lines.push(`:no_entry: ${md(oneLine(campaignStopReason(c) ?? 'no reason given', 500))}`);
  lines.push(countsText(c));
  lines.push(
    `Active states (${c.activeStates.length}): ${c.activeStates.length ? md(c.activeStates.join(', ')) : 'none'}`,
  );
  if (c.unmappedStates.length) lines.push(`Unmapped states: ${md(c.unmappedStates.join(', '))}`);
  return lines.join('\n');
}

function adsetLines(
  c: CampaignReport,
  max: number,
  dashboardUrl?: string,
  limit: number = SLACK_LIMITS.sectionText,
): string {
  const all = notableAdsets(c);
  const where = dashboardUrl ? `see the <${md(dashboardUrl)}|dashboard>` : 'see the dashboard';
  const more = (left: number) =>
    `…and ${left} more ad ${left === 1 ? 'set' : 'sets'} (${describeHidden(all.slice(all.length - left))}) — ${where}`;
  return fitLines(all.slice(0, Math.max(0, max)).map(adsetMrkdwn), all.length, limit, more);
}

function adsetMrkdwn(a: AdsetResult): string {
  const moves = [a.added.length ? `+${a.added.join(',')}` : '', a.removed.length ? `-${a.removed.join(',')}` : '']
    .filter(Boolean)
    .join(' ');
  const change = moves ? `${CHANGE_PREFIX[changeKind(a)]}${moves}` : '';
  let line = `${OUTCOME_EMOJI[a.outcome]} *${md(oneLine(a.name, 80))}* (${md(a.id)}) _${OUTCOME_LABEL[a.outcome]}_`;
  if (change) line += ` \`${md(oneLine(change, 200))}\``;
  const reason = adsetReason(a);
  if (reason) line += ` — ${md(oneLine(reason, 200))}`;
  if (a.ads?.length) {
    const first = a.ads[0];
    if (first) line += ` — ad ${md(describeAd(first, 120))}${a.ads.length > 1 ? ` (+${a.ads.length - 1} more)` : ''}`;
  }
  return line;
}

export function renderSlackFollowUp(followUp: FollowUp, opts: SlackOptions = {}): SlackPayload {
  const max = opts.maxAdsetsPerCampaign ?? DEFAULT_SLACK_ADSETS;
  const n = followUp.changes.length;
  const date = dateFromRunId(followUp.runId);
  const status = followUpStatus(followUp);
  const sentence = followUpSentence(n, status);
  const lines = followUp.changes
    .slice(0, max)
    .map((ch) => `${md(oneLine(ch.campaign, 60))}: _${OUTCOME_LABEL[ch.previousOutcome]}_ → ${adsetMrkdwn(ch.adset)}`);
  const more = (left: number) => `…and ${left} more — see the dashboard`;
  const body = fitLines(lines, n, SLACK_LIMITS.sectionText, more);

  const blocks: Block[] = [
    header(`${followUp.dryRun ? 'DRY RUN — ' : ''}closrads update — sync ${date}`),
    context([
      `Run \`${md(followUp.runId)}\``,
      `Revision ${followUp.revision}`,
      ...(followUp.dryRun ? ['*DRY RUN*'] : []),
    ]),
    section(`${STATUS_EMOJI[status]} ${md(sentence)}`),
    ...(n ? [section(body)] : []),
    ...(followUp.dashboardUrl ? [button(followUp.dashboardUrl, 'Open this run in the dashboard')] : []),
  ];
  const text = `${followUp.dryRun ? '[DRY RUN] ' : ''}closrads update — sync ${date}: ${plural(n, 'ad set')} changed after retry`;
  return { text, blocks };
}
