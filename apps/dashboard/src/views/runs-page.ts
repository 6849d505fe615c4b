import { COUNT_ORDER } from '@closrads/core';
import type { RunListItem } from '../runs';
import { campaignBadge, duration, modeBadge, pendingBadge, verdictBadge, when } from './common';
import { html } from './html';
import { layout } from './layout';

export interface RunsPageOptions {
  /** No worker process is connected: unfinished runs say so instead of "in progress". */
  noWorker?: boolean;
}

/** `/runs`: the recent runs, newest first. On a phone each run is a card (see `table.cards`). */
export function runsPage(runs: RunListItem[], opts: RunsPageOptions = {}): string {
  const rows = runs.map(
    (r) => html`<tr data-run="${r.runId}">
<td data-label="Started">${when(r.startedAt)}<div class="small">${duration(r.startedAt, r.finishedAt)}</div></td>
<td data-label="Run"><a href="/runs/${encodeURIComponent(r.runId)}">${r.runId}</a></td>
<td data-label="Trigger">${r.trigger}</td>
<td data-label="Mode">${modeBadge(r.dryRun)}</td>
<td data-label="Result">${r.verdict ? verdictBadge(r.verdict) : pendingBadge(opts.noWorker === true)}${r.revision && r.revision > 1 ? html` <span class="small">rev ${r.revision}</span>` : ''}</td>
<td data-label="Ad sets">${
      r.status === 'in_progress'
        ? html`<span class="small">${r.requestedCampaigns.length > 0 ? r.requestedCampaigns.join(', ') : 'all enabled campaigns'}</span>`
        : r.campaigns.map((c) => html`<div><strong>${c.name}</strong>: ${campaignTally(c)}</div>`)
    }</td>
</tr>`,
  );
  const body = html`<h1>Runs</h1>
${opts.noWorker && runs.some((r) => r.status === 'in_progress') ? html`<p class="notice bad">No worker is running: unfinished runs wait until one starts (<code>pnpm worker</code>).</p>` : ''}
<p><a class="button" href="/runs/new">Run now…</a></p>
${
  runs.length === 0
    ? html`<section class="card">No run yet. Start one with “Run now”, <code>pnpm enqueue</code>, or wait for the schedule.</section>`
    : html`<table class="cards">
<thead><tr><th>Started</th><th>Run</th><th>Trigger</th><th>Mode</th><th>Result</th><th>Ad sets per campaign</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
  return layout({ title: 'Runs', body, refreshSeconds: runs.some((r) => r.status === 'in_progress') ? 10 : undefined });
}

function campaignTally(c: RunListItem['campaigns'][number]) {
  if (c.status !== 'completed') return campaignBadge(c.status);
  const parts = COUNT_ORDER.filter(([k]) => c.counts[k] > 0).map(
    ([k, label]) => html`<span class="${label === 'failed' ? 'err' : ''}">${c.counts[k]} ${label}</span>`,
  );
  if (parts.length === 0) return html`<span class="small">no active ad set</span>`;
  return html`${parts.map((p, i) => html`${i > 0 ? ' · ' : ''}${p}`)}`;
}
