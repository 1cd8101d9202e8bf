import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The run summary-reporter.test.ts starts: one file with a test of every outcome vitest counts.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['every-outcome.check.ts'],
    reporters: ['default', '../summary-reporter.ts'],
  },
});
