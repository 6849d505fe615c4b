import { DemandCheckStats } from '@closrads/core';
import { Router } from 'express';
import type { DashboardDeps } from '../deps';
import { renderDemandMetrics } from '../demand-metrics';
import { renderMetrics } from '../metrics';
import { renderWatchMetrics } from '../watch-metrics';
import { withTimeout, workerPresence } from '../presence';
import { lastRunFacts } from './health-facts';

/** `/healthz` and `/metrics`: unauthenticated, so they say nothing secret (no URL, no key, no job data). */
export function healthRoutes(deps: DashboardDeps): Router {
  const router = Router();

  router.get('/healthz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    const started = Date.now();
    try {
      if (deps.redis.status !== 'ready') throw new Error(`redis ${deps.redis.status}`);
      await withTimeout(deps.redis.ping());
    } catch {
      res.status(503).json({ status: 'unavailable', redis: { ok: false } });
      return;
    }
    const redis = { ok: true, latencyMs: Date.now() - started };
    try {
      const [workers, runs] = await Promise.all([workerPresence(deps), withTimeout(deps.store.listRuns())]);
      const facts = lastRunFacts(runs);
      const problems = workers.processes === 0 ? ['no worker is running'] : [];
      res.status(200).json({ status: 'ok', redis, workers, ...facts, problems });
    } catch {
      // Redis answered PING but not the rest: still reachable, so 200, with what is missing said.
      res.status(200).json({
        status: 'degraded',
        redis,
        workers: null,
        lastRun: null,
        lastLiveRun: null,
        runsWaiting: null,
        problems: ['run figures unavailable'],
      });
    }
  });

  router.get('/metrics', async (_req, res) => {
    try {
      // BullMQ calls would wait for a connection that is not there; answer at once instead.
      if (deps.redis.status !== 'ready') throw new Error(`redis ${deps.redis.status}`);
      const demand = new DemandCheckStats(deps.redis, deps.keys);
      const parts = Promise.all([
        renderMetrics(deps.queues, deps.store),
        renderDemandMetrics(demand, deps.config.campaigns),
        renderWatchMetrics(deps.redis, deps.keys, deps.config.campaigns),
      ]);
      const text = (await withTimeout(parts, 5000)).join('');
      res.set('Cache-Control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(text);
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'metrics unavailable');
      res.status(503).type('text/plain').send('# metrics unavailable: Redis does not answer\n');
    }
  });

  return router;
}
