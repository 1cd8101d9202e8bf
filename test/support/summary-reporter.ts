import type { Reporter, TestModule } from 'vitest/node';

/** What one run counted, as vitest's own "Tests" line counts it. */
export interface RunCounts {
  passed: number;
  failed: number;
  expectedFail: number;
  skipped: number;
  todo: number;
}

/**
 * The counts of vitest's "Tests" line: a passing `it.fails` is an expected failure, not a pass; a
 * todo is not a skip; a test skipped at run time (`context.skip()`) is a skip. A test file that
 * failed before any of its tests ran, and an error outside any test, count as failures too, so
 * that the line never reads "0 failed" for a broken run.
 */
export function runCounts(testModules: ReadonlyArray<TestModule>, unhandledErrors: number): RunCounts {
  const counts: RunCounts = { passed: 0, failed: unhandledErrors, expectedFail: 0, skipped: 0, todo: 0 };
  for (const module of testModules) {
    const tests = [...module.children.allTests()];
    if (module.state() === 'failed' && tests.length === 0) counts.failed++;
    for (const test of tests) {
      const { state } = test.result();
      if (state === 'passed') counts[test.options.fails ? 'expectedFail' : 'passed']++;
      else if (state === 'failed') counts.failed++;
      else if (test.options.mode === 'todo') counts.todo++;
      else if (state === 'skipped') counts.skipped++;
    }
  }
  return counts;
}

/** `N passed, N failed`, then the other counts vitest shows when there are any. */
export function summaryLine(c: RunCounts): string {
  const others = [
    c.expectedFail ? `${c.expectedFail} expected fail` : '',
    c.skipped ? `${c.skipped} skipped` : '',
    c.todo ? `${c.todo} todo` : '',
  ].filter(Boolean);
  return [`${c.passed} passed`, `${c.failed} failed`, ...others].join(', ');
}

/**
 * The names of the skipped tests that start with "notice:" (what a run left out and how to run it,
 * test/plugins-not-installed.notice.ts), which vitest's default reporter does not print.
 */
export function notices(testModules: ReadonlyArray<TestModule>): string[] {
  return testModules.flatMap((module) => [...module.children.allTests()].filter((t) => t.result().state === 'skipped' && /^notice:/i.test(t.name)).map((t) => t.name));
}

/** Ends the run with the one line CI reads (summaryLine), in vitest's own counts, after the notices if any. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const lines = notices(testModules).map((n) => `${n}\n`).join('');
    process.stdout.write(`\n${lines}${summaryLine(runCounts(testModules, unhandledErrors.length))}\n`);
  }
}
