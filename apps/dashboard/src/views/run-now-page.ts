import type { Campaign } from '@closrads/core';
import { html } from './html';
import { layout } from './layout';

export interface RunNowForm {
  campaigns: Campaign[];
  defaultDryRun: boolean;
  csrfToken: string;
  error?: string;
}

/** `/runs/new`: step one, choose campaigns and mode. Plain form, no JavaScript. */
export function runNowPage(f: RunNowForm): string {
  const enabled = f.campaigns.filter((c) => c.enabled);
  const body = html`<h1>Run now</h1>
${f.error ? html`<p class="notice bad">${f.error}</p>` : ''}
<section class="card">
<form method="post" action="/runs">
<input type="hidden" name="csrf" value="${f.csrfToken}">
<fieldset><legend>Campaigns (none ticked = every enabled campaign)</legend>
${enabled.map((c) => html`<label><input type="checkbox" name="campaign" value="${c.name}"> ${c.name}</label>`)}
${enabled.length === 0 ? html`<p class="small">No enabled campaign in the campaigns file.</p>` : ''}
</fieldset>
<fieldset><legend>Mode</legend>
<label><input type="radio" name="mode" value="dry" ${f.defaultDryRun ? 'checked' : ''}> Dry run: plan and report, change nothing</label>
<label><input type="radio" name="mode" value="live" ${f.defaultDryRun ? '' : 'checked'}> Live: rewrite ad set targeting on Facebook (asks for confirmation)</label>
</fieldset>
<p><button type="submit">Start run</button></p>
</form>
</section>`;
  return layout({ title: 'Run now', body });
}

/** Step two of a live run: nothing changes on Facebook before the operator ticks the box. */
export function confirmLivePage(f: { campaigns: string[]; csrfToken: string; error?: string }): string {
  const body = html`<h1>Confirm a live run</h1>
${f.error ? html`<p class="notice bad">${f.error}</p>` : ''}
<section class="card">
<p class="notice warn">This run rewrites the state targeting of the ad sets of
<strong>${f.campaigns.length > 0 ? f.campaigns.join(', ') : 'every enabled campaign'}</strong> on Facebook.</p>
<form method="post" action="/runs">
<input type="hidden" name="csrf" value="${f.csrfToken}">
<input type="hidden" name="mode" value="live">
<input type="hidden" name="step" value="confirm">
${f.campaigns.map((c) => html`<input type="hidden" name="campaign" value="${c}">`)}
<label><input type="checkbox" name="confirm" value="yes" required> I want to change targeting on Facebook now</label>
<p><button class="danger" type="submit">Start live run</button> <a href="/runs/new">Cancel</a></p>
</form>
</section>`;
  return layout({ title: 'Confirm live run', body });
}
