/**
 * Every command of the product, run the way an operator runs it (`pnpm -s run NAME`): `--help`
 * answers and does nothing else, misuse gets one line and exit 2.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysOfPrefix } from '@closrads/core';
import { testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import { ROOT, childEnv } from '@closrads/test-support/cli';

const COMMANDS = [
  'worker',
  'scheduler',
  'enqueue',
  'undo',
  'dashboard',
  'demo',
  'simulator',
  'bench',
  'doctor',
  'region-keys',
];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `pnpm -s run NAME ARGS…` (`-s`: no pnpm banner, so stdout is the command's own). */
function pnpm(name: string, args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((done) => {
    const child = spawn('pnpm', ['-s', 'run', name, ...args], { cwd: ROOT, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

let dir: string;
let campaignsFile: string;
const prefix = uniquePrefix('help');
let env: Record<string, string>;
let redis: Redis;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'closrads-commands-'));
  campaignsFile = join(dir, 'campaigns.json');
  writeFileSync(
    campaignsFile,
    JSON.stringify({
      campaigns: [{ name: 'Veterans', closrtechCampaign: 'VET', adAccountId: 'act_1', facebookCampaignIds: ['9001'] }],
    }),
  );
  // Everything a command would need to do real work, so that doing nothing is the help's doing.
  env = {
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    CAMPAIGNS_FILE: campaignsFile,
    DRY_RUN: 'true',
    CLOSRTECH_URL: 'http://127.0.0.1:9/demand.php',
    CLOSRTECH_EMAIL: 'ops@example.com',
    CLOSRTECH_PASSWORD: 'pw-commands-test',
    FB_GRAPH_URL: 'http://127.0.0.1:9',
    FB_ACCESS_TOKEN: 'token-commands-test',
    DASHBOARD_PORT: '1',
  };
  redis = new Redis(testRedisUrl());
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  redis.disconnect();
});

describe('--help', () => {
  // Concurrent: each is a process of its own and they share nothing but the (untouched) prefix.
  it.concurrent.each(COMMANDS)(
    'pnpm %s --help prints usage, options and exit codes, exits 0',
    async (name) => {
      const r = await pnpm(name, ['--help'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: pnpm (run )?/);
      expect(r.stdout).toContain(name === 'doctor' ? 'pnpm run doctor' : `pnpm ${name}`);
      expect(r.stdout).toContain('\noptions:\n');
      expect(r.stdout).toMatch(/\nexit codes:\n {2}0 /);
    },
    60_000,
  );

  it.concurrent(
    '-h is --help too, and wins over a bad option next to it',
    async () => {
      const r = await pnpm('scheduler', ['--bogus', '-h'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: pnpm scheduler/);
    },
    60_000,
  );
});

describe('after every --help', () => {
  it('no key exists under the prefix', async () => {
    expect(await keysOfPrefix(redis, prefix)).toEqual([]);
  });
});

describe('misuse', () => {
  it.concurrent.each(['worker', 'scheduler', 'enqueue', 'dashboard', 'demo', 'doctor', 'region-keys'])(
    'pnpm %s --bogus: one line, exit 2',
    async (name) => {
      const r = await pnpm(name, ['--bogus'], env);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^${name}: Unknown option '--bogus' \\(usage: pnpm `)),
      ]);
    },
    60_000,
  );

  it.concurrent.each([
    [['--scenario', 'no-such-scenario'], /^simulator: scenario not found: no-such-scenario \(bundled: demo, flaky\)/],
    [['--port', 'eighty'], /^simulator: --port must be a whole number from 0 to 65535, not "eighty"/],
    [['--latency', '-5'], /^simulator: Option '--latency' argument is ambiguous/],
    [['--verbose'], /^simulator: Unknown option '--verbose'/],
  ])(
    'pnpm simulator %j: one line, exit 2',
    async (args, line) => {
      const r = await pnpm('simulator', args, env);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(line);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    },
    60_000,
  );

  it('pnpm simulator on a port in use: one line, exit 2', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await pnpm('simulator', ['--port', String(port)], env);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^simulator: port ${port} on 127.0.0.1 is in use`)),
      ]);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  }, 60_000);

  it('a campaigns file without a campaign is a configuration error (exit 2)', async () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ campaigns: [] }));
    for (const name of ['enqueue', 'worker']) {
      const r = await pnpm(name, [], { ...env, CAMPAIGNS_FILE: empty });
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain(`CAMPAIGNS_FILE ${empty}: campaigns: must list at least one campaign`);
    }
    expect(await keysOfPrefix(redis, prefix)).toEqual([]);
  }, 60_000);
});
