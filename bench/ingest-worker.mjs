// One measurement of `npm run bench:ingest`, in a fresh plain-Node process so that its time and peak
// RSS are its own. Runs the compiled product (dist/), not the TypeScript sources.
// Usage: node bench/ingest-worker.mjs floor|floor-tiny|ingest|upload REPORT FORMAT
// `upload` serves the API on a listening socket and POSTs the report to it, streamed from disk
// (64 KiB at a time: the client's share of the peak RSS is negligible), as a CI job would.
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

const [mode, file, format] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-'));

/** The finding elements of the two benchmark formats, straight from the parsed document. */
function findingsOf(doc) {
  if (format === 'trivy') return doc.Results.flatMap((r) => r.Vulnerabilities ?? []);
  return doc.runs.flatMap((run) => run.results ?? []);
}

function sqlite(name) {
  const db = new BetterSqlite3(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

const out = {};
try {
  if (mode === 'floor' || mode === 'floor-tiny') {
    const db = sqlite('floor.db');
    db.exec('create table findings (id integer primary key, content text)');
    db.exec('create table tiny (id integer primary key, a text, b text, c text, d text)');
    const content = db.prepare('insert into findings (content) values (?)');
    const tiny = db.prepare('insert into tiny (a, b, c, d) values (?, ?, ?, ?)');
    const start = performance.now();
    const findings = findingsOf(JSON.parse(readFileSync(file, 'utf8')));
    db.transaction(() => {
      if (mode === 'floor') for (const f of findings) content.run(JSON.stringify(f));
      else for (let i = 0; i < findings.length; i++) tiny.run(`fingerprint-${i}`, `title ${i}`, 'package', '1.0.0');
    })();
    out.ms = performance.now() - start;
    out.findings = findings.length;
    db.close();
  } else if (mode === 'upload') {
    const { openStore } = await import('../dist/store/database.js');
    const { Lantern } = await import('../dist/lantern.js');
    const { buildServer } = await import('../dist/api/server.js');
    const lantern = new Lantern(await openStore(join(dir, 'ingest.db')));
    const app = await buildServer(lantern, { webRoot: false, limits: { uploadDirectory: dir }, auth: { anonymous: { role: 'ingester', scope: 'account' } } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const start = performance.now();
    const answer = await new Promise((resolve, reject) => {
      const post = request(`http://127.0.0.1:${app.server.address().port}/api/scans?target=bench%2Fapp&type=repository&variant=main`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => (response.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(`POST /api/scans answered ${response.statusCode}: ${body}`))));
      });
      post.on('error', reject);
      createReadStream(file).pipe(post);
    });
    out.ms = performance.now() - start;
    out.issues = answer.counts.total;
    await app.close();
    await lantern.close();
  } else {
    const { openStore } = await import('../dist/store/database.js');
    const { ingestReport } = await import('../dist/ingest/ingest.js');
    const { readReportFile } = await import('../dist/ingest/report-file.js');
    const store = await openStore(join(dir, 'ingest.db'));
    const start = performance.now();
    const result = await ingestReport(store, {
      report: await readReportFile(file, Number.POSITIVE_INFINITY),
      source: file,
      target: 'bench/app',
      targetType: 'repository',
      variant: 'main',
      scope: { level: 'project', org: 'default', project: 'default' },
    });
    out.ms = performance.now() - start;
    out.issues = result.counts.total;
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
out.peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(`${JSON.stringify(out)}\n`);
