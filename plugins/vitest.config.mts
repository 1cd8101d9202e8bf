import { defineConfig } from 'vitest/config';

/**
 * The plugins' tests inside Backstage itself (`*.backstage-test.ts`): they need the workspace's
 * Backstage packages (`npm install` here), so Lantern's root suite does not run them. From the
 * repository root: `npx vitest run --config plugins/vitest.config.ts`.
 */
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['*/src/**/*.backstage-test.ts', '*/src/**/*.backstage-test.tsx'],
    pool: 'forks',
    // An ES module of Backstage's that imports Material UI's folders, which Node does not resolve: let Vite resolve it.
    server: { deps: { inline: ['material-ui-popup-state'] } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
