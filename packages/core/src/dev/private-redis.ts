import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertRedisReachable } from '../queue/redis';

export interface AvailableRedis {
  url: string;
  /** Stops the private server, if one was started. */
  stop(): Promise<void>;
  private: boolean;
}

export const REDIS_HINT =
  'no Redis answers and no redis-server binary was found: install Redis 7 (e.g. `apt-get install redis-server`) or set REDIS_URL';

/**
 * Uses the Redis at `url` when it answers; otherwise starts a private, non-persistent `redis-server`
 * on a free port (for the demo and the tests on a machine without a running Redis).
 */
export async function ensureRedis(url: string): Promise<AvailableRedis> {
  try {
    await assertRedisReachable(url, 1500);
    return { url, private: false, stop: async () => undefined };
  } catch {
    // fall through to a private server
  }
  if (spawnSync('redis-server', ['--version']).error) throw new Error(REDIS_HINT);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'closrads-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    try {
      await assertRedisReachable(privateUrl, 500);
      return {
        url: privateUrl,
        private: true,
        stop: async () => {
          child.kill('SIGTERM');
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new Error('a private redis-server was started but never answered');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
