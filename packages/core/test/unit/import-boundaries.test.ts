import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The rule that keeps domain code pure is only worth something if it fails: these lint small
// sources as if they were domain files, with the very rule object the repository's config uses.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const { domainBoundary } = (await import(pathToFileURL(`${ROOT}eslint.config.js`).href)) as {
  domainBoundary: Linter.Config;
};

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, domainBoundary],
});

async function violations(source: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const DOMAIN_FILE = 'packages/core/src/domain/probe.ts';

describe('domain import boundary', () => {
  it.each([
    "import { Redis } from 'ioredis';",
    "import type { Job } from 'bullmq';",
    "import ky from 'ky';",
    "import { spawn } from 'node:child_process';",
    "import { spawn } from 'child_process';",
    "import { createServer } from 'node:net';",
    "import { request } from 'node:http';",
    "import { GraphClient } from '../clients/graph';",
    "import { Pacer } from '../queue/pacer';",
    "import { sendEmail } from '../notify/channels';",
    "import { startPrivateRedis } from '../dev/private-redis';",
    "import { createSimulator } from '@closrads/simulator';",
    "export { Keyspace } from '../queue/keys';",
  ])('rejects %s', async (line) => {
    expect(await violations(`${line}\n`, DOMAIN_FILE)).toEqual(['no-restricted-imports']);
  });

  it('lets domain code import other domain code, errors and the report types', async () => {
    const source = [
      "import { withRegions } from './targeting';",
      "import { AppError } from '../errors';",
      "import type { RunReport } from '../report/types';",
      '',
    ].join('\n');
    expect(await violations(source, DOMAIN_FILE)).toEqual([]);
  });

  it('applies to domain code only: the queue layer may import Redis', async () => {
    expect(await violations("import { Redis } from 'ioredis';\n", 'packages/core/src/queue/probe.ts')).toEqual([]);
  });

  it('is the rule the repository lints its domain code with', async () => {
    const config = (await new ESLint({ cwd: ROOT }).calculateConfigForFile(
      'packages/core/src/domain/watch.ts',
    )) as Linter.Config;
    const [, ...options] = domainBoundary.rules?.['no-restricted-imports'] as [string, ...unknown[]];
    // ESLint hands back the severity as a number: 2 is 'error'.
    expect(config.rules?.['no-restricted-imports']).toEqual([2, ...options]);
  });
});
