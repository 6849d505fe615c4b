import { DemandCheckStats } from '@closrads/core';
import { Router } from 'express';
import type { DashboardDeps } from '../deps';
import { renderDemandMetrics } from '../demand-metrics';
import { renderMetrics } from '../metrics';

/** A Redis that hangs must not hang the probe: every check gives up after this long. */
const PROBE_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms = PROBE_TIMEOUT_MS): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

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
      const entries = Object.entries(deps.queues);
      const counts = await withTimeout(Promise.all(entries.map(([, q]) => q.getWorkersCount())));
      const byQueue = Object.fromEntries(entries.map(([name], i) => [name, counts[i] ?? 0]));
      const last = await withTimeout(deps.store.latestFinished());
      res.status(200).json({
        status: 'ok',
        redis,
        workers: { total: counts.reduce((a, b) => a + b, 0), byQueue },
        lastRun: last ? { runId: last.runId, finishedAt: last.finishedAt, success: last.success, dryRun: last.dryRun } : null,
      });
    } catch {
      // Redis answered PING but not the rest: still reachable, so 200, with what is missing said.
      res.status(200).json({ status: 'degraded', redis, workers: null, lastRun: null });
    }
  });

  router.get('/metrics', async (_req, res) => {
    try {
      // BullMQ calls would wait for a connection that is not there; answer at once instead.
      if (deps.redis.status !== 'ready') throw new Error(`redis ${deps.redis.status}`);
      const demand = new DemandCheckStats(deps.redis, deps.keys);
      const parts = Promise.all([renderMetrics(deps.queues, deps.store), renderDemandMetrics(demand, deps.config.campaigns)]);
      const text = (await withTimeout(parts, 5000)).join('');
      res.set('Cache-Control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8').send(text);
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'metrics unavailable');
      res.status(503).type('text/plain').send('# metrics unavailable: Redis does not answer\n');
    }
  });

  return router;
}
