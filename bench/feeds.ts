/**
 * npm run bench:feeds — the exploitation feeds (issue 14) on SQLite:
 *   import of a synthetic 300 000-CVE EPSS file (gzipped) and a 1 500-entry KEV catalog, beside
 *   parsing the same files alone; goal: import within 2× of parsing.
 *   KEV/EPSS enrichment and priority sort of one variant's 2 000 issues (median of 20 runs);
 *   goal: within the issue-page goal, p95 ≤ 30 ms.
 * The 2M-issue estate enrichment of the issue is not measured here: enrichment is a join made
 * when issues are read, so there is no estate-wide enrichment pass to time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { epssScores } from '../src/feeds/epss.js';
import { importFeed } from '../src/feeds/import.js';
import { parseKev } from '../src/feeds/kev.js';
import { feedBytes, feedLines, feedText } from '../src/feeds/source.js';
import { prioritise } from '../src/insights/priority.js';
import { parseScope } from '../src/domain/scope.js';
import { Lantern } from '../src/lantern.js';
import { openStore } from '../src/store/database.js';
import { issuesOfScans } from '../src/store/issues.js';
import { median, printTable } from './measure.js';
import { trivyReport } from './synthetic-reports.js';

const EPSS_ROWS = 300_000;
const KEV_ROWS = 1_500;
const ISSUES = 2_000;
const RUNS = 20;
const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-feeds-'));
const maxBytes = 256 * 1024 * 1024;

/** The CVE ids the synthetic Trivy reports use (bench/synthetic-reports.ts), then others. */
const cve = (n: number) => `CVE-${2015 + (n % 10)}-${String(10000 + n).padStart(5, '0')}`;

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

try {
  const lines = ['#model_version:v2023.03.01,score_date:2024-04-01T00:00:00+0000', 'cve,epss,percentile'];
  for (let n = 0; n < EPSS_ROWS; n++) lines.push(`${cve(n)},${((n * 7919) % 100000) / 100000},${((n * 104729) % 100000) / 100000}`);
  const epssPath = join(dir, 'epss.csv.gz');
  writeFileSync(epssPath, gzipSync(`${lines.join('\n')}\n`));
  const kevPath = join(dir, 'kev.json');
  writeFileSync(kevPath, JSON.stringify({ catalogVersion: '2024.04.01', dateReleased: '2024-04-01T00:00:00Z', vulnerabilities: Array.from({ length: KEV_ROWS }, (_, i) => ({ cveID: cve(i * 7), vendorProject: 'Acme', product: 'Widget', vulnerabilityName: 'x', dateAdded: '2024-03-05', dueDate: '2024-03-26', knownRansomwareCampaignUse: 'Unknown' })) }));

  const parseEpss = await timed(async () => {
    let n = 0;
    for await (const _ of epssScores(feedLines(feedBytes(epssPath, { maxBytes }), epssPath), epssPath, () => undefined)) n++;
    if (n !== EPSS_ROWS) throw new Error(`parsed ${n} rows`);
  });
  const parseKevMs = await timed(async () => parseKev(await feedText(kevPath, { maxBytes }), kevPath));

  const store = await openStore(join(dir, 'bench.db'));
  const lantern = new Lantern(store);
  const importEpss = await timed(() => importFeed(store, 'epss', epssPath));
  const reimportEpss = await timed(() => importFeed(store, 'epss', epssPath));
  const importKev = await timed(() => importFeed(store, 'kev', kevPath));

  const { scanId } = await lantern.ingest({ report: Buffer.from(trivyReport(ISSUES, 200)), source: 'trivy.json', target: 'acme/bench', targetType: 'repository', variant: 'main', scope: parseScope('default.default'), baseline: true });
  const issues = await issuesOfScans(store.db, [scanId]);
  const times: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    const ms = await timed(() => prioritise(store.db, issues, 'priority'));
    if (run >= 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const p95 = times[Math.ceil(times.length * 0.95) - 1] as number;
  await lantern.close();

  const ms = (n: number) => `${Math.round(n)} ms`;
  console.log(`Lantern feeds benchmark (SQLite), Node ${process.version}\n`);
  printTable(
    ['measure', 'figure', 'goal'],
    [
      [`EPSS ${EPSS_ROWS.toLocaleString('en')} rows: parse only`, ms(parseEpss), ''],
      [`EPSS ${EPSS_ROWS.toLocaleString('en')} rows: import`, `${ms(importEpss)} (${(importEpss / parseEpss).toFixed(2)}× parse)`, '≤ 2× parse'],
      [`EPSS re-import (replaces the rows)`, `${ms(reimportEpss)} (${(reimportEpss / parseEpss).toFixed(2)}× parse)`, '≤ 2× parse'],
      [`KEV ${KEV_ROWS.toLocaleString('en')} entries: parse only / import`, `${ms(parseKevMs)} / ${ms(importKev)}`, '≤ 2× parse'],
      [`enrich + priority sort, ${issues.length} issues: median / p95`, `${ms(median(times))} / ${ms(p95)}`, 'p95 ≤ 30 ms'],
    ],
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
