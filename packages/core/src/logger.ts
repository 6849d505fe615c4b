import { hostname } from 'node:os';
import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { SECRET_FIELDS, scrubSecrets } from './redact';

export type { Logger } from 'pino';

/** `json`: one JSON object per line (what log shippers read); `pretty`: for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** pino replaces the value of every such key, at the top of a logged object or one level down. */
const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((k) => `*.${k}`), '*.headers.authorization'];

/**
 * Where the lines go: a stream of the caller's (tests collect lines) is used as it is, in JSON;
 * stdout (default) or `process.stderr` get JSON, or pretty lines when `format` says so or, without
 * a format, when that file descriptor is a terminal.
 */
function openDestination(destination: DestinationStream | undefined, format: LogFormat | undefined): DestinationStream {
  if (destination !== undefined && destination !== process.stdout && destination !== process.stderr) return destination;
  const fd = destination === process.stderr ? 2 : 1;
  const pretty = format === 'pretty' || (format === undefined && isatty(fd));
  if (!pretty) return pino.destination({ dest: fd, sync: false });
  return PinoPretty({ destination: fd, colorize: isatty(fd), translateTime: 'SYS:HH:MM:ss.l', ignore: 'service' });
}

/**
 * JSON logs to stdout (or `destination`). Every line carries pid and hostname, so the lines of
 * several worker processes can be told apart. `secrets` are scrubbed from every line as a last line
 * of defence: a secret must never reach a log, even inside a message string that redaction by key
 * cannot see.
 */
export function createLogger(
  opts: { level?: string; name?: string; secrets?: Array<string | undefined>; format?: LogFormat },
  destination?: DestinationStream,
): Logger {
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string');
  const dest = openDestination(destination, opts.format);
  // Every line goes through the product's one scrubber, even without secrets: it also masks the
  // credential parameters of any URL an upstream echoed.
  const stream: DestinationStream = { write: (line: string) => dest.write(scrubSecrets(line, secrets)) };
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name,
      redact: { paths: REDACT_PATHS, censor: '***' },
      base: { pid: process.pid, hostname: hostname(), service: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
