import {
  COUNT_ORDER,
  QUEUES,
  changeKind,
  campaignChanges,
  describeProgress,
  jobIds,
  parseDeliverySlot,
  resultOf,
  type AdsetResult,
  type CampaignReport,
  type DeliveryStatus,
  type RunMeta,
  type RunProgress,
  type RunReport,
} from '@closrads/core';
import {
  boardJobUrl,
  campaignBadge,
  duration,
  modeBadge,
  outcomeBadge,
  pendingBadge,
  states,
  verdictBadge,
  when,
} from './common';
import { html, type SafeHtml } from './html';
import { approveButton } from './approve-page';
import { undoButton } from './undo-page';
import { usMap } from './us-map';
import { layout } from './layout';

export interface InProgressView {
  /** How far the run got; absent when it could not be read. */
  progress?: RunProgress;
  /** No worker process is connected, so nothing will take the run. */
  noWorker: boolean;
}

/** `/runs/:runId` before the report exists: reloads itself every 5 s until it does. */
export function runInProgressPage(meta: RunMeta, view: InProgressView = { noWorker: false }): string {
  const body = html`<h1>Run ${meta.runId}</h1>
<section class="card">
<p>${pendingBadge(view.noWorker)} ${modeBadge(meta.dryRun)} The report is not ready yet; this page reloads every 5 seconds.</p>
${view.noWorker ? html`<p class="notice bad">No worker is running: this run waits until one starts (<code>pnpm worker</code>).</p>` : ''}
${view.progress ? progressBlock(view.progress) : ''}
<dl class="meta">
<dt>Trigger</dt><dd>${meta.trigger}</dd>
${undoOfLine(meta.undoOf)}
<dt>Started</dt><dd>${when(meta.startedAt)}</dd>
<dt>Campaigns</dt><dd>${meta.campaigns.length > 0 ? meta.campaigns.join(', ') : 'all enabled'}</dd>
<dt>Jobs</dt><dd><a href="${boardJobUrl(QUEUES.finalizeReport, jobIds.finalize(meta.runId))}">flow in the board</a></dd>
</dl>
</section>`;
  return layout({ title: `Run ${meta.runId}`, body, refreshSeconds: 5 });
}

/** An undo run names the run it puts back, linked. */
function undoOfLine(undoOf: string | undefined): SafeHtml | string {
  return undoOf ? html`<dt>Undo of</dt><dd><a href="/runs/${encodeURIComponent(undoOf)}">${undoOf}</a></dd>` : '';
}

function progressBlock(p: RunProgress): SafeHtml {
  const pct = p.adsetsTotal ? Math.round(((p.adsetsDone ?? 0) / p.adsetsTotal) * 100) : 0;
  return html`<div class="run-progress"><p><strong>Progress</strong>: ${describeProgress(p)}</p>
${p.adsetsTotal !== undefined ? html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="${p.adsetsTotal}" aria-valuenow="${p.adsetsDone ?? 0}"><span style="width:${pct}%"></span></div>` : ''}</div>`;
}

/** `/runs/:runId`: the run's report, with each channel's delivery as recorded by the worker. */
export function runPage(
  report: RunReport,
  deliveryRecords: Record<string, DeliveryStatus> = {},
  opts: { csrfToken?: string } = {},
): string {
  const { verdict } = resultOf(report);
  const body = html`<h1>Run ${report.runId}</h1>
<section class="card">
<p>${verdictBadge(verdict)} ${modeBadge(report.dryRun)}</p>
<dl class="meta">
<dt>Trigger</dt><dd>${report.trigger}</dd>
${undoOfLine(report.undoOf)}
<dt>Started</dt><dd>${when(report.startedAt)}</dd>
<dt>Finished</dt><dd>${when(report.finishedAt)} <span class="small">${duration(report.startedAt, report.finishedAt)}</span></dd>
${report.revision && report.revision > 1 ? html`<dt>Updated</dt><dd>${when(report.updatedAt)} <span class="small">(revision ${report.revision}, after a retry)</span></dd>` : ''}
<dt>Jobs</dt><dd><a href="${boardJobUrl(QUEUES.finalizeReport, jobIds.finalize(report.runId))}">flow in the board</a> · <a href="/api/runs/${encodeURIComponent(report.runId)}">report JSON</a></dd>
</dl>
${undoButton(report, opts.csrfToken)}
</section>
${deliveries({ ...(report.deliveries ?? {}), ...deliveryRecords })}
${lateChanges(report)}
${report.campaigns.length === 0 ? html`<section class="card">This run planned no campaign.</section>` : ''}
${report.campaigns.map((c) => campaignSection(report, c, opts.csrfToken))}`;
  return layout({ title: `Run ${report.runId}`, body });
}

/** Each channel's delivery (sent, or failed with the reason): "the report went out" is visible. */
function deliveries(records: Record<string, DeliveryStatus>): SafeHtml {
  // The worker marks its console summary in the same record (so it prints once): not a channel.
  const entries = Object.entries(records)
    .filter(([slot]) => !/^stdout(-r\d+)?$/.test(slot))
    .sort(([a], [b]) => a.localeCompare(b));
  return html`<section class="card" id="deliveries"><h2>Deliveries</h2>${
    entries.length === 0
      ? html`<p class="small">No channel has reported a delivery of this run (none configured, or still sending).</p>`
      : html`<ul>${entries.map(
          ([channel, d]) =>
            html`<li data-channel="${channel}">${channelLabel(channel)}: <span class="badge ${d.status === 'sent' ? 'ok' : 'bad'}">${d.status}</span> ${when(d.at)}${d.error ? html` <span class="err">${d.error}</span>` : ''}</li>`,
        )}</ul>`
  }</section>`;
}

/** "slack", or "slack (update, revision 2)" for the follow-up of a late retry. */
function channelLabel(slot: string): string {
  const { channel, revision } = parseDeliverySlot(slot);
  return revision > 1 ? `${channel} (update, revision ${revision})` : channel;
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
  const tally = COUNT_ORDER.filter(([k]) => c.counts[k] > 0).map(([k, label]) => `${c.counts[k]} ${label}`);
  return html`<section class="card" id="campaign-${c.name}">
<h2>${c.name} ${campaignBadge(c.status)}</h2>
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
<td>${change(a, a.added, 'add')}</td>
<td>${change(a, a.removed, 'rem')}</td>
<td>${problems(a)}</td>
<td>${a.outcome === 'unchanged' ? '' : html`<a href="${boardJobUrl(QUEUES.updateAdset, jobIds.adset(report.runId, a.id))}">job</a>`}</td>
</tr>`,
  )}</tbody></table></div>`;
}

/**
 * Added or removed states. Only `updated` wrote them; a dry run's `would_update` is marked by the
 * run's mode; a revert wrote and undid them; anything else never wrote them: "would have".
 */
function change(a: AdsetResult, codes: string[], cls: 'add' | 'rem'): SafeHtml {
  if (codes.length === 0) return states(codes);
  const kind = changeKind(a);
  if (kind === 'would_have')
    return html`<div class="small">would have</div><span class="would">${states(codes, cls)}</span>`;
  if (kind === 'undone') return html`<div class="small">undone</div><span class="would">${states(codes, cls)}</span>`;
  return states(codes, cls);
}

function problems(a: AdsetResult): SafeHtml {
  return html`${a.error ? html`<div class="err">${a.error}</div>` : ''}
${a.outcome === 'reverted' && a.rolledBack !== undefined ? html`<div class="small">${a.rolledBack ? 'original targeting written back' : 'rollback failed'}</div>` : ''}
${a.supersededBy ? html`<div class="small">newer run: <a href="/runs/${encodeURIComponent(a.supersededBy)}">${a.supersededBy}</a></div>` : ''}
${(a.ads ?? []).map((ad) => html`<div class="small">ad ${ad.name} (${ad.id}): ${ad.effectiveStatus} — ${ad.issue}</div>`)}`;
}
