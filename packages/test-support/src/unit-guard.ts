/**
 * Setup file of the unit layer: a unit test opens no socket (no Redis, no simulator, no server) and
 * starts no process. Each attempt throws where it is made and, because a client may swallow that
 * error and retry (ioredis does), also fails the test in afterEach, naming what was tried. A file
 * that needs any of it belongs to the integration layer (vitest.config.ts).
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { afterEach } from 'vitest';

const attempts: string[] = [];

function refuse(what: string): never {
  attempts.push(what);
  throw new Error(`a unit test ${what}: this file belongs to the integration layer (vitest.config.ts)`);
}

net.Socket.prototype.connect = function connect(...args: unknown[]) {
  const target = args[0];
  const where = typeof target === 'object' && target !== null ? JSON.stringify(target) : String(target);
  return refuse(`opened a socket (${where.slice(0, 80)})`);
};

net.Server.prototype.listen = function listen() {
  return refuse('started a server');
} as typeof net.Server.prototype.listen;

for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const) {
  (childProcess as Record<string, unknown>)[name] = () => refuse(`started a process (${name})`);
}
// `import { spawn } from 'node:child_process'` reads the ES module's own bindings: bring them in step.
syncBuiltinESMExports();

/** What was refused since the last call, forgotten (the guard's own test reads it). */
export function takeRefused(): string[] {
  return attempts.splice(0);
}

afterEach(() => {
  const seen = takeRefused();
  if (seen.length > 0)
    throw new Error(
      `a unit test ${[...new Set(seen)].join('; ')}: this file belongs to the integration layer (vitest.config.ts)`,
    );
});
