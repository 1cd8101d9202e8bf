import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The web UI's components use React's automatic JSX runtime, as in web/vite.config.ts.
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'web/**/*.test.ts', 'web/**/*.test.tsx'],
    pool: 'forks',
    globalSetup: ['./test/support/postgres-schemas.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
