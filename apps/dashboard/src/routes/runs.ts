import { isRunId, startRun } from '@closrads/core';
import express, { Router, type Request, type Response } from 'express';
import type { DashboardDeps } from '../deps';
import { pendingRunView, workerPresence } from '../presence';
import { toListItem } from '../runs';
import { CsrfTokens, identityOf } from '../security';
import { runInProgressPage, runPage } from '../views/run-page';
import { confirmLivePage, runNowPage } from '../views/run-now-page';
import { runsPage } from '../views/runs-page';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

function limitOf(req: Request): number {
  const n = Number(req.query.limit ?? DEFAULT_LIMIT);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_LIMIT) : DEFAULT_LIMIT;
}

function sendPage(res: Response, status: number, page: string): void {
  res.status(status).type('html').send(page);
}

function notFoundPage(res: Response, runId: string): void {
  sendPage(
    res,
    404,
    `<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title><p>No run ${runId.replace(/[^A-Za-z0-9._-]/g, '?')}. <a href="/runs">All runs</a></p>`,
  );
}

/** A form field that may be absent, a string, or repeated. */
function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** `/runs`, `/runs/:runId`, `/api/runs`, `/api/runs/:runId`, and the Run-now form. */
export function runRoutes(deps: DashboardDeps): Router {
  const router = Router();
  const csrf = new CsrfTokens(deps.csrfSecret);

  router.get('/api/runs', async (req, res) => {
    const runs = await deps.store.listRuns(limitOf(req));
    res.json({ runs: runs.map(toListItem) });
  });

  // The report of the contract, unchanged; 202 with the run's request while it is still running.
  router.get('/api/runs/:runId', async (req, res) => {
    const { runId } = req.params;
    const report = isRunId(runId) ? await deps.store.getReport(runId) : undefined;
    if (report) {
      res.json(report);
      return;
    }
    const meta = isRunId(runId) ? await deps.store.getMeta(runId) : undefined;
    if (meta) {
      const view = await pendingRunView(deps, runId);
      res.status(202).json({
        runId,
        status: 'in_progress',
        trigger: meta.trigger,
        dryRun: meta.dryRun,
        campaigns: meta.campaigns,
        startedAt: meta.startedAt,
        ...view,
      });
    } else res.status(404).json({ error: 'not_found', message: `no run ${runId}` });
  });

  router.get('/runs', async (req, res) => {
    const runs = (await deps.store.listRuns(limitOf(req))).map(toListItem);
    const pending = runs.some((r) => r.status === 'in_progress');
    const presence = pending ? await workerPresence(deps).catch(() => undefined) : undefined;
    sendPage(res, 200, runsPage(runs, { noWorker: presence?.processes === 0 }));
  });

  router.get('/runs/new', (_req, res) => {
    sendPage(
      res,
      200,
      runNowPage({
        campaigns: deps.config.campaigns,
        defaultDryRun: deps.config.dryRun,
        csrfToken: csrf.issue(identityOf(res)),
      }),
    );
  });

  router.get('/runs/:runId', async (req, res) => {
    const { runId } = req.params;
    if (!isRunId(runId)) {
      notFoundPage(res, runId);
      return;
    }
    const report = await deps.store.getReport(runId);
    if (report) {
      sendPage(
        res,
        200,
        runPage(report, await deps.store.getDeliveries(runId), { csrfToken: csrf.issue(identityOf(res)) }),
      );
      return;
    }
    const meta = await deps.store.getMeta(runId);
    if (meta) sendPage(res, 200, runInProgressPage(meta, await pendingRunView(deps, runId)));
    else notFoundPage(res, runId);
  });

  // Run now: dry runs start at once; a live run first shows a confirmation step (no JavaScript needed).
  router.post(
    '/runs',
    express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 200 }),
    async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const token = csrf.issue(identityOf(res));
      if (!csrf.verify(identityOf(res), body.csrf)) {
        sendPage(
          res,
          403,
          runNowPage({
            campaigns: deps.config.campaigns,
            defaultDryRun: deps.config.dryRun,
            csrfToken: token,
            error: 'The form expired or did not come from this dashboard; please submit it again.',
          }),
        );
        return;
      }
      const campaigns = [...new Set(list(body.campaign))];
      const known = new Set(deps.config.campaigns.map((c) => c.name));
      const unknown = campaigns.filter((c) => !known.has(c));
      const mode = body.mode;
      if (unknown.length > 0 || (mode !== 'dry' && mode !== 'live')) {
        const error = unknown.length > 0 ? `Unknown campaign ${unknown.join(', ')}` : 'Choose dry run or live';
        sendPage(
          res,
          400,
          runNowPage({ campaigns: deps.config.campaigns, defaultDryRun: deps.config.dryRun, csrfToken: token, error }),
        );
        return;
      }
      if (mode === 'live' && body.confirm !== 'yes') {
        const error = body.step === 'confirm' ? 'Tick the box to confirm the live run.' : undefined;
        sendPage(res, error ? 422 : 200, confirmLivePage({ campaigns, csrfToken: token, error }));
        return;
      }
      const runId = await startRun(
        { flow: deps.flow, store: deps.store },
        { trigger: 'manual', dryRun: mode === 'dry', campaigns },
      );
      deps.logger.info(
        { runId, dryRun: mode === 'dry', campaigns, user: identityOf(res) },
        'run started from the dashboard',
      );
      res.redirect(303, `/runs/${encodeURIComponent(runId)}`);
    },
  );

  return router;
}
