import { describe, expect, it } from 'vitest';
import { parseSmtpUrl, redactUrl } from '../../src';

describe('parseSmtpUrl', () => {
  it('maps smtp:// and smtps:// with nodemailer port defaults', () => {
    expect(parseSmtpUrl('smtp://mail.example.com')).toEqual({ host: 'mail.example.com', port: 587, secure: false });
    expect(parseSmtpUrl('smtps://mail.example.com')).toEqual({ host: 'mail.example.com', port: 465, secure: true });
    expect(parseSmtpUrl('smtp://mail.example.com:2525')).toMatchObject({ port: 2525, secure: false });
    expect(parseSmtpUrl('smtps://mail.example.com:4650')).toMatchObject({ port: 4650, secure: true });
  });

  it('URL-decodes user and password', () => {
    expect(parseSmtpUrl('smtps://reports%40example.com:p%40ss%2Fw%3Ard@smtp.gmail.com:465').auth).toEqual({
      user: 'reports@example.com',
      pass: 'p@ss/w:rd',
    });
    expect(parseSmtpUrl('smtp://127.0.0.1:25').auth).toBeUndefined();
  });

  it('honours ?secure= and the self-signed opt-in', () => {
    expect(parseSmtpUrl('smtps://h:587?secure=false')).toMatchObject({ secure: false, port: 587 });
    expect(parseSmtpUrl('smtp://h?secure=true')).toMatchObject({ secure: true, port: 465 });
    expect(parseSmtpUrl('smtps://h?tls_reject_unauthorized=false').tls).toEqual({ rejectUnauthorized: false });
    expect(parseSmtpUrl('smtps://h?tls.rejectUnauthorized=false').tls).toEqual({ rejectUnauthorized: false });
    expect(parseSmtpUrl('smtps://h').tls).toBeUndefined();
    expect(parseSmtpUrl('smtp://h?requireTLS=true')).toMatchObject({ requireTLS: true });
    expect(parseSmtpUrl('smtp://[::1]:2525')).toMatchObject({ host: '::1', port: 2525 });
  });

  it('rejects bad URLs without echoing them', () => {
    const secret = 'sup3rs3cret';
    for (const bad of [
      `http://u:${secret}@h`,
      `u:${secret}@h`,
      `smtp://u:${secret}@h?secure=maybe`,
      `smtp://u:${secret}@h?foo=1`,
    ]) {
      let message = '';
      try {
        parseSmtpUrl(bad);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/^SMTP_URL/);
      expect(message).not.toContain(secret);
    }
  });
});

describe('redactUrl', () => {
  it('hides Slack webhook secrets and userinfo', () => {
    expect(redactUrl('https://hooks.example.com/services/TEST/BTEST/placeholder')).toBe(
      'https://hooks.example.com/services/***/***/***',
    );
    expect(redactUrl('https://hooks.example.com/triggers/TEST/123/abc')).toBe(
      'https://hooks.example.com/triggers/***/***/***',
    );
    expect(redactUrl('smtps://user:p%40ss@smtp.example.com:465')).toBe('smtps://smtp.example.com:465');
    expect(redactUrl('https://ads.example.com/runs/r-1')).toBe('https://ads.example.com/runs/r-1');
    expect(redactUrl('not a url with:secret')).toBe('[invalid URL]');
  });
});
