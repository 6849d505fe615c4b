import { appRoutes } from '@bull-board/api/dist/routes.js';
import type { Logger } from '@closrads/core';
import { Router, type RequestHandler, type Response } from 'express';

/** The only Bull Board API routes that may change something: retry and promote, one job or all. */
export const ALLOWED_BOARD_WRITES: ReadonlySet<string> = new Set([
  'PUT /api/queues/:queueName/:jobId/retry',
  'PUT /api/queues/:queueName/retry/:queueStatus',
  'PUT /api/queues/:queueName/:jobId/promote',
  'PUT /api/queues/:queueName/promote',
]);

const READ_METHODS = new Set(['GET', 'HEAD']);

export const REFUSED_MESSAGE = 'This board only reads, retries and promotes jobs; this action is refused.';

interface BoardRoute {
  method: string | string[];
  route: string | string[];
}

function refuse(res: Response, method: string, path: string, logger?: Logger): void {
  logger?.warn({ method, path }, 'board action refused');
  if (path.startsWith('/api/')) {
    // Bull Board's UI shows `error` as a toast title and `message` under it.
    res.status(403).json({ error: 'Refused', message: REFUSED_MESSAGE });
  } else {
    res.status(403).type('text/plain').send(`${REFUSED_MESSAGE}\n`);
  }
}

/**
 * Sits in front of Bull Board's router and lets through reads (GET/HEAD) and the four retry/promote
 * routes; everything else answers 403 before Bull Board sees it. Editing job data is the reason:
 * a dry-run job edited to `dryRun: false` and retried would write live.
 *
 * It registers Bull Board's own route table, in Bull Board's order, on an Express router of its own,
 * so a request is judged by the route Bull Board would dispatch it to (e.g. `PUT …/clean/promote`
 * is the clean-all route, not the promote of a job named `clean`). Routes not in the allow-list,
 * including any a future version adds, are refused; so is any path outside the table.
 */
export function boardGuard(logger?: Logger, routes: readonly BoardRoute[] = appRoutes.api): RequestHandler {
  const guard = Router();
  guard.use((req, res, next) => {
    if (READ_METHODS.has(req.method)) next('router');
    else next();
  });
  for (const def of routes) {
    const methods = Array.isArray(def.method) ? def.method : [def.method];
    const paths = Array.isArray(def.route) ? def.route : [def.route];
    for (const method of methods) {
      for (const path of paths) {
        const allowed = ALLOWED_BOARD_WRITES.has(`${method.toUpperCase()} ${path}`);
        guard.all(path, (req, res, next) => {
          if (req.method !== method.toUpperCase()) return next();
          // Leave the guard altogether, so a later entry of the table cannot refuse it either.
          if (allowed) return next('router');
          refuse(res, req.method, req.path, logger);
        });
      }
    }
  }
  guard.use((req, res) => refuse(res, req.method, req.path, logger));
  return guard;
}
