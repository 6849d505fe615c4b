import { pino, type DestinationStream, type Logger } from 'pino';

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
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const dest = destination ?? pino.destination({ dest: 1, sync: false });
  const stream: DestinationStream = secrets.length === 0 ? dest : { write: (line: string) => dest.write(scrub(line, secrets)) };
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

function scrub(line: string, secrets: string[]): string {
  let out = line;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}
