import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
/** What runs in production: the image's processes and the packages they load. */
const PRODUCTION_SOURCES = ['packages/core/src', 'apps/worker/src', 'apps/scheduler/src', 'apps/dashboard/src'];
/** Development tooling: the simulator, the in-process system wired against it, the test rigs. */
const DEV_ONLY = ['@closrads/simulator', '@closrads/demo', '@closrads/test-support'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
}

describe('production code', () => {
  it('imports neither the simulator nor the demo tooling', () => {
    const files = PRODUCTION_SOURCES.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(50);
    const offending = files.flatMap((file) =>
      importsOf(file)
        .filter((spec) => DEV_ONLY.some((dev) => spec === dev || spec.startsWith(`${dev}/`)))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it('declares every workspace package it imports in its package.json', () => {
    const problems: string[] = [];
    for (const dir of [
      'packages/core',
      'packages/simulator',
      'packages/test-support',
      'apps/worker',
      'apps/scheduler',
      'apps/dashboard',
      'apps/demo',
      'bench',
    ]) {
      const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      };
      const declared = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {})]);
      const used = new Set(
        sourceFiles(`${dir}/src`)
          .flatMap(importsOf)
          .filter((s) => s.startsWith('@closrads/'))
          .map((s) => s.split('/').slice(0, 2).join('/')),
      );
      for (const name of used) if (!declared.has(name)) problems.push(`${dir} imports ${name} without declaring it`);
    }
    expect(problems).toEqual([]);
  });
});
