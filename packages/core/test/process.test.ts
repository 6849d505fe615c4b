import { describe, expect, it } from 'vitest';
import { runScript } from '@closrads/test-support/cli';

const TOKEN = 'EAAB-stray-token-1234';

describe('the start-up routine', () => {
  it('lists every configuration problem on stderr and exits 2', async () => {
    const res = await runScript('packages/core/test/fixtures/stray-rejection.ts', [], {
      FB_API_VERSION: 'latest',
      LOG_LEVEL: 'loud',
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('stray: invalid configuration');
    expect(res.stderr).toContain('FB_ACCESS_TOKEN is required');
    expect(res.stderr).toContain('FB_API_VERSION must look like');
    expect(res.stderr).toContain('LOG_LEVEL must be one of');
  });

  it('logs an unhandled rejection scrubbed of secrets and exits 1', async () => {
    const res = await runScript('packages/core/test/fixtures/stray-rejection.ts', [], {
      FB_ACCESS_TOKEN: TOKEN,
      LOG_FORMAT: 'json',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('unhandled promise rejection');
    expect(res.stderr).toContain('the call with *** went wrong');
    expect(`${res.stdout}${res.stderr}`).not.toContain(TOKEN);
  });
});
