import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The package.json of `name` as the module at `from` resolves it. */
function installedManifest(from: string, name: string): { version: string; path: string } {
  let dir = dirname(createRequire(from).resolve(name));
  while (dir !== dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (manifest.name === name) return { version: manifest.version, path: dir };
    } catch {}
    dir = dirname(dir);
  }
  throw new Error(`no package.json of ${name} above the module`);
}

describe('cron-parser', () => {
  it('is the one BullMQ fires schedules with, so that a cron the configuration accepts is one BullMQ runs', () => {
    const core = installedManifest(import.meta.resolve('../../src/config.ts'), 'cron-parser');
    const bullmq = installedManifest(
      createRequire(import.meta.resolve('../../src/config.ts')).resolve('bullmq'),
      'cron-parser',
    );
    expect(core.path).toBe(bullmq.path);
    expect(core.version).toBe(bullmq.version);
  });
});
