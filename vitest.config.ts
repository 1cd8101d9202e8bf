import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The Backstage plugins' tests inside Backstage (plugins/vitest.config.mts) need the plugins' own
 * npm workspace installed (`cd plugins && npm ci`), which Lantern's root install never does. When
 * it is there, `npm test` runs them too, in the same run and summary; when it is not, a skipped
 * test says so, and the summary reporter prints its name above the summary line.
 */
const pluginsInstalled = existsSync(fileURLToPath(new URL('./plugins/node_modules/@backstage/backend-test-utils/package.json', import.meta.url)));

export default defineConfig({
  // The web UI's components use React's automatic JSX runtime, as in web/vite.config.ts.
  oxc: { jsx: { runtime: 'automatic' } },
  // The Backstage plugins' own logic is tested here without their Backstage dependencies (plugins/README.md);
  // their shared package resolves to its source, as the plugins' npm workspace links it.
  resolve: {
    alias: { '@lantern-security/backstage-plugin-common': fileURLToPath(new URL('./plugins/backstage-plugin-common/src/index.ts', import.meta.url)) },
  },
  test: {
    pool: 'forks',
    // CLI tests run the built CLI a dozen times in a row; on a loaded 2-core CI machine each run can
    // take seconds, so the bound is for hangs, not for speed (benchmarks measure speed).
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'lantern',
          include: [
            'src/**/*.test.ts',
            'src/**/*.test.tsx',
            'test/**/*.test.ts',
            'web/**/*.test.ts',
            'web/**/*.test.tsx',
            'plugins/*/src/**/*.test.ts',
            ...(pluginsInstalled ? [] : ['test/plugins-not-installed.notice.ts']),
          ],
          globalSetup: ['./test/support/postgres-schemas.ts'],
        },
      },
      ...(pluginsInstalled ? ['./plugins/vitest.config.mts'] : []),
    ],
  },
});
