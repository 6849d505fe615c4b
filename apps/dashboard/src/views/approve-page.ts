import type { CampaignReport, RunReport } from '@closrads/core';
import { html, type SafeHtml } from './html';
import { layout } from './layout';

/** On a run page, under a held campaign: the button that leads to the confirmation step. */
export function approveButton(report: RunReport, c: CampaignReport, csrfToken: string | undefined): SafeHtml | string {
  if (c.status !== 'held' || !csrfToken) return '';
  return html`<form method="post" action="/runs/${encodeURIComponent(report.runId)}/approve">
<input type="hidden" name="csrf" value="${csrfToken}">
<input type="hidden" name="campaign" value="${c.name}">
<button type="submit" class="danger">Approve…</button> <span class="small">runs this campaign once past its guardrails (asks for confirmation)</span>
</form>`;
}

/** Step two: nothing runs before the operator has read the hold and ticked the box. */
export function confirmApprovePage(f: {
  report: RunReport;
  campaign: CampaignReport;
  csrfToken: string;
  error?: string;
}): string {
  const { report, campaign: c } = f;
  const body = html`<h1>Approve ${c.name}</h1>
${f.error ? html`<p class="notice bad">${f.error}</p>` : ''}
<section class="card">
<p class="notice warn">Run <a href="/runs/${encodeURIComponent(report.runId)}">${report.runId}</a> held this campaign: ${c.holdReason ?? 'its guardrails held it'}</p>
<p>Approving starts a new ${report.dryRun ? 'dry' : html`<strong>live</strong>`} run of <strong>${c.name}</strong> that reads demand again and applies it
even if the guardrails would hold it again. The approval is for that one run.</p>
<form method="post" action="/runs/${encodeURIComponent(report.runId)}/approve">
<input type="hidden" name="csrf" value="${f.csrfToken}">
<input type="hidden" name="campaign" value="${c.name}">
<input type="hidden" name="step" value="confirm">
<label><input type="checkbox" name="confirm" value="yes" required> I have checked the demand and want it applied to ${c.name}</label>
<p><button class="danger" type="submit">Approve and run</button> <a href="/runs/${encodeURIComponent(report.runId)}">Cancel</a></p>
</form>
</section>`;
  return layout({ title: `Approve ${c.name}`, body });
}
