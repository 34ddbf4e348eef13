import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** The Worker, inside workerd, against the real stack started by the global setup. */
const workersProject = (name: string, include: string[], exclude: string[], groupOrder: number): TestProjectInlineConfiguration => ({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { bindings: inject<Record<string, string>>('workerVars') },
    })),
  ],
  test: {
    name,
    include,
    exclude,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    sequence: { groupOrder },
  },
});

export default defineConfig({
  test: {
    globalSetup: ['tests/global-setup.ts'],
    projects: [
      {
        // Node-side code: the local endpoints, scripts, load tooling, the built site's budgets.
        test: {
          name: 'node',
          environment: 'node',
          include: ['scripts/**/*.test.ts', 'load/**/*.test.ts', 'site/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      workersProject(
        'workers',
        ['workers/**/*.test.ts', 'db/**/*.test.ts'],
        ['**/*.outage.test.ts', 'workers/reports/certificates.test.ts', '**/node_modules/**'],
        0,
      ),
      // The certificate journey renders and parses PDFs end to end; run beside the other files its
      // pool worker exited during start-up twice in full runs (alone it passes), so it runs alone.
      {
        ...workersProject('pdf', ['workers/reports/certificates.test.ts'], ['**/node_modules/**'], 1),
        test: {
          ...workersProject('pdf', ['workers/reports/certificates.test.ts'], ['**/node_modules/**'], 1).test,
          fileParallelism: false,
        },
      },
      // Tests that stop Redis run last and alone, so the outage never reaches other tests.
      {
        ...workersProject('outage', ['workers/**/*.outage.test.ts'], ['**/node_modules/**'], 2),
        test: { ...workersProject('outage', ['workers/**/*.outage.test.ts'], ['**/node_modules/**'], 2).test, fileParallelism: false },
      },
      // Faults injected into the local Neon and Upstash endpoints (tests/faults): they reach every
      // request of the shared stack, so they run after the outage tests, one file at a time.
      {
        ...workersProject('faults', ['tests/faults/**/*.test.ts'], ['**/node_modules/**'], 3),
        test: { ...workersProject('faults', ['tests/faults/**/*.test.ts'], ['**/node_modules/**'], 3).test, fileParallelism: false },
      },
      // Journeys in Chromium against the whole platform (its own ephemeral stack and
      // `wrangler dev`, see tests/browser/setup.ts); last, so it has the CPU to itself.
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/browser/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});
