import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRedis, type AvailableRedis } from '@closrads/core';
import { campaign } from '../../worker/test/harness';

const ROOT = resolve(import.meta.dirname, '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

function enqueue(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(TSX, [join(ROOT, 'apps/scheduler/src/enqueue.ts')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => done({ code: code ?? -1, stderr }));
  });
}

/** Destructive (maxmemory), so on a private redis-server of this file's own, stopped by its pid. */
describe('pnpm enqueue when Redis refuses writes (out of memory)', () => {
  let server: AvailableRedis;
  let redis: Redis;
  let campaignsFile: string;

  beforeAll(async () => {
    server = await ensureRedis('redis://127.0.0.1:1');
    redis = new Redis(server.url);
    await redis.config('SET', 'maxmemory', '1');
    const dir = mkdtempSync(join(tmpdir(), 'closrads-oom-'));
    campaignsFile = join(dir, 'campaigns.json');
    writeFileSync(campaignsFile, JSON.stringify({ campaigns: [campaign({ name: 'Veterans', closrtechCampaign: 'VET', adAccountId: 'act_1', facebookCampaignIds: ['9001'] })] }));
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('exits 2 with one line naming the refusal, and leaves no run behind', async () => {
    const r = await enqueue({ REDIS_URL: server.url, QUEUE_PREFIX: 'oomcli', CAMPAIGNS_FILE: campaignsFile, DRY_RUN: 'false' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^enqueue: Redis refused to start run r-\S+: OOM command not allowed/);
    expect(await redis.keys('*oomcli*')).toEqual([]);
  });
});
