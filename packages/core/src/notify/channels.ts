/**
 * Delivery primitives. Each send is one attempt: retries and once-per-run bookkeeping belong to the
 * queue that calls these, which is why nothing here retries. Error messages end up in logs, in the
 * stored report (deliveries[...].error) and on the dashboard, so they never carry the SMTP password,
 * SMTP userinfo or a webhook URL: a Slack webhook URL is itself the credential.
 */
import nodemailer from 'nodemailer';
import type { SMTPTransportOptions } from 'nodemailer';
import { oneLine } from './escape';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface EmailConfig {
  smtpUrl: string;
  from: string;
  to: string[];
}

export interface OutgoingEmail {
  subject: string;
  html: string;
  text: string;
  /** A stable Message-ID (e.g. derived from run id + revision) lets mail clients collapse a duplicate send. */
  messageId?: string;
}

export interface SendOptions {
  timeoutMs?: number;
}

const BOOLEAN_QUERY: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

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
export function parseSmtpUrl(smtpUrl: string): SMTPTransportOptions {
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
  const options: SMTPTransportOptions = { host };
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

/**
 * Sends one message. Rejects with an Error naming the host and the server's answer, never the
 * credentials. Connection, greeting and idle socket each get `timeoutMs`; the whole send is bounded too.
 */
export async function sendEmail(cfg: EmailConfig, message: OutgoingEmail, opts: SendOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const to = cfg.to.map((a) => a.trim()).filter(Boolean);
  if (!to.length) throw new Error('Email not sent: no recipients (NOTIFY_EMAIL is empty)');
  if (!cfg.from.trim()) throw new Error('Email not sent: no sender (NOTIFY_FROM is empty)');

  const options = parseSmtpUrl(cfg.smtpUrl);
  const where = `${options.secure ? 'smtps' : 'smtp'}://${options.host}:${options.port}`;
  const secrets = [options.auth?.pass, options.auth?.user && options.auth.pass ? cfg.smtpUrl : undefined].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );

  const transport = nodemailer.createTransport({
    ...options,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    socketCloseTimeout: 0,
  });
  try {
    await transport.sendMail({
      from: cfg.from,
      to,
      subject: message.subject,
      html: message.html,
      text: message.text,
      ...(message.messageId ? { messageId: message.messageId } : {}),
      // Per-phase timeouts can still add up (connect + greet + each command); cap the whole send.
      signal: AbortSignal.timeout(timeoutMs * 3),
    });
  } catch (err) {
    throw new Error(`Email not sent via ${where}: ${scrub(describeError(err), secrets)}`);
  } finally {
    transport.close();
  }
}

/** Posts one Block Kit payload to an incoming webhook. */
export async function postSlack(webhookUrl: string, payload: { text: string; blocks: object[] }, opts: SendOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new Error('SLACK_WEBHOOK_URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('SLACK_WEBHOOK_URL must be an http(s) URL');

  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      throw new Error(`Slack webhook did not answer within ${timeoutMs} ms`);
    }
    throw new Error(`Slack webhook request failed: ${scrub(describeError(err), [webhookUrl, url.pathname])}`);
  }
  if (!res.ok) {
    const body = await res.text().catch(() => '');
    const short = oneLine(scrub(body, [webhookUrl, url.pathname]), 200);
    throw new Error(`Slack webhook answered ${res.status}${short ? `: ${short}` : ''}`);
  }
  // Drain the body so the connection is released.
  await res.text().catch(() => '');
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch wraps the socket error ("fetch failed"); the cause says what actually happened.
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? cause.message : '';
  const code = (err as { code?: unknown }).code;
  let text = causeText && causeText !== err.message ? `${err.message}: ${causeText}` : err.message;
  if (typeof code === 'string' && !text.includes(code)) text += ` (${code})`;
  return text;
}

/** Removes every occurrence of each secret (raw and URL-encoded) from a message. */
function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) {
    for (const variant of new Set([s, encodeURIComponent(s)])) {
      if (variant.length > 0) out = out.split(variant).join('***');
    }
  }
  return out;
}
