/**
 * npm run bench:cli — how long the `lantern` command takes to start, beside a bare `node -e ""` in
 * the same run (issue #13): the median wall time of 10 runs each (after one warm-up run), in a
 * fresh process per run, on the compiled code in dist/.
 *   lantern --version   goal within 2× of node -e "": no command's modules load before one runs.
 *   lantern ingest      a 10-finding Trivy report into a fresh SQLite file; goal within 4×.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, printTable } from './measure.js';
import { trivyReport } from './synthetic-reports.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-cli-'));

/** Median wall time of `node ...args`, in ms; `args(i)` gives the arguments of run i. */
function time(args: (run: number) => string[]): number {
  const times: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args(run), { encoding: 'utf8' });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`node ${args(run).join(' ')} failed: ${result.stderr}`);
    if (run >= 0) times.push(ms);
  }
  return median(times);
}

console.log(`Lantern CLI start-up benchmark: median of ${RUNS} runs, Node ${process.version}\n`);
try {
  const report = join(dir, 'trivy.json');
  writeFileSync(report, trivyReport(10, 5));
  const node = time(() => ['-e', '']);
  const version = time(() => [main, '--version']);
  const ingest = time((run) => [main, 'ingest', report, '--target', 'acme/payments', '--type', 'repository', '--variant', 'main', '--db', join(dir, `ingest-${run + 1}.db`)]);
  const ms = (n: number) => `${Math.round(n)} ms`;
  printTable(
    ['command', 'median', 'node -e ""', 'ratio'],
    [
      ['node -e ""', ms(node), ms(node), '1.00×'],
      ['lantern --version', ms(version), ms(node), `${(version / node).toFixed(2)}× (goal ≤ 2×)`],
      ['lantern ingest (10 findings, fresh SQLite file)', ms(ingest), ms(node), `${(ingest / node).toFixed(2)}× (goal ≤ 4×)`],
    ],
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
