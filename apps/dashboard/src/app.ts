import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { createBoard } from './board';
import type { DashboardDeps } from './deps';
import { healthRoutes } from './routes/health';
import { approveRoutes } from './routes/approve';
import { campaignRoutes } from './routes/campaigns';
import { runRoutes } from './routes/runs';
import { undoRoutes } from './routes/undo';
import { basicAuth, loopbackHostOnly, sameOriginWrites } from './security';

export type { DashboardDeps } from './deps';

/** Where Bull Board is mounted; run pages link to `${BOARD_PATH}/queue/<queue>/<jobId>`. */
export const BOARD_PATH = '/queues';

/** Our own pages load nothing but inline CSS; the board's UI needs its scripts, so it only gets the frame and sniffing rules. */
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const securityHeaders: RequestHandler = (req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    // Clickjacking would turn the board's Retry button into a CSRF of its own.
    'X-Frame-Options': 'DENY',
    // Same-origin requests keep their Referer, which the CSRF check may fall back on.
    'Referrer-Policy': 'same-origin',
  });
  if (!req.path.startsWith(BOARD_PATH)) res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' });
  next();
};

/**
 * The operator dashboard: run history and reports (HTML and JSON), Run now, Bull Board, health and
 * metrics. Everything but /healthz and /metrics sits behind basic auth when a password is configured;
 * without one the process listens on loopback only (see listen.ts) and answers loopback Host names only.
 */
export function createApp(deps: DashboardDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(healthRoutes(deps));

  const auth = deps.config.dashboard.auth;
  app.use(auth ? basicAuth(auth) : loopbackHostOnly());
  app.use(sameOriginWrites(deps.config.dashboard.publicUrl));

  app.get('/', (_req, res) => res.redirect(302, '/runs'));
  app.use(runRoutes(deps));
  app.use(approveRoutes(deps));
  app.use(undoRoutes(deps));
  app.use(campaignRoutes(deps));
  app.use(BOARD_PATH, createBoard(deps.queues, BOARD_PATH, { dryRun: deps.config.dryRun, logger: deps.logger }));

  app.use((req, res) => {
    if (req.path.startsWith('/api/')) res.status(404).json({ error: 'not_found' });
    else res.status(404).type('text/plain').send('Not found\n');
  });

  // Most failures here are Redis being unreachable; the message stays generic (no URL, no stack).
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    deps.logger.error({ err: err instanceof Error ? err.message : String(err), path: req.path }, 'request failed');
    if (res.headersSent) return;
    const status =
      typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500
        ? (err as { status: number }).status
        : 503;
    if (req.path.startsWith('/api/'))
      res.status(status).json({ error: status === 503 ? 'unavailable' : 'bad_request' });
    else
      res
        .status(status)
        .type('text/plain')
        .send(status === 503 ? 'The dashboard cannot reach Redis right now; try again shortly.\n' : 'Bad request\n');
  };
  app.use(onError);
  return app;
}
