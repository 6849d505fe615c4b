/** Query and body parameters that carry credentials and must never be written anywhere. */
const SECRET_PARAMS = ['access_token', 'appsecret_proof', 'input_token', 'pass', 'password', 'email'];

/**
 * Returns the URL with every credential parameter replaced by `***` and any userinfo removed,
 * so that it can appear in a log line or an error message.
 */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    for (const name of SECRET_PARAMS) {
      if (url.searchParams.has(name)) url.searchParams.set(name, '***');
    }
    return url.toString().replaceAll('%2A%2A%2A', '***');
  } catch {
    return raw.replace(/((?:access_token|appsecret_proof|input_token|pass|password)=)[^&\s]+/gi, '$1***');
  }
}

/** Removes every occurrence of the given secrets from a text (last line of defence for messages). */
export function scrubSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
