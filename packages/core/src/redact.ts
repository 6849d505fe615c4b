/** Query and body parameters that carry credentials and must never be written anywhere. */
const SECRET_PARAMS = ['access_token', 'appsecret_proof', 'input_token', 'pass', 'password', 'email'];
/** Path segments after which a webhook URL is its own secret (Slack: /services/T…/B…/secret). */
const SECRET_PATH_MARKERS = new Set(['services', 'triggers', 'workflows']);

/**
 * A URL fit for a log line or an error message: no userinfo, every credential parameter replaced by
 * `***`, and the secret path segments of webhook URLs replaced by `***`. Something that does not
 * parse as a URL comes back as `[invalid URL]`: it might hold anything.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[invalid URL]';
  }
  url.username = '';
  url.password = '';
  for (const name of SECRET_PARAMS) {
    if (url.searchParams.has(name)) url.searchParams.set(name, '***');
  }
  const segments = url.pathname.split('/');
  const marker = segments.findIndex((s) => SECRET_PATH_MARKERS.has(s));
  if (marker >= 0) url.pathname = segments.map((s, i) => (i > marker && s ? '***' : s)).join('/');
  return url.toString().replace(/%2A%2A%2A/gi, '***');
}

/** Free text (an upstream error message) with any `name=value` credential parameter masked. */
export function redactText(text: string): string {
  return text.replace(/((?:access_token|appsecret_proof|input_token|pass|password)=)[^&\s]+/gi, '$1***');
}

/** Removes every occurrence of the given secrets from a text (last line of defence for messages). */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
