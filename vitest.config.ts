import { defineConfig } from 'vitest/config';

/**
 * Three layers (README, "Tests"):
 * - unit: pure logic. No Redis, no socket, no child process (test-support's unit guard fails a test
 *   that tries); files run in parallel. `pnpm test:unit`.
 * - integration: real Redis (global setup) and the simulator over real HTTP. `pnpm test:integration`.
 * - e2e: the commands as processes, process-level faults, the browser, the bench smoke. `pnpm test:e2e`.
 * A test file belongs to integration unless it is listed for unit or e2e, so a new file always runs.
 */
const UNIT = [
  // Every pure test of core but the pacer's, which runs its Lua scripts on a real Redis.
  'packages/core/test/unit/!(pacer).test.ts',
  'apps/demo/test/production-imports.test.ts',
  'packages/core/test/property/**/*.test.ts',
  'packages/core/test/clients/{graph-errors,usage}.test.ts',
  'packages/notify/test/{golden,policy,summary,tile-map}.test.ts',
  'apps/scheduler/test/{doctor-checks,wait-progress}.test.ts',
  'packages/test-support/test/{clock,unit-guard}.test.ts',
];

const E2E = [
  'apps/worker/test/faults/**/*.test.ts',
  'apps/dashboard/test/*browser*.test.ts',
  'apps/dashboard/test/verdict-everywhere.test.ts',
  'packages/notify/test/screenshot.test.ts',
  'apps/scheduler/test/{cli,commands,enqueue-oom,launcher,region-keys}.test.ts',
  'bench/test/**/*.test.ts',
];

const ALL = ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'];

/** Integration and e2e share one Redis (each test under its own prefix) and spawn servers. */
const WITH_REDIS = {
  globalSetup: ['./packages/test-support/src/global-setup.ts'],
  // Files one after another: timings stay honest on a loaded 2-core machine.
  fileParallelism: false,
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: UNIT,
          setupFiles: ['./packages/test-support/src/unit-guard.ts'],
          // Both cores (vitest's default leaves one free), in worker threads, which start faster than
          // processes: nothing in this layer shares state, so files run side by side.
          pool: 'threads',
          maxWorkers: 2,
          testTimeout: 10_000,
          sequence: { groupOrder: 0 },
        },
      },
      // One layer after the other (groupOrder): integration never competes with e2e for the cores.
      {
        test: {
          name: 'integration',
          include: ALL,
          exclude: [...UNIT, ...E2E],
          ...WITH_REDIS,
          sequence: { groupOrder: 1 },
        },
      },
      { test: { name: 'e2e', include: E2E, ...WITH_REDIS, sequence: { groupOrder: 2 } } },
    ],
  },
});
