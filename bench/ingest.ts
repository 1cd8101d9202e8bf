/**
 * npm run bench:ingest — ingest time, findings/s, MB/s and peak RSS for synthetic Trivy and SARIF
 * reports of 100 000 findings, beside floors measured in the same run (issue #2):
 *   floor         JSON.parse of the file + one bare prepared INSERT per finding of that finding's
 *                 JSON text, in one transaction: the least work that reads the report and stores
 *                 what each finding says. The goal is ingest within 2.5× of it.
 *   tiny floor    the same parse + one 4-short-column row per finding, shown for comparison: it
 *                 stores nothing of the findings' content.
 * Peak RSS goal: under 4× the report size. The Trivy report is also POSTed to a listening server
 * (POST /api/scans, streamed to a temporary file and ingested from it): goal within 1.2× the CLI
 * path's time and under 1.5× its peak RSS. Each measurement runs in a fresh process
 * (bench/ingest-worker.mjs) on the compiled code in dist/.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mb, median, printTable, runNodeWorker } from './measure.js';
import { sarifReport, trivyReport } from './synthetic-reports.js';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const worker = new URL('./ingest-worker.mjs', import.meta.url);

const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-reports-'));
const reports = [
  { name: `Trivy, ${FINDINGS.toLocaleString('en')} vulnerabilities / ${(FINDINGS / 50).toLocaleString('en')} packages`, format: 'trivy', text: () => trivyReport(FINDINGS, FINDINGS / 50) },
  { name: `SARIF, ${FINDINGS.toLocaleString('en')} results`, format: 'sarif', text: () => sarifReport(FINDINGS) },
];
console.log(`Lantern ingest benchmark: SQLite, median of ${RUNS} runs, Node ${process.version}\n`);
const rows: string[][] = [];
try {
  for (const r of reports) {
    const file = join(dir, `${r.format}.json`);
    writeFileSync(file, r.text());
    const size = statSync(file).size;
    const measure = (mode: string) => Array.from({ length: RUNS }, () => runNodeWorker(worker, [mode, file, r.format]));
    const floors = measure('floor');
    const tiny = measure('floor-tiny');
    const ingests = measure('ingest');
    const floor = median(floors.map((m) => m.ms));
    const ingest = median(ingests.map((m) => m.ms));
    const rss = Math.max(...ingests.map((m) => m.peakRssBytes));
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    rows.push([
      r.name,
      mb(size),
      s(ingest),
      s(floor),
      `${(ingest / floor).toFixed(2)}× (goal ≤ 2.5×)`,
      `${s(median(tiny.map((m) => m.ms)))} (${(ingest / median(tiny.map((m) => m.ms))).toFixed(1)}×)`,
      Math.round(FINDINGS / (ingest / 1000)).toLocaleString('en'),
      (size / 1024 / 1024 / (ingest / 1000)).toFixed(1),
      mb(rss),
      `${(rss / size).toFixed(2)}× (goal < 4×)`,
      mb(Math.max(...floors.map((m) => m.peakRssBytes))),
    ]);
    if (r.format !== 'trivy') continue;
    const uploads = measure('upload');
    const upload = median(uploads.map((m) => m.ms));
    const uploadRss = Math.max(...uploads.map((m) => m.peakRssBytes));
    rows.push([
      `  the same, POST /api/scans`,
      mb(size),
      `${s(upload)} (${(upload / ingest).toFixed(2)}× CLI, goal ≤ 1.2×)`,
      s(floor),
      `${(upload / floor).toFixed(2)}×`,
      '',
      Math.round(FINDINGS / (upload / 1000)).toLocaleString('en'),
      (size / 1024 / 1024 / (upload / 1000)).toFixed(1),
      `${mb(uploadRss)} (${(uploadRss / rss).toFixed(2)}× CLI, goal < 1.5×)`,
      `${(uploadRss / size).toFixed(2)}×`,
      '',
    ]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable(['report', 'size', 'ingest', 'floor', 'ingest / floor', 'tiny floor', 'findings/s', 'MB/s', 'peak RSS', 'RSS / size', 'floor RSS'], rows);
