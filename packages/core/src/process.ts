import { ConfigError, errorMessage } from './errors';
import { loadConfig, loadDotEnv, type Config, type FullConfig, type SectionName } from './config';
import { createLogger, type Logger } from './logger';
import { stopWhenOrphaned } from './orphan-watch';
import { assertRedisReachable } from './queue/redis';
import { configSecrets, scrubSecrets } from './redact';

/**
 * The one start-up routine of every process (worker, scheduler, dashboard, enqueue, undo,
 * region-keys): `.env`, the configuration (every problem listed, exit 2, before any network call),
 * the one list of secrets, the logger, the Redis probe (exit 2), `unhandledRejection` and
 * `uncaughtException` (logged through the scrubbing logger, exit 1) and the stop signals.
 *
 *   const { config, logger, onStop } = await startProcess({ name: 'worker', sections: ['redis', 'worker'] });
 *   onStop(async (signal) => { await running.close(); });
 */

/** The exit code of a configuration problem or an unreachable Redis (contract: "exit 2"). */
export const START_FAILURE_EXIT_CODE = 2;
/** The exit code of an error nothing caught. */
export const CRASH_EXIT_CODE = 1;

export interface StartOptions<K extends SectionName> {
  /** The command's name: it starts every error line and names the logger. */
  name: string;
  /** The configuration sections the process uses (`log` is always read). */
  sections: readonly K[];
  /** Where log lines go: stdout (services), or stderr when stdout carries the command's answer. */
  logTo?: 'stdout' | 'stderr';
  /** Probe Redis before going on (exit 2 with one line when it does not answer). Needs the `redis` section. */
  probeRedis?: boolean;
  /** More checks of the parsed configuration (a listen address); a thrown Error is a start failure. */
  check?: (config: Config<K | 'log'>) => void;
  /** With the `dryRun` section: the warning every process logs at start in dry-run mode. */
  dryRunWarning?: string;
  /** Environment to read (tests); `.env` is read only into `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface StartedProcess<K extends SectionName> {
  config: Config<K | 'log'>;
  logger: Logger;
  /** Every secret of the loaded configuration, for the scrubber. */
  secrets: string[];
  /**
   * What to do on SIGTERM, SIGINT, or when the launching process (pnpm) is gone: called once, the
   * process exits 0 when it resolves. Without a handler a signal keeps Node's default (exit at once).
   */
  onStop(handler: (signal: string) => Promise<void> | void): void;
}

/** One line on stderr, prefixed with the command's name, and exit 2. */
export function startFailure(name: string, message: string): never {
  process.stderr.write(`${name}: ${message}\n`);
  process.exit(START_FAILURE_EXIT_CODE);
}

/** Reads the configuration, or exits 2 with every problem listed. */
export function configOrExit<K extends SectionName>(
  name: string,
  sections: readonly K[],
  env?: Record<string, string | undefined>,
): Config<K | 'log'> {
  if (!env) loadDotEnv();
  try {
    return loadConfig(['log', ...sections], env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) startFailure(name, err.message);
    throw err;
  }
}

export async function startProcess<K extends SectionName>(opts: StartOptions<K>): Promise<StartedProcess<K>> {
  const config = configOrExit(opts.name, opts.sections, opts.env);
  try {
    opts.check?.(config);
  } catch (err) {
    startFailure(opts.name, errorMessage(err));
  }
  // Whichever sections were loaded: each brings its own secrets.
  const secrets = configSecrets(config as Partial<FullConfig>);
  const logger = createLogger(
    { level: config.log.level, format: config.log.format, name: opts.name, secrets },
    opts.logTo === 'stderr' ? process.stderr : undefined,
  );
  catchStrayErrors(opts.name, logger, secrets);
  if (opts.dryRunWarning && (config as Partial<Config<'dryRun'>>).dryRun === true) logger.warn(opts.dryRunWarning);
  if (opts.probeRedis) {
    const redis = (config as Partial<Config<'redis'>>).redis;
    if (!redis) throw new TypeError(`${opts.name}: probeRedis needs the redis configuration section`);
    try {
      await assertRedisReachable(redis.url);
    } catch (err) {
      startFailure(opts.name, errorMessage(err));
    }
  }
  return { config, logger, secrets, onStop: (handler) => stopOnSignals(logger, handler) };
}

/**
 * An error nothing caught is a bug: it is logged (scrubbed, with its stack) and the process exits 1,
 * as Node would, but without printing a secret that Node's own report would print raw.
 */
function catchStrayErrors(name: string, logger: Logger, secrets: readonly string[]): void {
  const crash = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, `${kind}; exiting`);
    logger.flush();
    process.stderr.write(`${name}: ${scrubSecrets(`${kind}: ${errorMessage(err)}`, secrets)}\n`);
    process.exit(CRASH_EXIT_CODE);
  };
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  process.on('uncaughtException', crash('uncaught exception'));
}

function stopOnSignals(logger: Logger, handler: (signal: string) => Promise<void> | void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    Promise.resolve()
      .then(() => handler(signal))
      .then(
        () => {
          logger.flush();
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err, signal }, 'could not stop cleanly');
          logger.flush();
          process.exit(CRASH_EXIT_CODE);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  stopWhenOrphaned(stop);
}
