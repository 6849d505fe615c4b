import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from '@closrads/test-support/cli';
import { campaign } from '@closrads/test-support/harness';
import { PrivateRedis } from '@closrads/test-support/private-redis';

const enqueue = (env: Record<string, string>) => runScript('apps/scheduler/src/enqueue.ts', [], env);

/** Destructive (maxmemory), so on a private redis-server of this file's own, stopped by its pid. */
describe('pnpm enqueue when Redis refuses writes (out of memory)', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let campaignsFile: string;

  beforeAll(async () => {
    server = await PrivateRedis.create();
    redis = new Redis(server.url);
    await redis.config('SET', 'maxmemory', '1');
    const dir = mkdtempSync(join(tmpdir(), 'closrads-oom-'));
    campaignsFile = join(dir, 'campaigns.json');
    writeFileSync(
      campaignsFile,
      JSON.stringify({
        campaigns: [
          campaign({ name: 'Veterans', closrtechCampaign: 'VET', adAccountId: 'act_1', facebookCampaignIds: ['9001'] }),
        ],
      }),
    );
  });
  afterAll(async () => {
    redis.disconnect();
    await server.destroy();
  });

  it('exits 2 with one line naming the refusal, and leaves no run behind', async () => {
    const r = await enqueue({
      REDIS_URL: server.url,
      QUEUE_PREFIX: 'oomcli',
      CAMPAIGNS_FILE: campaignsFile,
      DRY_RUN: 'false',
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^enqueue: Redis refused to start run r-\S+: OOM command not allowed/);
    expect(await redis.keys('*oomcli*')).toEqual([]);
  });
});
