import { it } from 'vitest';

/**
 * Part of `npm test` only when plugins/node_modules is absent (vitest.config.ts): says that the
 * Backstage plugins' tests inside Backstage did not run, and how to run them. The summary
 * reporter prints the name of a skipped test that starts with "notice:" above the summary line.
 */
it.skip("notice: the Backstage plugins' tests inside Backstage (plugins/**/*.backstage-test.ts) were skipped: plugins/node_modules is not installed. To run them, `cd plugins && npm ci`, then `npm test` again (or `npm run test:plugins` for them alone).", () => undefined);
