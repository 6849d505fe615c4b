import { isRunId, startRun } from '@closrads/core';
import express, { Router } from 'express';
import type { DashboardDeps } from '../deps';
import { CsrfTokens, identityOf } from '../security';
import { confirmApprovePage } from '../views/approve-page';

/**
 * `POST /runs/:runId/approve`: Approve on the run page of a held campaign. Like Run now: a CSRF
 * token, then a confirmation step; then one run of that campaign, in the held run's mode, that
 * passes its guardrails (`pnpm enqueue --campaign NAME --approve`).
 */
export function approveRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const csrf = new CsrfTokens(deps.csrfSecret);

  router.post(
    '/runs/:runId/approve',
    express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 }),
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const { runId } = req.params;
      const report = isRunId(runId) ? await deps.store.getReport(runId) : undefined;
      const campaign = report?.campaigns.find((c) => c.name === body.campaign && c.status === 'held');
      if (!report || !campaign) {
        res.status(404).type('text/plain').send('No held campaign of that name in that run\n');
        return;
      }
      const token = csrf.issue(identityOf(res));
      if (!csrf.verify(identityOf(res), body.csrf)) {
        res
          .status(403)
          .type('html')
          .send(
            confirmApprovePage({
              report,
              campaign,
              csrfToken: token,
              error: 'The form expired or did not come from this dashboard; please submit it again.',
            }),
          );
        return;
      }
      if (!deps.config.campaigns.some((c) => c.name === campaign.name)) {
        res.status(400).type('text/plain').send('That campaign is no longer in the campaigns file\n');
        return;
      }
      if (body.confirm !== 'yes') {
        const error = body.step === 'confirm' ? 'Tick the box to confirm the approval.' : undefined;
        res
          .status(error ? 422 : 200)
          .type('html')
          .send(confirmApprovePage({ report, campaign, csrfToken: token, error }));
        return;
      }
      const approvedRun = await startRun(
        { flow: deps.flow, store: deps.store },
        { trigger: 'manual', dryRun: report.dryRun, campaigns: [campaign.name], approve: [campaign.name] },
      );
      deps.logger.info(
        { runId: approvedRun, heldRun: runId, campaign: campaign.name, user: identityOf(res) },
        'held campaign approved from the dashboard',
      );
      res.redirect(303, `/runs/${encodeURIComponent(approvedRun)}`);
    },
  );

  return router;
}
