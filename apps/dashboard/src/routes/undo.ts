import { isRunId, startRun, undoRefusal, type UndoRefusal } from '@closrads/core';
import express, { Router } from 'express';
import type { DashboardDeps } from '../deps';
import { CsrfTokens, identityOf } from '../security';
import { confirmUndoPage, undoRefusedPage } from '../views/undo-page';

/** An unknown run is not found; a run that exists but cannot be undone is a conflict with its state. */
const REFUSAL_STATUS: Record<UndoRefusal, number> = { unknown: 404, 'dry-run': 409, 'not-finished': 409 };

/**
 * `POST /runs/:runId/undo`: "Undo this run" on the run page of a finished live run. Like Approve: a
 * CSRF token, then a confirmation step with the mode; then one undo run (`pnpm undo RUN_ID`), which
 * is a run like any other (trigger `undo`, `undoOf`, its own report and channels).
 */
export function undoRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const csrf = new CsrfTokens(deps.csrfSecret);

  router.post(
    '/runs/:runId/undo',
    express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 }),
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const { runId } = req.params;
      const report = isRunId(runId) ? await deps.store.getReport(runId) : undefined;
      // A run without a report may still be under way: say so rather than "unknown".
      const refusal = report
        ? undoRefusal(report)
        : isRunId(runId) && (await deps.store.getMeta(runId))
          ? 'not-finished'
          : 'unknown';
      if (!report || refusal) {
        const why = refusal ?? 'unknown';
        res
          .status(REFUSAL_STATUS[why])
          .type('html')
          .send(undoRefusedPage(isRunId(runId) ? runId : runId.replace(/[^A-Za-z0-9._-]/g, '?'), why));
        return;
      }
      const token = csrf.issue(identityOf(res));
      const page = (status: number, error?: string) =>
        res
          .status(status)
          .type('html')
          .send(confirmUndoPage({ report, csrfToken: token, defaultDryRun: deps.config.dryRun, error }));
      if (!csrf.verify(identityOf(res), body.csrf)) {
        page(403, 'The form expired or did not come from this dashboard; please submit it again.');
        return;
      }
      if (body.step !== 'confirm') {
        page(200);
        return;
      }
      if (body.mode !== 'dry' && body.mode !== 'live') {
        page(400, 'Choose dry run or live.');
        return;
      }
      if (body.confirm !== 'yes') {
        page(422, 'Tick the box to confirm the undo.');
        return;
      }
      const dryRun = body.mode === 'dry';
      const undoRun = await startRun(
        { flow: deps.flow, store: deps.store },
        { trigger: 'undo', undoOf: runId, dryRun, campaigns: [] },
      );
      deps.logger.info(
        { runId: undoRun, undoOf: runId, dryRun, user: identityOf(res) },
        'undo run started from the dashboard',
      );
      res.redirect(303, `/runs/${encodeURIComponent(undoRun)}`);
    },
  );

  return router;
}
