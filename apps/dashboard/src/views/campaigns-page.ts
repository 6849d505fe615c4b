import {
  resultOf,
  type Campaign,
  type DemandDay,
  type HeldMarker,
  type LastCompleted,
  type RunSummary,
} from '@closrads/core';
import { demandHeatmap } from './demand-heatmap';
import { campaignBadge, modeBadge, pendingBadge, states, verdictBadge, when } from './common';
import { html, type SafeHtml } from './html';
import { layout } from './layout';
import { usMap } from './us-map';

export interface CampaignOverview {
  campaign: Campaign;
  /** The last completed live run: what Facebook targets now, as far as this product knows. */
  live?: LastCompleted;
  held?: HeldMarker;
}

const campaignUrl = (name: string) => `/campaigns/${encodeURIComponent(name)}`;

function heldBadge(held: HeldMarker | undefined): SafeHtml | string {
  return held ? html` <a class="badge bad" href="/runs/${encodeURIComponent(held.runId)}">held</a>` : '';
}

/** `/campaigns`: every campaign of the campaigns file and the states it targets now. */
export function campaignsPage(list: readonly CampaignOverview[]): string {
  const rows = list.map(
    ({ campaign: c, live, held }) => html`<tr>
<td><a href="${campaignUrl(c.name)}">${c.name}</a>${c.enabled ? '' : html` <span class="badge muted">disabled</span>`}${heldBadge(held)}</td>
<td>${live ? html`<strong>${live.activeStates.length}</strong> ${states(live.activeStates)}` : html`<span class="small">no completed live run yet</span>`}</td>
<td>${live ? html`<a href="/runs/${encodeURIComponent(live.runId)}">${when(new Date(live.startedMs).toISOString())}</a>` : '–'}</td>
</tr>`,
  );
  const body = html`<h1>Campaigns</h1>
<div class="scroll"><table>
<thead><tr><th>Campaign</th><th>States targeted now</th><th>Since run</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  return layout({ title: 'Campaigns', body });
}

/** `/campaigns/:name`: the map of what it targets now, its demand over the days, and its recent runs. */
export function campaignPage(opts: {
  overview: CampaignOverview;
  days: readonly DemandDay[];
  runs: readonly RunSummary[];
}): string {
  const { campaign: c, live, held } = opts.overview;
  const runRows = opts.runs.map(({ meta, report }) => {
    const mine = report?.campaigns.find((x) => x.name === c.name);
    return html`<tr>
<td><a href="/runs/${encodeURIComponent(meta.runId)}">${when(meta.startedAt)}</a></td>
<td>${meta.trigger}</td><td>${modeBadge(meta.dryRun)}</td>
<td>${!report ? pendingBadge(false) : mine && mine.status !== 'completed' ? campaignBadge(mine.status) : verdictBadge(resultOf(report).verdict)}</td>
<td>${mine ? states(mine.activeStates) : ''}</td>
</tr>`;
  });
  const body = html`<h1>${c.name}${heldBadge(held)}</h1>
${held ? html`<p class="notice bad">Its newest run was held by its guardrails on ${held.activeStates.length} states (${held.activeStates.join(', ')}): nothing was written. <a href="/runs/${encodeURIComponent(held.runId)}">Open the run</a> to read why and approve it.</p>` : ''}
<section class="card">
<h2>States targeted now</h2>
${
  live
    ? html`<p class="small">${live.activeStates.length} states, as the last completed live run (<a href="/runs/${encodeURIComponent(live.runId)}">${when(new Date(live.startedMs).toISOString())}</a>) set them.</p>
${usMap({ targeted: live.activeStates, label: `States ${c.name} targets now` })}`
    : html`<p class="small">No completed live run yet.</p>`
}
</section>
<section class="card">
<h2>Demand, last ${opts.days.length} days</h2>
${demandHeatmap(opts.days)}
<p class="small">Show <a href="?days=30">30</a> · <a href="?days=60">60</a> · <a href="?days=90">90</a> days</p>
</section>
<section class="card">
<h2>Recent runs</h2>
${
  opts.runs.length === 0
    ? html`<p class="small">No run of this campaign yet.</p>`
    : html`<div class="scroll"><table><thead><tr><th>Started</th><th>Trigger</th><th>Mode</th><th>Result</th><th>Active states</th></tr></thead><tbody>${runRows}</tbody></table></div>`
}
</section>`;
  return layout({ title: c.name, body });
}
