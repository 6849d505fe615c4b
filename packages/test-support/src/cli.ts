import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root (this file is packages/test-support/src/cli.ts). */
export const ROOT = resolve(import.meta.dirname, '../../..');

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of every command a test starts: PATH, HOME and `env`, nothing else inherited, and
 * ENV_FILE=none, so that neither the developer's shell nor a `.env` in the repository root changes
 * what the test sees.
 */
export function childEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ENV_FILE: 'none', ...env };
}

/** Runs one of the product's entry points (a path from the repository root) as the CLI would, in `childEnv(env)`. */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((done) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, script), ...args], {
      cwd: ROOT,
      env: childEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
