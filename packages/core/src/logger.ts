import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from './redact';

export type { Logger } from 'pino';

/** Keys that may hold a credential anywhere in a logged object; pino replaces their values. */
const REDACT_PATHS = [
  'accessToken',
  'access_token',
  'password',
  'pass',
  'appSecret',
  'token',
  'smtpUrl',
  'webhookUrl',
  'authorization',
  '*.accessToken',
  '*.access_token',
  '*.password',
  '*.pass',
  '*.appSecret',
  '*.token',
  '*.smtpUrl',
  '*.webhookUrl',
  '*.authorization',
  '*.headers.authorization',
];

/**
 * JSON logs to stdout (or `destination`, which tests use to collect lines).
 * `secrets` are scrubbed from every line as a last line of defence: a secret must never reach a log,
 * even inside a message string that redaction by key cannot see.
 */
export function createLogger(
  opts: { level?: string; name?: string; secrets?: Array<string | undefined> },
  destination?: DestinationStream,
): Logger {
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string');
  const dest = destination ?? pino.destination({ dest: 1, sync: false });
  // Every line goes through the product's one scrubber, even without secrets: it also masks the
  // credential parameters of any URL an upstream echoed.
  const stream: DestinationStream = { write: (line: string) => dest.write(scrubSecrets(line, secrets)) };
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name,
      redact: { paths: REDACT_PATHS, censor: '***' },
      base: { service: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}
