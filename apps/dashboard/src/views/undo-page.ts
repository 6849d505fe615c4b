import { UNDO_REFUSAL_TEXT, undoRefusal, type RunReport, type UndoRefusal } from '@closrads/core';
import { html, type SafeHtml } from './html';
import { layout } from './layout';

/** On the run page of a finished live run: the button that leads to the confirmation step. */
export function undoButton(report: RunReport, csrfToken: string | undefined): SafeHtml | string {
  // The same rule as `pnpm undo`: a dry run changed nothing, so there is nothing to put back.
  if (undoRefusal(report) || !csrfToken) return '';
  return html`<form method="post" action="/runs/${encodeURIComponent(report.runId)}/undo" class="undo">
<input type="hidden" name="csrf" value="${csrfToken}">
<button type="submit" class="danger">Undo this run…</button> <span class="small">puts back the states its updated ad sets had before it (asks for confirmation)</span>
</form>`;
}

/** Ad sets the run left `updated`: the ones an undo would put back (fewer if some changed since). */
function updatedCount(report: RunReport): number {
  return report.campaigns.reduce((n, c) => n + c.adsets.filter((a) => a.outcome === 'updated').length, 0);
}

export interface ConfirmUndoForm {
  report: RunReport;
  csrfToken: string;
  /** The mode preselected: the dashboard's DRY_RUN, like Run now. */
  defaultDryRun: boolean;
  error?: string;
}

/** Step two: nothing runs before the operator has chosen the mode and ticked the box. */
export function confirmUndoPage(f: ConfirmUndoForm): string {
  const { report } = f;
  const runLink = html`<a href="/runs/${encodeURIComponent(report.runId)}">${report.runId}</a>`;
  const n = updatedCount(report);
  const body = html`<h1>Undo run ${report.runId}</h1>
${f.error ? html`<p class="notice bad">${f.error}</p>` : ''}
<section class="card">
<p class="notice warn">Run ${runLink} left ${n} ad set${n === 1 ? '' : 's'} updated. The undo is a run of its own: each of them gets back the
states it had before that run, onto its targeting as Facebook has it now (only the states change back).
An ad set changed since then is left alone and reported <code>skipped_changed</code>.</p>
<form method="post" action="/runs/${encodeURIComponent(report.runId)}/undo">
<input type="hidden" name="csrf" value="${f.csrfToken}">
<input type="hidden" name="step" value="confirm">
<fieldset><legend>Mode</legend>
<label><input type="radio" name="mode" value="dry" ${f.defaultDryRun ? 'checked' : ''}> Dry run: show what the undo would do, change nothing</label>
<label><input type="radio" name="mode" value="live" ${f.defaultDryRun ? '' : 'checked'}> Live: write the earlier states back on Facebook</label>
</fieldset>
<label><input type="checkbox" name="confirm" value="yes" required> I want to undo the changes of run ${report.runId}</label>
<p><button class="danger" type="submit">Start undo run</button> <a href="/runs/${encodeURIComponent(report.runId)}">Cancel</a></p>
</form>
</section>`;
  return layout({ title: `Undo run ${report.runId}`, body });
}

/** Why a run cannot be undone, in the words `pnpm undo` uses. */
export function undoRefusedPage(runId: string, refusal: UndoRefusal): string {
  const body = html`<h1>Run ${runId} cannot be undone</h1>
<section class="card">
<p class="notice bad">Run ${refusal === 'unknown' ? runId : html`<a href="/runs/${encodeURIComponent(runId)}">${runId}</a>`} ${UNDO_REFUSAL_TEXT[refusal]}.</p>
<p><a href="/runs">All runs</a></p>
</section>`;
  return layout({ title: 'Cannot undo', body });
}
