import { describe, expect, it } from 'vitest';
import { KEY_TTL_S, RUN_RETENTION_S, configDefaults, loadConfig } from '@closrads/core';

describe('defaults and TTLs', () => {
  it('configDefaults gives the schema’s defaults, which the contract names', () => {
    expect(configDefaults('redis')).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'closrads' });
    expect(configDefaults('worker')).toMatchObject({ concurrency: 10, verifyDelayMs: 3000, watchMs: 7_200_000 });
    expect(configDefaults('dashboard')).toMatchObject({ host: '127.0.0.1', port: 3000 });
    // The same values as a process with nothing set reads.
    expect(configDefaults('worker')).toEqual(loadConfig(['worker'], {}).worker);
  });

  it('keeps run records at least the 30 days the contract asks, and everything else within it', () => {
    expect(RUN_RETENTION_S).toBe(KEY_TTL_S.run);
    expect(KEY_TTL_S.run).toBeGreaterThanOrEqual(30 * 24 * 3600);
    expect(KEY_TTL_S.listed).toBeLessThan(KEY_TTL_S.journal);
  });
});
