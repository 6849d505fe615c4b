import { createHmac } from 'node:crypto';

/** hex(HMAC-SHA256(appSecret, token)): the classic appsecret_proof, for tests that drive the fake by hand. */
export function appsecretProof(appSecret: string, token: string): string {
  return createHmac('sha256', appSecret).update(token).digest('hex');
}
