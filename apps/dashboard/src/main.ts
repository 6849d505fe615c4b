import type { Server } from 'node:http';
import { parseCommand, startFailure, startProcess } from '@closrads/core';
import { createApp } from './app';
import { createDashboardDeps } from './deps';
import { assertListenAllowed } from './listen';

const fail = (message: string): never => startFailure('dashboard', message);

/** How long open requests get after a stop signal before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** `pnpm dashboard`: validates configuration, checks Redis, serves until SIGTERM/SIGINT. */
async function main(): Promise<void> {
  parseCommand({
    name: 'dashboard',
    usage: 'pnpm dashboard',
    summary:
      'Serves the operator dashboard (run history, run pages, Run now, Bull Board, /healthz, /metrics) on\n' +
      `DASHBOARD_HOST:DASHBOARD_PORT until SIGTERM or SIGINT (open requests get ${SHUTDOWN_GRACE_MS / 1000} s), or until the process\n` +
      'that launched it (pnpm) exits. Logs are JSON lines on stdout (LOG_FORMAT=pretty, or a terminal: human-readable).',
    options: {},
    exitCodes: [
      [0, 'stopped after a signal'],
      [
        2,
        'invalid configuration, a listen address not allowed without a password, Redis unreachable, or the port in use',
      ],
    ],
    notes: 'Configuration: environment variables and .env (see apps/dashboard/README.md).',
  });
  const { config, logger, onStop } = await startProcess({
    name: 'dashboard',
    sections: ['redis', 'dashboard', 'campaigns', 'dryRun'],
    check: (c) => assertListenAllowed(c.dashboard),
    dryRunWarning: 'DRY RUN MODE is the default: "Run now" preselects dry run',
    probeRedis: true,
  });
  const deps = createDashboardDeps({
    redisUrl: config.redis.url,
    prefix: config.redis.prefix,
    config: { dashboard: config.dashboard, campaigns: config.campaigns.list, dryRun: config.dryRun },
    logger,
  });
  try {
    await deps.ready();
  } catch (err) {
    fail((err as Error).message);
  }
  const app = createApp(deps);
  const { host, port } = config.dashboard;
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
  } catch (err) {
    fail(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
  }
  logger.info(
    {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/runs`,
      auth: config.dashboard.auth ? 'basic' : 'none (loopback only)',
    },
    'dashboard listening',
  );

  onStop(async (signal) => {
    logger.info({ signal }, 'shutting down');
    // Stop accepting connections, drop idle keep-alives, then close Redis; exit anyway if something hangs.
    const force = setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    await deps.close().catch(() => undefined);
  });
}

void main();
