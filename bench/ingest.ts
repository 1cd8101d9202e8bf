/**
 * npm run bench:ingest — ingest time, findings/s, MB/s and peak RSS for synthetic Trivy and SARIF
 * reports of 100 000 findings, beside the floor measured in the same run: JSON.parse of the same
 * file plus a bare prepared insert of as many rows in one transaction. Goals (issue #2): ingest
 * within 2.5× the floor on SQLite; peak RSS under 4× the report size.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { mb, median, printTable, report, runWorker } from './measure.js';
import { sarifReport, trivyReport } from './synthetic-reports.js';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const script = fileURLToPath(import.meta.url);

async function worker(mode: string, file: string, findings: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-'));
  try {
    if (mode === 'floor') {
      const db = new BetterSqlite3(join(dir, 'floor.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('create table rows (id integer primary key, fingerprint text, title text, package text, version text)');
      const insert = db.prepare('insert into rows (fingerprint, title, package, version) values (?, ?, ?, ?)');
      const start = performance.now();
      const doc = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      db.transaction(() => {
        for (let i = 0; i < findings; i++) insert.run(`fingerprint-${i}`, `title ${i}`, 'package', '1.0.0');
      })();
      const ms = performance.now() - start;
      db.close();
      report({ ms, parsed: doc ? 1 : 0 });
    } else {
      // The product as shipped: the compiled code in dist/ (npm run build), not the TypeScript sources.
      const { openStore } = (await import('../dist/store/database.js' as string)) as typeof import('../src/store/database.js');
      const { ingestReport } = (await import('../dist/ingest/ingest.js' as string)) as typeof import('../src/ingest/ingest.js');
      const { readReportFile } = (await import('../dist/ingest/report-file.js' as string)) as typeof import('../src/ingest/report-file.js');
      const store = await openStore(join(dir, 'ingest.db'));
      const start = performance.now();
      const result = await ingestReport(store, {
        report: readReportFile(file, Number.POSITIVE_INFINITY),
        source: file,
        target: 'bench/app',
        targetType: 'repository',
        variant: 'main',
        scope: { level: 'project', org: 'default', project: 'default' },
      });
      const ms = performance.now() - start;
      const occurrences = (await store.db.selectFrom('scans').select('occurrences').executeTakeFirstOrThrow()).occurrences;
      await store.close();
      report({ ms, issues: result.counts.total, occurrences });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-reports-'));
  const reports = [
    { name: `Trivy, ${FINDINGS.toLocaleString('en')} vulnerabilities / ${(FINDINGS / 50).toLocaleString('en')} packages`, file: join(dir, 'trivy.json'), text: () => trivyReport(FINDINGS, FINDINGS / 50) },
    { name: `SARIF, ${FINDINGS.toLocaleString('en')} results`, file: join(dir, 'sarif.json'), text: () => sarifReport(FINDINGS) },
  ];
  console.log(`Lantern ingest benchmark: SQLite, ${RUNS} runs each (median), Node ${process.version}\n`);
  const rows: string[][] = [];
  try {
    for (const r of reports) {
      writeFileSync(r.file, r.text());
      const size = statSync(r.file).size;
      const floors = Array.from({ length: RUNS }, () => runWorker(script, ['floor', r.file, String(FINDINGS)]));
      const ingests = Array.from({ length: RUNS }, () => runWorker(script, ['ingest', r.file, String(FINDINGS)]));
      const floor = median(floors.map((m) => m.ms));
      const ingest = median(ingests.map((m) => m.ms));
      const rss = Math.max(...ingests.map((m) => m.peakRssBytes));
      const floorRss = Math.max(...floors.map((m) => m.peakRssBytes));
      rows.push([
        r.name,
        mb(size),
        `${(floor / 1000).toFixed(2)} s`,
        `${(ingest / 1000).toFixed(2)} s`,
        `${(ingest / floor).toFixed(2)}× (goal ≤ 2.5×)`,
        Math.round(FINDINGS / (ingest / 1000)).toLocaleString('en'),
        (size / 1024 / 1024 / (ingest / 1000)).toFixed(1),
        `${mb(rss)} (floor ${mb(floorRss)})`,
        `${(rss / size).toFixed(2)}× (goal < 4×)`,
      ]);
      console.error(`  ${r.name}: ${ingests[0]?.issues} issues, ${ingests[0]?.occurrences} occurrences`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('');
  printTable(['report', 'size', 'floor: parse + insert', 'ingest', 'ingest / floor', 'findings/s', 'MB/s', 'peak RSS', 'RSS / size'], rows);
}

const args = process.argv.slice(2);
if (args[0] === '--worker') await worker(args[1] as string, args[2] as string, Number(args[3]));
else await main();
