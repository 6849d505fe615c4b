/**
 * Plain-text rendering: what the worker and `pnpm enqueue --wait` print, and the text/plain part of
 * the email. Sized for a terminal: a 10,000 ad set run still prints a screenful per campaign.
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
import { oneLine } from './escape';
import {
  DEFAULT_MAX_ADSETS_PER_CAMPAIGN,
  FOLLOW_UP_WORDS,
  campaignStatusWord,
  campaignStopReason,
  followUpStatus,
  STATUS_WORD,
  adsetReason,
  dateFromRunId,
  describeAd,
  describeHidden,
  duration,
  plural,
  reportStatus,
  runDate,
  runTime,
  sliceNotable,
  statusSentence,
} from './format';

export { reportStatus };

export interface TextSummaryOptions {
  /** Notable ad set lines per campaign before "… and N more" (default 50). */
  maxAdsetsPerCampaign?: number;
}

/** At most this many ads are spelled out per ad set line; the rest are counted. */
const MAX_ADS_PER_LINE = 3;

export function renderTextSummary(report: RunReport, opts: TextSummaryOptions = {}): string {
  const max = opts.maxAdsetsPerCampaign ?? DEFAULT_MAX_ADSETS_PER_CAMPAIGN;
  const status = reportStatus(report);
  const header = [
    `closrads sync ${report.runId}`,
    `${runDate(report.startedAt)} ${runTime(report.startedAt)}`,
    report.trigger,
    ...(report.dryRun ? ['DRY RUN'] : []),
    STATUS_WORD[status],
  ].join(' — ');

  const lines = [header, statusSentence(report)];
  const took = duration(report.startedAt, report.finishedAt);
  if (took)
    lines.push(
      `Finished ${runTime(report.finishedAt)} (${took})${report.revision && report.revision > 1 ? `, revision ${report.revision}` : ''}`,
    );
  if (report.dryRun) lines.push('DRY RUN: nothing was changed on Facebook.');
  if (report.dashboardUrl) lines.push(`Dashboard: ${report.dashboardUrl}`);
  if (!report.campaigns.length) lines.push('', 'No campaigns were run.');

  for (const c of report.campaigns) lines.push('', ...campaignLines(c, max));
  return `${lines.join('\n')}\n`;
}

function campaignLines(c: CampaignReport, max: number): string[] {
  const lines: string[] = [];
  const head = `Campaign ${oneLine(c.name, 120)}: ${campaignStatusWord(c)}`;
  const reason = campaignStopReason(c);
  lines.push(c.status !== 'completed' && reason ? `${head} — ${oneLine(reason, 400)}` : head);
  lines.push(`  ${countsLine(c)}`);
  lines.push(
    `  Active states (${c.activeStates.length}): ${c.activeStates.length ? c.activeStates.join(', ') : 'none'}`,
  );
  if (c.unmappedStates.length)
    lines.push(`  Unmapped states (${c.unmappedStates.length}): ${c.unmappedStates.join(', ')}`);

  const { shown, hidden } = sliceNotable(c, max);
  for (const a of shown) lines.push(`  ${adsetLine(a)}`);
  if (hidden.length) lines.push(`  … and ${hidden.length} more (${describeHidden(hidden)})`);
  return lines;
}

function countsLine(c: CampaignReport): string {
  const k = campaignCounts(c);
  const parts: Array<[string, number]> = [['processed', k.processed], ...labelledCounts(k, SUMMARY_OUTCOMES)];
  // Zero counts are noise in a terminal, except "processed" which says the campaign ran at all.
  return parts
    .filter(([label, n]) => n > 0 || label === 'processed')
    .map(([label, n]) => `${label} ${n}`)
    .join(' · ');
}

/** "[failed] VET rejects (204) +CA,DC -NY — (#100) Missing … — ads: …" on one line. */
export function adsetLine(a: AdsetResult): string {
  const parts = [`[${OUTCOME_LABEL[a.outcome]}] ${oneLine(a.name, 120)} (${a.id})`];
  const change = changeText(a);
  if (change) parts[0] += ` ${change}`;
  const reason = adsetReason(a);
  if (reason) parts.push(reason);
  if (a.ads?.length) {
    const listed = a.ads.slice(0, MAX_ADS_PER_LINE).map((ad) => describeAd(ad, 160));
    const rest = a.ads.length - listed.length;
    parts.push(`ads: ${listed.join('; ')}${rest > 0 ? `; +${rest} more` : ''}`);
  }
  return parts.join(' — ');
}

/** "+CA -NY", or "would have: +CA -NY" when the change was never written, "undone: ..." when reverted. */
function changeText(a: AdsetResult): string {
  const out: string[] = [];
  if (a.added.length) out.push(`+${a.added.join(',')}`);
  if (a.removed.length) out.push(`-${a.removed.join(',')}`);
  return out.length ? `${CHANGE_PREFIX[changeKind(a)]}${out.join(' ')}` : '';
}

export function renderTextFollowUp(followUp: FollowUp, opts: TextSummaryOptions = {}): string {
  const max = opts.maxAdsetsPerCampaign ?? DEFAULT_MAX_ADSETS_PER_CAMPAIGN;
  const n = followUp.changes.length;
  const header = [
    `closrads update ${followUp.runId}`,
    dateFromRunId(followUp.runId),
    `revision ${followUp.revision}`,
    ...(followUp.dryRun ? ['DRY RUN'] : []),
    FOLLOW_UP_WORDS[followUpStatus(followUp)],
  ].join(' — ');
  const lines = [header, `${plural(n, 'ad set')} changed after a late retry.`];
  if (followUp.dashboardUrl) lines.push(`Dashboard: ${followUp.dashboardUrl}`);
  for (const ch of followUp.changes.slice(0, max)) {
    lines.push(`  ${oneLine(ch.campaign, 80)}: ${OUTCOME_LABEL[ch.previousOutcome]} → ${adsetLine(ch.adset)}`);
  }
  if (n > max) lines.push(`  … and ${n - max} more`);
  return `${lines.join('\n')}\n`;
}
