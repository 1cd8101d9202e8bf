import { defineConfig } from 'vitest/config';

/**
 * The plugins' tests inside Backstage itself (`*.backstage-test.ts`): they need the workspace's
 * Backstage packages (`npm ci` here). The root `npm test` runs them as its `backstage-plugins`
 * project when plugins/node_modules is installed, and says they were skipped when it is not; from
 * the repository root, `npm run test:plugins` runs them alone.
 */
export default defineConfig({
  test: {
    name: 'backstage-plugins',
    root: new URL('.', import.meta.url).pathname,
    include: ['*/src/**/*.backstage-test.ts', '*/src/**/*.backstage-test.tsx', 'test/**/*.backstage-test.ts'],
    // Names the run's PostgreSQL test schemas and drops them when it ends, as for the root suite.
    globalSetup: ['../test/support/postgres-schemas.ts'],
    pool: 'forks',
    // An ES module of Backstage's that imports Material UI's folders, which Node does not resolve: let Vite resolve it.
    server: { deps: { inline: ['material-ui-popup-state'] } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
