import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  appsecretProof,
  configSecrets,
  createLogger,
  loadConfig,
  scrubSecrets,
  secretForms,
  webhookSecrets,
} from '../../src';

const PASSWORD = 'p&ss w<rd>"42/+x';
const EMAIL = 'ops+ads@client.example';
const WEBHOOK = 'https://hooks.slack.example.com/services/T0AAAA1111/B0BBBB2222/c3cr3tW3bh00kPart';

describe('scrubSecrets: one scrubber, every encoding', () => {
  it('masks a secret raw, URL-encoded (%20 and +), HTML-escaped and JSON-escaped', () => {
    const forms = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      new URLSearchParams({ p: PASSWORD }).toString().slice(2),
      'p&amp;ss w&lt;rd&gt;&quot;42/+x',
      'p&amp;ss w&lt;rd&gt;&#34;42/+x',
      JSON.stringify(PASSWORD).slice(1, -1),
      encodeURIComponent(PASSWORD).toLowerCase(),
    ];
    for (const form of forms) {
      const out = scrubSecrets(`before ${form} after`, [PASSWORD]);
      expect(out, form).toBe('before *** after');
    }
    expect(secretForms(PASSWORD).length).toBeGreaterThanOrEqual(5);
  });

  it('masks the credential parameters of any URL or query in the text, whatever the value', () => {
    const text =
      'GET https://x.example/a?access_token=EAAB123&appsecret_proof=abc123&pass=zz&email=a%40b.c and {"password":"hunter2"} and smtp://me:pw@mail.example';
    const out = scrubSecrets(text, []);
    for (const leaked of ['EAAB123', 'abc123', 'zz&', 'a%40b.c', 'hunter2', 'me:pw']) expect(out).not.toContain(leaked);
  });

  it('masks every path segment of the webhook URL, the marker word aside', () => {
    const secrets = webhookSecrets(WEBHOOK);
    for (const segment of ['T0AAAA1111', 'B0BBBB2222', 'c3cr3tW3bh00kPart']) {
      expect(scrubSecrets(`invalid_token: ${segment}`, secrets)).toBe('invalid_token: ***');
    }
    expect(scrubSecrets('no services here', secrets)).toBe('no services here');
  });

  it('configSecrets lists the proof, the SMTP credentials and the webhook parts', () => {
    const secrets = configSecrets({
      facebook: { accessToken: 'EAAtoken1234', appSecret: 'appsecret99' },
      closrtech: { email: EMAIL, password: PASSWORD },
      notify: { slackWebhookUrl: WEBHOOK, email: { smtpUrl: 'smtps://mailer:sm%26tp-pw@mail.example:465' } },
    });
    expect(secrets).toEqual(
      expect.arrayContaining([
        appsecretProof('EAAtoken1234', 'appsecret99'),
        'sm&tp-pw',
        'sm%26tp-pw',
        'c3cr3tW3bh00kPart',
        EMAIL,
      ]),
    );
  });

  it('configSecrets of a parsed configuration holds every secret variable the contract names', () => {
    const env = {
      CAMPAIGNS_FILE: 'config/campaigns.example.json',
      FB_ACCESS_TOKEN: 'EAAtoken1234',
      FB_APP_SECRET: 'appsecret99',
      CLOSRTECH_EMAIL: EMAIL,
      CLOSRTECH_PASSWORD: PASSWORD,
      SMTP_URL: 'smtps://mailer:smtp-pw-77@mail.example:465',
      NOTIFY_EMAIL: 'client@example.com',
      NOTIFY_FROM: 'closrads@example.com',
      SLACK_WEBHOOK_URL: WEBHOOK,
      DASHBOARD_USER: 'ops',
      DASHBOARD_PASSWORD: 'dash-pw-55',
    };
    const config = loadConfig(['facebook', 'closrtech', 'notify', 'dashboard'], env);
    const secrets = configSecrets(config);
    const expected = [
      'EAAtoken1234',
      'appsecret99',
      appsecretProof('EAAtoken1234', 'appsecret99'),
      EMAIL,
      PASSWORD,
      'smtp-pw-77',
      env.SMTP_URL,
      WEBHOOK,
      'dash-pw-55',
    ];
    expect(secrets).toEqual(expect.arrayContaining(expected));
    // A process that loaded only some sections has only their secrets: the dashboard has no token.
    expect(configSecrets(loadConfig(['dashboard'], env))).toEqual(['dash-pw-55']);
  });

  it('the logger writes no form of a secret, even inside a message string', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()) });
    const logger = createLogger({ level: 'info', secrets: [PASSWORD, EMAIL] }, sink);
    logger.warn(
      { err: `refused: ${encodeURIComponent(PASSWORD)} / ${PASSWORD} / ${EMAIL.replace('@', '%40')}` },
      `html ${PASSWORD.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')}`,
    );
    const all = lines.join('');
    for (const secret of [PASSWORD, EMAIL]) for (const form of secretForms(secret)) expect(all).not.toContain(form);
    expect(all).toContain('refused: ***');
  });
});
