import { QUEUES, campaignChanges, jobIds, type AdsetResult, type CampaignReport, type RunMeta, type RunReport } from '@closrads/core';
import { COUNT_LABELS } from '../runs';
import { boardJobUrl, duration, modeBadge, outcomeBadge, states, statusBadge, when } from './common';
import { html, type SafeHtml } from './html';
import { approveButton } from './approve-page';
import { usMap } from './us-map';
import { layout } from './layout';

/** `/runs/:runId` before the report exists: reloads itself every 5 s until it does. */
export function runInProgressPage(meta: RunMeta): string {
  const body = html`<h1>Run ${meta.runId}</h1>
<section class="card">
<p>${statusBadge('in_progress')} ${modeBadge(meta.dryRun)} The report is not ready yet; this page reloads every 5 seconds.</p>
<dl class="meta">
<dt>Trigger</dt><dd>${meta.trigger}</dd>
<dt>Started</dt><dd>${when(meta.startedAt)}</dd>
<dt>Campaigns</dt><dd>${meta.campaigns.length > 0 ? meta.campaigns.join(', ') : 'all enabled'}</dd>
<dt>Jobs</dt><dd><a href="${boardJobUrl(QUEUES.finalizeReport, jobIds.finalize(meta.runId))}">flow in the board</a></dd>
</dl>
</section>`;
  return layout({ title: `Run ${meta.runId}`, body, refreshSeconds: 5 });
}

/** `/runs/:runId`: the run's report. */
export function runPage(report: RunReport, opts: { csrfToken?: string } = {}): string {
  const body = html`<h1>Run ${report.runId}</h1>
<section class="card">
<p>${statusBadge(report.success ? 'succeeded' : 'failed')} ${modeBadge(report.dryRun)}</p>
<dl class="meta">
<dt>Trigger</dt><dd>${report.trigger}</dd>
<dt>Started</dt><dd>${when(report.startedAt)}</dd>
<dt>Finished</dt><dd>${when(report.finishedAt)} <span class="small">${duration(report.startedAt, report.finishedAt)}</span></dd>
${report.revision && report.revision > 1 ? html`<dt>Updated</dt><dd>${when(report.updatedAt)} <span class="small">(revision ${report.revision}, after a retry)</span></dd>` : ''}
<dt>Jobs</dt><dd><a href="${boardJobUrl(QUEUES.finalizeReport, jobIds.finalize(report.runId))}">flow in the board</a> · <a href="/api/runs/${encodeURIComponent(report.runId)}">report JSON</a></dd>
${deliveries(report)}
</dl>
</section>
${lateChanges(report)}
${report.campaigns.length === 0 ? html`<section class="card">This run planned no campaign.</section>` : ''}
${report.campaigns.map((c) => campaignSection(report, c, opts.csrfToken))}`;
  return layout({ title: `Run ${report.runId}`, body });
}

function deliveries(report: RunReport): SafeHtml | string {
  const entries = Object.entries(report.deliveries ?? {});
  if (entries.length === 0) return '';
  return html`<dt>Report sent</dt><dd>${entries.map(
    ([channel, d]) =>
      html`<div>${channel}: <span class="badge ${d.status === 'sent' ? 'ok' : 'bad'}">${d.status}</span> ${when(d.at)}${d.error ? html` <span class="err">${d.error}</span>` : ''}</div>`,
  )}</dd>`;
}

function lateChanges(report: RunReport): SafeHtml | string {
  const changes = report.lateChanges ?? [];
  if (changes.length === 0) return '';
  return html`<section class="card"><h2>Changed after the first report</h2><ul>${changes.map(
    (ch) =>
      html`<li>${ch.campaign} / ${ch.adset.name} (${ch.adset.id}): ${outcomeBadge(ch.previousOutcome)} → ${outcomeBadge(ch.adset.outcome)} <span class="small">revision ${ch.revision}</span></li>`,
  )}</ul></section>`;
}

function campaignSection(report: RunReport, c: CampaignReport, csrfToken?: string): SafeHtml {
  const tally = COUNT_LABELS.filter(([k]) => c.counts[k] > 0).map(([k, label]) => `${c.counts[k]} ${label}`);
  return html`<section class="card" id="campaign-${c.name}">
<h2>${c.name} ${c.status === 'aborted' ? html`<span class="badge bad">aborted</span>` : c.status === 'held' ? html`<span class="badge bad">held</span>` : html`<span class="badge ok">completed</span>`}</h2>
${c.abortReason ? html`<p class="notice bad">Aborted: ${c.abortReason}</p>` : ''}
${c.holdReason ? html`<p class="notice bad">Held: ${c.holdReason}</p>` : ''}
${approveButton(report, c, csrfToken)}
<p><strong>Active states</strong> (${c.activeStates.length}): ${states(c.activeStates)}</p>
${runStatesMap(c)}
${c.unmappedStates.length > 0 ? html`<p><strong>Unmapped codes</strong>: ${states(c.unmappedStates)}</p>` : ''}
<p class="small">${c.counts.processed} ad sets processed${tally.length > 0 ? `: ${tally.join(' · ')}` : ''}</p>
${c.adsets.length > 0 ? adsetTable(report, c.adsets) : ''}
</section>`;
}

/** The states of the campaign in this run: targeted, and what the run added and removed. */
function runStatesMap(c: CampaignReport): SafeHtml | string {
  // A held or aborted campaign wrote nothing: a map of its demand would look like targeting.
  if (c.status !== 'completed' || c.activeStates.length === 0) return '';
  const { added, removed } = campaignChanges(c.adsets);
  return usMap({ targeted: c.activeStates, added, removed, label: `States of ${c.name} in this run` });
}

function adsetTable(report: RunReport, adsets: AdsetResult[]): SafeHtml {
  return html`<div class="scroll"><table>
<thead><tr><th>Ad set</th><th>Outcome</th><th>Added</th><th>Removed</th><th>Errors and ad issues</th><th>Job</th></tr></thead>
<tbody>${adsets.map(
    (a) => html`<tr data-adset="${a.id}">
<td>${a.name}<div class="small">${a.id} · campaign ${a.facebookCampaignId}</div></td>
<td>${outcomeBadge(a.outcome)}${a.needsAttention ? html` <span class="badge bad">needs attention</span>` : ''}</td>
<td>${states(a.added, 'add')}</td>
<td>${states(a.removed, 'rem')}</td>
<td>${problems(a)}</td>
<td>${a.outcome === 'unchanged' ? '' : html`<a href="${boardJobUrl(QUEUES.updateAdset, jobIds.adset(report.runId, a.id))}">job</a>`}</td>
</tr>`,
  )}</tbody></table></div>`;
}

function problems(a: AdsetResult): SafeHtml {
  return html`${a.error ? html`<div class="err">${a.error}</div>` : ''}
${a.outcome === 'reverted' && a.rolledBack !== undefined ? html`<div class="small">${a.rolledBack ? 'original targeting written back' : 'rollback failed'}</div>` : ''}
${a.supersededBy ? html`<div class="small">newer run: <a href="/runs/${encodeURIComponent(a.supersededBy)}">${a.supersededBy}</a></div>` : ''}
${(a.ads ?? []).map((ad) => html`<div class="small">ad ${ad.name} (${ad.id}): ${ad.effectiveStatus} — ${ad.issue}</div>`)}`;
}
