import { defineConfig } from 'vitest/config';

/**
 * Two lanes. The fast lane needs no container engine: unit tests and the e2e files of the built launcher
 * that never start a container; it runs first, so a broken build is known in minutes. The engine lane:
 * integration and e2e on the real engine and the test beds, each bed started once per run by the first
 * file that needs it (test/support/beds.ts, test/support/global-setup.ts). `npm test` runs both, in order
 * (scripts/test.mjs).
 */
const ENGINE_FREE_E2E = ['cli', 'output', 'report', 'bad-input', 'single-file', 'npm-pack', 'sea'].map(
  (name) => `test/e2e/${name}.test.ts`,
);

export default defineConfig({
  test: {
    // testcontainers without a registry (../shared/docs/npm-and-docker-notes.md): no Ryuk (the global
    // teardown removes the beds), no helper image to find the host.
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'fast',
          include: ENGINE_FREE_E2E,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: ENGINE_FREE_E2E,
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 900_000,
          hookTimeout: 5_400_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
