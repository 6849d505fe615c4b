/**
 * SMTP_URL, read once: the configuration validates it at start (every problem listed), and the email
 * channel turns it into its transport settings. Kept in core, free of any mail library, so that
 * validating configuration does not pull the delivery code in.
 */

/** What an SMTP_URL says; the shape of nodemailer's SMTP transport options, so it can be handed over as is. */
export interface SmtpTransportSettings {
  host: string;
  port?: number;
  secure?: boolean;
  auth?: { user: string; pass: string };
  tls?: { rejectUnauthorized?: boolean };
  requireTLS?: boolean;
  ignoreTLS?: boolean;
  name?: string;
}

const BOOLEAN_QUERY: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  false: false,
  '0': false,
  no: false,
};

function queryBoolean(name: string, value: string): boolean {
  const parsed = BOOLEAN_QUERY[value.toLowerCase()];
  if (parsed === undefined) throw new Error(`SMTP_URL: query parameter ${name} must be true or false`);
  return parsed;
}

/**
 * smtp:// (plain, STARTTLS when offered) or smtps:// (TLS from the first byte) URL to nodemailer
 * options. As in nodemailer, the port defaults to 587 / 465 and follows the URL otherwise; the scheme
 * sets `secure`, and an explicit `?secure=` overrides it. `?tls_reject_unauthorized=false` (or
 * nodemailer's `?tls.rejectUnauthorized=false`) accepts a self-signed certificate.
 */
export function parseSmtpUrl(smtpUrl: string): SmtpTransportSettings {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    // The input is not echoed: it may hold a password.
    throw new Error('SMTP_URL is not a valid URL (expected smtp://user:pass@host:port or smtps://…)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps:// (got ${url.protocol}//)`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error('SMTP_URL has no host');

  let secure = url.protocol === 'smtps:';
  const options: SmtpTransportSettings = { host };
  for (const [key, value] of url.searchParams) {
    switch (key) {
      case 'secure':
        secure = queryBoolean(key, value);
        break;
      case 'tls_reject_unauthorized':
      case 'tls.rejectUnauthorized':
        options.tls = { ...options.tls, rejectUnauthorized: queryBoolean(key, value) };
        break;
      case 'requireTLS':
        options.requireTLS = queryBoolean(key, value);
        break;
      case 'ignoreTLS':
        options.ignoreTLS = queryBoolean(key, value);
        break;
      case 'name':
        options.name = value;
        break;
      default:
        throw new Error(`SMTP_URL: unknown query parameter ${JSON.stringify(key)}`);
    }
  }
  options.secure = secure;
  options.port = url.port ? Number(url.port) : secure ? 465 : 587;
  if (url.username || url.password) {
    options.auth = { user: safeDecode(url.username), pass: safeDecode(url.password) };
  }
  return options;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
