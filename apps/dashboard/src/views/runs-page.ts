import type { RunListItem } from '../runs';
import { COUNT_LABELS } from '../runs';
import { duration, modeBadge, statusBadge, when } from './common';
import { html } from './html';
import { layout } from './layout';

/** `/runs`: the recent runs, newest first. */
export function runsPage(runs: RunListItem[]): string {
  const rows = runs.map(
    (r) => html`<tr>
<td>${when(r.startedAt)}<div class="small">${duration(r.startedAt, r.finishedAt)}</div></td>
<td><a href="/runs/${encodeURIComponent(r.runId)}">${r.runId}</a></td>
<td>${r.trigger}</td>
<td>${modeBadge(r.dryRun)}</td>
<td>${statusBadge(r.status)}${r.revision && r.revision > 1 ? html` <span class="small">rev ${r.revision}</span>` : ''}</td>
<td>${
      r.status === 'in_progress'
        ? html`<span class="small">${r.requestedCampaigns.length > 0 ? r.requestedCampaigns.join(', ') : 'all enabled campaigns'}</span>`
        : r.campaigns.map((c) => html`<div><strong>${c.name}</strong>: ${campaignTally(c)}</div>`)
    }</td>
</tr>`,
  );
  const body = html`<h1>Runs</h1>
<p><a class="button" href="/runs/new">Run now…</a></p>
${
  runs.length === 0
    ? html`<section class="card">No run yet. Start one with “Run now”, <code>pnpm enqueue</code>, or wait for the schedule.</section>`
    : html`<div class="scroll"><table>
<thead><tr><th>Started</th><th>Run</th><th>Trigger</th><th>Mode</th><th>Result</th><th>Ad sets per campaign</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
}`;
  return layout({ title: 'Runs', body, refreshSeconds: runs.some((r) => r.status === 'in_progress') ? 10 : undefined });
}

function campaignTally(c: RunListItem['campaigns'][number]) {
  if (c.status === 'aborted') return html`<span class="badge bad">aborted</span>`;
  if (c.status === 'held') return html`<span class="badge bad">held</span>`;
  const parts = COUNT_LABELS.filter(([k]) => c.counts[k] > 0).map(([k, label]) =>
    html`<span class="${label === 'failed' ? 'err' : ''}">${c.counts[k]} ${label}</span>`,
  );
  if (parts.length === 0) return html`<span class="small">no active ad set</span>`;
  return html`${parts.map((p, i) => html`${i > 0 ? ' · ' : ''}${p}`)}`;
}
