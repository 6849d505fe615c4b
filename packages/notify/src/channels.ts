/**
 * Delivery primitives. Each send is one attempt: retries and once-per-run bookkeeping belong to the
 * queue that calls these, which is why nothing here retries. Error messages end up in logs, in the
 * stored report (deliveries[...].error) and on the dashboard, so they never carry the SMTP password,
 * SMTP userinfo or a webhook URL: a Slack webhook URL is itself the credential.
 */
import nodemailer from 'nodemailer';
import {
  BodyReadError,
  UpstreamRedirectError,
  isRedirect,
  parseSmtpUrl,
  readBoundedText,
  scrubSecrets,
  smtpUrlSecrets,
  webhookSecrets,
} from '@closrads/core';
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
  const secrets = smtpUrlSecrets(cfg.smtpUrl);

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
    throw new Error(`Email not sent via ${where}: ${scrubSecrets(describeError(err), secrets)}`);
  } finally {
    transport.close();
  }
}

/** Posts one Block Kit payload to an incoming webhook. */
export async function postSlack(
  webhookUrl: string,
  payload: { text: string; blocks: object[] },
  opts: SendOptions = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    throw new Error('SLACK_WEBHOOK_URL is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error('SLACK_WEBHOOK_URL must be an http(s) URL');

  // The URL is the credential: its every part is masked in whatever the receiver sends back.
  const secrets = webhookSecrets(webhookUrl);
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal,
      // A redirect is refused, not followed: the report would go wherever it points.
      redirect: 'manual',
    });
  } catch (err) {
    if (signal.aborted) throw new Error(`Slack webhook did not answer within ${timeoutMs} ms`);
    throw new Error(`Slack webhook request failed: ${scrubSecrets(describeError(err), secrets)}`);
  }
  if (isRedirect(res.status)) {
    await res.body?.cancel().catch(() => undefined);
    throw new UpstreamRedirectError('Slack webhook', res.status, 'another address');
  }
  let body = '';
  try {
    body = await readBoundedText(res, SLACK_ANSWER_MAX_BYTES, signal);
  } catch (err) {
    if (!res.ok)
      body = err instanceof BodyReadError && err.failure === 'too-large' ? '(an answer too large to read)' : '';
    else if (signal.aborted) throw new Error(`Slack webhook did not answer within ${timeoutMs} ms`);
  }
  if (!res.ok) {
    const short = oneLine(scrubSecrets(body, secrets), 200);
    throw new Error(`Slack webhook answered ${res.status}${short ? `: ${short}` : ''}`);
  }
}

/** Slack answers `ok` or a short error code; more than this is not an answer worth reading. */
const SLACK_ANSWER_MAX_BYTES = 16 * 1024;

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
