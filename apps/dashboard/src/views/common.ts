import { VERDICT_WORD, type Outcome, type Verdict } from '@closrads/core';
import { html, type SafeHtml } from './html';

/** Colour class per outcome: green for a change made, red for a failure, amber for what needs a look. */
const OUTCOME_CLASS: Record<Outcome, string> = {
  updated: 'ok',
  would_update: 'info',
  unchanged: 'muted',
  failed: 'bad',
  skipped_preflight: 'warn',
  reverted: 'warn',
  superseded: 'muted',
  deferred: 'muted',
  skipped_changed: 'muted',
};

export function outcomeBadge(outcome: Outcome): SafeHtml {
  return html`<span class="badge ${OUTCOME_CLASS[outcome] ?? 'muted'}">${outcome}</span>`;
}

const VERDICT_CLASS: Record<Verdict, string> = { ok: 'ok', attention: 'warn', failed: 'bad' };

/** A run's result, in the words and colours of its verdict (the same as the email and Slack). */
export function verdictBadge(verdict: Verdict): SafeHtml {
  return html`<span class="badge ${VERDICT_CLASS[verdict]}" data-verdict="${verdict}">${VERDICT_WORD[verdict]}</span>`;
}

/** An unfinished run: in progress while a worker is there to run it, else said plainly. */
export function pendingBadge(noWorker: boolean): SafeHtml {
  return noWorker
    ? html`<span class="badge bad">no worker is running</span>`
    : html`<span class="badge info">in progress</span>`;
}

/** A campaign's own status: completed, aborted or held. */
export function campaignBadge(status: string): SafeHtml {
  return status === 'completed'
    ? html`<span class="badge ok">completed</span>`
    : html`<span class="badge bad">${status}</span>`;
}

export function modeBadge(dryRun: boolean): SafeHtml {
  return dryRun ? html`<span class="badge muted">dry run</span>` : html`<span class="badge warn">live</span>`;
}

export function states(codes: string[], cls = ''): SafeHtml {
  if (codes.length === 0) return html`<span class="small">–</span>`;
  return html`${codes.map((c) => html`<span class="st ${cls}">${c}</span>`)}`;
}

/** ISO time as a readable UTC string; a <time> element keeps the exact value. */
export function when(iso: string | undefined): SafeHtml {
  if (!iso) return html`–`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return html`${iso}`;
  return html`<time datetime="${iso}">${d.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>`;
}

export function duration(fromIso: string, toIso: string | undefined): string {
  if (!toIso) return '';
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return '';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Bull Board's page for one job (the board is mounted at /queues). */
export function boardJobUrl(queue: string, jobId: string): string {
  return `/queues/queue/${encodeURIComponent(queue)}/${encodeURIComponent(jobId)}`;
}
