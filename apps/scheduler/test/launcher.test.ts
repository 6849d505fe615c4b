/**
 * `pnpm worker` and `pnpm dashboard` as a service manager runs them: stopping the pnpm process (by
 * SIGTERM, or by SIGKILL, which pnpm cannot pass on) must leave no process of its tree behind. Also
 * checks what they print: JSON lines with pid and hostname, or pretty lines with LOG_FORMAT=pretty.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteUnder, testRedisUrl, uniquePrefix } from '@closrads/test-support/redis';
import { ROOT, childEnv } from '@closrads/test-support/cli';

/** ppid and process group of a live process, from /proc; undefined once it is gone (or a zombie). */
function procStat(pid: number): { ppid: number; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    return { ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** The launcher and every descendant of it, found through ppid links. */
function treeOf(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const pid of allPids()) {
    const s = procStat(pid);
    if (s) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), pid]);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i]!) ?? []));
  return out;
}

/** Live processes of a process group (the launcher's: spawned detached, it leads its own group). */
function groupMembers(pgrp: number): number[] {
  return allPids().filter((pid) => procStat(pid)?.pgrp === pgrp);
}

/** Polls a condition until it holds; the deadline only bounds a failing test. */
async function until(what: string, check: () => boolean, deadlineMs = 90_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(100);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

interface Launched {
  pnpm: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

const launched: Launched[] = [];

function launch(name: string, env: Record<string, string>): Launched {
  // detached: the launcher leads a process group of its own, so the test can find every process it started.
  const pnpm = spawn('pnpm', [name], { cwd: ROOT, detached: true, env: childEnv(env) });
  let out = '';
  let err = '';
  pnpm.stdout.on('data', (d) => (out += String(d)));
  pnpm.stderr.on('data', (d) => (err += String(d)));
  const l = { pnpm, stdout: () => out, stderr: () => err };
  launched.push(l);
  return l;
}

/** Log lines of the service: pnpm's own banner (`> closrads@ worker …`) and blank lines are not. */
function serviceLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('> '));
}

let dir: string;
let env: Record<string, string>;
const prefix = uniquePrefix('launch');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'closrads-launcher-'));
  const campaignsFile = join(dir, 'campaigns.json');
  writeFileSync(
    campaignsFile,
    JSON.stringify({
      campaigns: [{ name: 'Veterans', closrtechCampaign: 'VET', adAccountId: 'act_1', facebookCampaignIds: ['9001'] }],
    }),
  );
  env = {
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    CAMPAIGNS_FILE: campaignsFile,
    DRY_RUN: 'true',
    // The worker calls no upstream until a job arrives, and none is enqueued here.
    CLOSRTECH_URL: 'http://127.0.0.1:9/demand.php',
    CLOSRTECH_EMAIL: 'ops@example.com',
    CLOSRTECH_PASSWORD: 'pw-launcher-test',
    FB_GRAPH_URL: 'http://127.0.0.1:9',
    FB_ACCESS_TOKEN: 'token-launcher-test',
  };
});

afterEach(() => {
  // A failing test must not leave its processes running: stop what is left of each group, by pid.
  for (const l of launched.splice(0)) {
    for (const pid of l.pnpm.pid ? groupMembers(l.pnpm.pid) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteUnder(testRedisUrl(), prefix);
});

describe.each([
  { name: 'worker', ready: 'worker started', extraEnv: (): Record<string, string> => ({}) },
  {
    name: 'dashboard',
    ready: 'dashboard listening',
    extraEnv: async (): Promise<Record<string, string>> => ({ DASHBOARD_PORT: String(await freePort()) }),
  },
])('pnpm $name', ({ name, ready, extraEnv }) => {
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'stops every process of its tree when the pnpm launcher gets %s',
    async (signal) => {
      const l = launch(name, { ...env, ...(await extraEnv()) });
      const launcher = l.pnpm.pid!;
      await until(`${name} says "${ready}"`, () => l.stdout().includes(ready) || l.pnpm.exitCode !== null);
      expect(l.pnpm.exitCode, l.stderr()).toBeNull();
      const tree = treeOf(launcher);
      // pnpm and the node process of the service at least (the script execs node: no shell in between).
      expect(tree.length, JSON.stringify(tree)).toBeGreaterThanOrEqual(2);
      const service = tree.find(
        (pid) =>
          pid !== launcher &&
          existsSync(`/proc/${pid}/cmdline`) &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`src/main.ts`),
      );
      expect(service).toBeDefined();

      process.kill(launcher, signal);
      await until(`no process of ${JSON.stringify(tree)} is left`, () =>
        tree.every((pid) => procStat(pid) === undefined),
      );
      await until(`the process group ${launcher} is empty`, () => groupMembers(launcher).length === 0);

      // Everything the service printed on stdout is a JSON log line that names its process.
      const lines = serviceLines(l.stdout());
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const entry = JSON.parse(line) as { pid?: number; hostname?: string; msg?: string };
        expect(entry.pid).toBe(service);
        expect(entry.hostname).toBe(hostname());
      }
      // The stop was graceful: the service logged why it stopped.
      expect(lines.some((line) => /stopping|shutting down/.test(line))).toBe(true);
    },
    150_000,
  );
});

it('LOG_FORMAT=pretty prints human-readable lines that still name the process', async () => {
  const l = launch('dashboard', { ...env, LOG_FORMAT: 'pretty', DASHBOARD_PORT: String(await freePort()) });
  await until('the dashboard listens', () => l.stdout().includes('dashboard listening') || l.pnpm.exitCode !== null);
  const line = serviceLines(l.stdout()).find((x) => x.includes('dashboard listening'))!;
  expect(() => JSON.parse(line)).toThrow();
  expect(line).toMatch(/INFO/);
  expect(line).toMatch(/\(dashboard\/\d+ on \S+\)/); // pino-pretty: "(name/pid on hostname)"
  process.kill(l.pnpm.pid!, 'SIGTERM');
  await until('the dashboard is gone', () => groupMembers(l.pnpm.pid!).length === 0);
}, 150_000);

it('LOG_FORMAT with another value is a configuration error', async () => {
  const l = launch('dashboard', { ...env, LOG_FORMAT: 'xml', DASHBOARD_PORT: String(await freePort()) });
  const code = await new Promise<number | null>((ok) => l.pnpm.on('close', (c) => ok(c)));
  expect(code).not.toBe(0);
  expect(l.stderr()).toContain('LOG_FORMAT must be one of json, pretty');
}, 60_000);
