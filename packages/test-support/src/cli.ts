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
 * Runs one of the product's entry points (a path from the repository root) as the CLI would, with only
 * PATH, HOME and `env` in its environment, so a developer's own settings never leak into a test.
 */
export function runScript(script: string, args: string[], env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((done) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}
