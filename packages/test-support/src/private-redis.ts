import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertRedisReachable } from '@closrads/core';

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
 * on a free port (for the demo, the bench and the tests on a machine without a running Redis).
 */
export async function ensureRedis(url: string): Promise<AvailableRedis> {
  try {
    await assertRedisReachable(url, 1500);
    return { url, private: false, stop: async () => undefined };
  } catch {
    // fall through to a private server
  }
  const server = await PrivateRedis.create();
  return { url: server.url, private: true, stop: () => server.destroy() };
}

export interface PrivateRedisOptions {
  /**
   * AOF with fsync on every write, so that a test may stop the server and start it again with its
   * data (a restart test); off by default (nothing is written to disk).
   */
  persistent?: boolean;
}

/**
 * A redis-server of the caller's own on a free loopback port, in a temporary directory: for what
 * must not touch the shared Redis (restarts, memory limits). Stopped by its own pid, never by name.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'closrads-redis-'));

  private constructor(
    readonly port: number,
    private readonly opts: PrivateRedisOptions,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    if (spawnSync('redis-server', ['--version']).error) throw new Error(REDIS_HINT);
    const server = new PrivateRedis(await freePort(), opts);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    const persistence = this.opts.persistent
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      ...persistence,
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) break;
      try {
        await assertRedisReachable(this.url, 500);
        return;
      } catch {
        await sleep(100);
      }
    }
    child.kill('SIGKILL');
    throw new Error(`a private redis-server was started on port ${this.port} but never answered`);
  }

  /** SIGTERM: Redis flushes its AOF (when persistent) and exits; SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await gone;
    }
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A port nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
