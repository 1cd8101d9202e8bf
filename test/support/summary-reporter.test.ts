import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const config = fileURLToPath(new URL('./summary-counts/vitest.config.ts', import.meta.url));

/** `1 failed | 2 passed | 4 skipped (10)` → { failed: 1, passed: 2, skipped: 4 }. */
function counts(text: string): Record<string, number> {
  return Object.fromEntries([...text.matchAll(/(\d+) (passed|failed|expected fail|skipped|todo)/g)].map((m) => [m[2] as string, Number(m[1])]));
}

it("closes the run with vitest's own counts: expected failures, skips (run-time ones too) and todos apart", () => {
  // A run of its own, over a file with a test of every outcome (one of them fails, so it exits 1).
  const run = spawnSync(process.execPath, [vitest, 'run', '--config', config], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  expect(run.status).toBe(1);
  const testsLine = /^\s*Tests\s+(.*)$/m.exec(run.stdout)?.[1];
  expect(testsLine).toBeDefined();
  const lastLine = run.stdout.trimEnd().split('\n').at(-1) as string;
  expect(lastLine).toBe('2 passed, 1 failed, 1 expected fail, 5 skipped, 2 todo');
  expect(counts(lastLine)).toEqual(counts(testsLine as string));
  // A skipped test named "notice: …" is printed just above the summary, and only that one.
  expect(run.stdout.trimEnd().split('\n').slice(-3, -1)).toEqual(['', 'notice: a part of the suite did not run; here is how to run it.']);
});
