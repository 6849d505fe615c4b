import type { Server } from 'node:http';
import { ConfigError, assertRedisReachable, configSecrets, createLogger, loadConfig, loadDotEnv, parseCommand, stopWhenOrphaned } from '@closrads/core';
import { createApp } from './app';
import { createDashboardDeps } from './deps';
import { assertListenAllowed } from './listen';

function fail(message: string): never {
  process.stderr.write(`dashboard: ${message}\n`);
  process.exit(2);
}

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
      [2, 'invalid configuration, a listen address not allowed without a password, Redis unreachable, or the port in use'],
    ],
    notes: 'Configuration: environment variables and .env (see apps/dashboard/README.md).',
  });
  loadDotEnv();
  let config;
  try {
    config = loadConfig(['log', 'redis', 'dashboard', 'campaigns', 'dryRun']);
    assertListenAllowed(config.dashboard);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof Error) fail(err.message);
    throw err;
  }
  const logger = createLogger({ level: config.log.level, format: config.log.format, name: 'dashboard', secrets: configSecrets(config) });
  if (config.dryRun) logger.warn('DRY RUN MODE is the default: "Run now" preselects dry run');
  try {
    await assertRedisReachable(config.redis.url);
  } catch (err) {
    fail((err as Error).message);
  }
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
  logger.info({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/runs`, auth: config.dashboard.auth ? 'basic' : 'none (loopback only)' }, 'dashboard listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting connections, drop idle keep-alives, then close Redis; force-exit if something hangs.
    const force = setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS);
    force.unref();
    server.close(() => {
      deps
        .close()
        .catch(() => undefined)
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  stopWhenOrphaned(shutdown);
}

void main();
