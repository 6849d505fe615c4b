import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertListenAllowed } from '../src/listen';
import { childEnv } from '@closrads/test-support/cli';
import { AUTH, PASSWORD, USER, testDashboard, type TestDashboard } from './helpers';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('basic auth', () => {
  let d: TestDashboard;
  beforeAll(async () => {
    d = await testDashboard();
  });
  afterAll(async () => {
    await d.close();
  });

  const protectedPaths = [
    '/runs',
    '/runs/new',
    '/api/runs',
    '/api/runs/r-20261126-130000-4f2a',
    '/queues',
    '/queues/api/queues',
    '/',
  ];

  it.each(protectedPaths)('refuses %s without credentials and asks for them', async (path) => {
    const res = await request(d.app).get(path);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="closrads dashboard"/);
    expect(res.text).not.toContain('closrads</strong>');
  });

  it('refuses a wrong password, a wrong user, and malformed headers', async () => {
    for (const header of [
      basic(USER, 'nope'),
      basic('admin', PASSWORD),
      basic(USER, `${PASSWORD}x`),
      'Basic !!!',
      `Bearer ${PASSWORD}`,
      basic(USER, ''),
    ]) {
      expect((await request(d.app).get('/api/runs').set('Authorization', header)).status).toBe(401);
    }
  });

  it('lets the right user in, on every route', async () => {
    expect((await request(d.app).get('/api/runs').set('Authorization', AUTH)).status).toBe(200);
    expect((await request(d.app).get('/runs').set('Authorization', AUTH)).status).toBe(200);
    const board = await request(d.app).get('/queues').set('Authorization', AUTH);
    expect(board.status).toBe(200);
    expect(board.text).toContain('<base href="/queues/"');
    const api = await request(d.app).get('/queues/api/queues').set('Authorization', AUTH);
    expect(api.status).toBe(200);
    const queues = (
      api.body as {
        queues: Array<{ name: string; allowRetries: boolean; allowCompletedRetries: boolean; readOnlyMode: boolean }>;
      }
    ).queues;
    expect(queues.map((q) => q.name).sort()).toEqual([
      'deliver-report',
      'finalize-report',
      'plan-sync',
      'update-adset',
      'watch-ads',
    ]);
    for (const q of queues)
      expect(q).toMatchObject({ allowRetries: true, allowCompletedRetries: true, readOnlyMode: false });
  });

  it('leaves /healthz and /metrics open (they carry no secret)', async () => {
    const health = await request(d.app).get('/healthz');
    expect(health.status).toBe(200);
    const metrics = await request(d.app).get('/metrics');
    expect(metrics.status).toBe(200);
    for (const text of [health.text, metrics.text]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('redis://');
    }
  });

  it('sets headers that keep pages out of frames and caches', async () => {
    const res = await request(d.app).get('/runs').set('Authorization', AUTH);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('without a password', () => {
  let d: TestDashboard;
  beforeAll(async () => {
    d = await testDashboard({ auth: false });
  });
  afterAll(async () => {
    await d.close();
  });

  it('answers loopback host names only (no DNS rebinding)', async () => {
    expect((await request(d.app).get('/api/runs').set('Host', '127.0.0.1:3000')).status).toBe(200);
    expect((await request(d.app).get('/api/runs').set('Host', 'localhost:3000')).status).toBe(200);
    expect((await request(d.app).get('/api/runs').set('Host', 'attacker.example:3000')).status).toBe(421);
  });

  it('refuses to listen on a non-loopback address', () => {
    expect(() => assertListenAllowed({ host: '0.0.0.0', port: 3000, auth: undefined, publicUrl: undefined })).toThrow(
      /refusing to listen on 0\.0\.0\.0 without a password/,
    );
    expect(() =>
      assertListenAllowed({ host: '127.0.0.1', port: 3000, auth: undefined, publicUrl: undefined }),
    ).not.toThrow();
    expect(() =>
      assertListenAllowed({ host: '0.0.0.0', port: 3000, auth: { user: 'a', password: 'b' }, publicUrl: undefined }),
    ).not.toThrow();
  });

  it('pnpm dashboard exits 2 with a clear message', { timeout: 30_000 }, () => {
    // No DASHBOARD_PASSWORD, from the shell or a .env: childEnv inherits neither.
    const env = childEnv({
      DASHBOARD_HOST: '0.0.0.0',
      DASHBOARD_PORT: '0',
      CAMPAIGNS_FILE: 'config/campaigns.example.json',
    });
    const out = spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['apps/dashboard/src/main.ts'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 25_000,
    });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('DASHBOARD_HOST 0.0.0.0 is not a loopback address');
  });
});
