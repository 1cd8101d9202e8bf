/**
 * npm run bench:feeds — the exploitation feeds (issue 14), on SQLite and, when
 * LANTERN_BENCH_DATABASE_URL (or LANTERN_TEST_DATABASE_URL) names a PostgreSQL server, on PostgreSQL:
 *   - import of a synthetic 300 000-CVE EPSS file (gzipped) and a 1 500-entry KEV catalog, beside
 *     parsing the same files alone; goal: import within 2× of parsing. Parse and import alternate
 *     (BENCH_ROUNDS rounds, 3 by default) and each import is set against the parse just before it,
 *     so that a machine loaded by others weighs on both alike; the median ratio is shown. One
 *     import runs untimed before them, as a server's first import starts the parsing thread.
 *     The synthetic file lists its CVEs as FIRST's does, by year and then by number.
 *   - a re-import in which every score differs from the stored one, alternating two files (as
 *     FIRST's daily re-scoring does to most rows), with the event loop's longest wait during it
 *     (the import parses in a thread of its own; the parse alone runs in this one); a re-import of the first file with its lines
 *     out of CVE order (SQLite sorts and writes it 65 536 rows at a time as they come; PostgreSQL
 *     fills one part with it, keyed once the file is read, where a file in FIRST's order makes
 *     parts of whole years keyed while the next is parsed).
 *   - the same imports once an entity shows 2 000 issues: the import then also writes each
 *     vulnerability issue's stored place in the priority order (re-enrichment).
 *   - re-enrichment, worst case: every stored priority key of a 20 000-issue target
 *     (BENCH_BULK_ISSUES) written anew, each issue a vulnerability of its own, per issue. The goal
 *     (the 2M-issue estate under 30 s on SQLite) is measured on the estate itself: --estate 10000.
 *   - the first page (50) of that entity's issues by `sort=priority` over HTTP on loopback, p50 and
 *     p95 of BENCH_SAMPLES (200) sequential requests; goal: the issue-page goal, p95 ≤ 30 ms. Beside
 *     it, a page 1 000 deep, a filtered (status, severity) and a descending first page, also
 *     ordered by the database; the default severity order; and the same first page through the path
 *     that matches every issue and sorts in JavaScript (a text search that keeps every issue).
 *   - the `kev=listed`, `epssMin=0.5` and `sla=breached` priority pages (every issue first seen 100
 *     days ago, so that most are breached), ordered and filtered by the database: over HTTP, and in
 *     process beside the same page through the JavaScript fallback (the entity's state read
 *     without tallies), alternating request by request.
 * `--store sqlite|postgres` measures one store only.
 * Enrichment itself is a join made when issues are read; what an import rewrites per issue is the
 * stored priority order, which grows linearly with the issues that have a vulnerability id.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { buildServer } from '../src/api/server.js';
import { parseScope } from '../src/domain/scope.js';
import { epssScores } from '../src/feeds/epss.js';
import { importFeed, MAX_FEED_ROWS } from '../src/feeds/import.js';
import { entityIssues, type IssueQuery } from '../src/insights/entity-issues.js';
import { entityState } from '../src/insights/entity-state.js';
import { refreshAllPriorityKeys } from '../src/insights/priority-order.js';
import { parseKev } from '../src/feeds/kev.js';
import { feedBytes, feedLines, feedText } from '../src/feeds/source.js';
import { Lantern } from '../src/lantern.js';
import { openStore, type Store } from '../src/store/database.js';
import { POSTGRES } from './estate.js';
import { dropSchema, httpGet, latencies, median, percentile, printTable } from './measure.js';
import { trivyReport } from './synthetic-reports.js';
import { runFeedsEstate } from './feeds-estate.js';

// npm run bench:feeds -- --estate N: the imports on the synthetic estate itself (bench/feeds-estate.ts).
if (process.argv.includes('--estate')) {
  await runFeedsEstate(process.argv.slice(2));
  process.exit(0);
}

const EPSS_ROWS = 300_000;
const KEV_ROWS = 1_500;
const ISSUES = 2_000;
const BULK_ISSUES = Number(process.env.BENCH_BULK_ISSUES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const SCHEMA = 'lantern_bench_feeds';
const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-feeds-'));
const maxBytes = 256 * 1024 * 1024;

/** The CVE ids the synthetic Trivy reports use (bench/synthetic-reports.ts), then others. */
const cve = (n: number) => `CVE-${2015 + (n % 10)}-${String(10000 + n).padStart(5, '0')}`;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const ms = (n: number) => `${Math.round(n)} ms`;
const ratio = (pairs: Array<[number, number]>) => {
  const ratios = pairs.map(([work, parse]) => work / parse).sort((a, b) => a - b);
  const at = median(ratios);
  return `${ms(median(pairs.map(([work]) => work)))} (${at.toFixed(2)}× parse${at <= 2 ? ', met' : ', missed'})`;
};

const rows: string[][] = [];
const loads: number[] = [];
try {
  // FIRST's file lists CVEs by year, then by number; `shuffled` lists them out of that order.
  const inFirstOrder = Array.from({ length: EPSS_ROWS }, (_, n) => n).sort((a, b) => (a % 10) - (b % 10) || a - b);
  const epssFile = (name: string, shift: number, shuffled = false) => {
    const lines = ['#model_version:v2023.03.01,score_date:2024-04-01T00:00:00+0000', 'cve,epss,percentile'];
    for (const n of shuffled ? Array.from({ length: EPSS_ROWS }, (_, i) => (i * 7919) % EPSS_ROWS) : inFirstOrder) lines.push(`${cve(n)},${((n * 7919 + shift) % 100000) / 100000},${((n * 104729 + shift) % 100000) / 100000}`);
    const path = join(dir, name);
    writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
    return path;
  };
  const epssPath = epssFile('epss.csv.gz', 0);
  // The same CVEs, every score and percentile another.
  const epssChangedPath = epssFile('epss-changed.csv.gz', 1);
  const epssShuffledPath = epssFile('epss-shuffled.csv.gz', 0, true);
  const kevPath = join(dir, 'kev.json');
  writeFileSync(
    kevPath,
    JSON.stringify({
      catalogVersion: '2024.04.01',
      dateReleased: '2024-04-01T00:00:00Z',
      vulnerabilities: Array.from({ length: KEV_ROWS }, (_, i) => ({ cveID: cve(i * 7), vendorProject: 'Acme', product: 'Widget', vulnerabilityName: 'x', dateAdded: '2024-03-05', dueDate: `2024-03-${String(10 + (i % 19)).padStart(2, '0')}`, knownRansomwareCampaignUse: 'Unknown' })),
    }),
  );
  const catalogPath = join(dir, 'catalog-info.yaml');
  writeFileSync(catalogPath, 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bench\n  annotations:\n    harness.io/sto-test-target:\n      - name: acme/bench\nspec:\n  type: service\n  lifecycle: production\n  owner: team-bench\n');

  const parseEpss = () =>
    timed(async () => {
      let n = 0;
      for await (const _ of epssScores(feedLines(feedBytes(epssPath, { maxBytes }), epssPath), epssPath, () => undefined, MAX_FEED_ROWS)) n++;
      if (n !== EPSS_ROWS) throw new Error(`parsed ${n} rows`);
    });
  const parseKevFile = () => timed(async () => parseKev(await feedText(kevPath, { maxBytes }), kevPath));

  const only = process.argv.includes('--store') ? process.argv[process.argv.indexOf('--store') + 1] : undefined;
  if (only !== undefined && only !== 'sqlite' && only !== 'postgres') throw new Error(`--store ${only}: expected sqlite or postgres`);
  if (only === 'postgres' && !POSTGRES) throw new Error('--store postgres needs LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL');
  const kinds: Array<'sqlite' | 'postgres'> = (POSTGRES ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)).filter((k) => only === undefined || k === only);
  if (!POSTGRES) console.log('PostgreSQL: skipped (set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL to measure it too)');
  for (const kind of kinds) {
    if (kind === 'postgres') await dropSchema(POSTGRES as string, SCHEMA);
    const store: Store = kind === 'sqlite' ? await openStore(join(dir, 'bench.db')) : await openStore(POSTGRES as string, { schema: SCHEMA });
    const lantern = new Lantern(store);
    const app = await buildServer(lantern, { auth: { anonymous: { role: 'viewer', scope: 'account' } } });
    try {
      loads.push(loadavg()[0] as number);
      // Parse, then import, alternately: into an empty table (emptied before each round, untimed),
      // then over the stored rows.
      // One import untimed first: a process's first import starts the parsing thread (about 80 ms
      // from dist/, 300 ms from the sources under tsx, as here), which the next ones reuse.
      await importFeed(store, 'epss', epssPath);
      const first: Array<[number, number]> = [];
      for (let round = 0; round < ROUNDS; round++) {
        await store.db.deleteFrom('epss_scores').execute();
        const parse = await parseEpss();
        first.push([await timed(() => importFeed(store, 'epss', epssPath)), parse]);
      }
      const again: Array<[number, number]> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const parse = await parseEpss();
        again.push([await timed(() => importFeed(store, 'epss', epssPath)), parse]);
      }
      const changed: Array<[number, number]> = [];
      // How long the event loop (the server's requests) waited at most during these imports.
      const stalls: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const parse = await parseEpss();
        const loop = monitorEventLoopDelay({ resolution: 5 });
        loop.enable();
        changed.push([await timed(() => importFeed(store, 'epss', round % 2 === 0 ? epssChangedPath : epssPath)), parse]);
        loop.disable();
        stalls.push(loop.max / 1e6);
      }
      // The first file's scores, its CVEs out of FIRST's order; the imports below start from these scores.
      const shuffled: Array<[number, number]> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const parse = await parseEpss();
        shuffled.push([await timed(() => importFeed(store, 'epss', epssShuffledPath)), parse]);
      }
      const kev: Array<[number, number]> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const parse = await parseKevFile();
        kev.push([await timed(() => importFeed(store, 'kev', kevPath)), parse]);
      }

      await lantern.ingest({ report: Buffer.from(trivyReport(ISSUES, 200)), source: 'trivy.json', target: 'acme/bench', targetType: 'repository', variant: 'main', scope: parseScope('default.default'), baseline: true });
      await lantern.registerLocation(catalogPath, parseScope('default.default'));
      const enriched: Array<[number, number]> = [];
      for (let round = 0; round < ROUNDS; round++) {
        const parse = await parseEpss();
        enriched.push([await timed(() => importFeed(store, 'epss', epssPath)), parse]);
      }

      // Planner statistics, as autovacuum keeps them in a live PostgreSQL database (the test server
      // runs without it): without them the 2 000 freshly written issues are planned as a handful,
      // joined by index probes row by row (bench/estate.ts does the same). SQLite plans the same
      // pages from its indexes alone.
      if (kind === 'postgres') await sql`analyze entities, entity_links, targets, scans, variant_tallies, exemptions, issues, scan_issues, occurrences, sla_clocks, sla_pauses, feeds, kev_entries, epss_scores`.execute(store.db);
      const base = await app.listen({ host: '127.0.0.1', port: 0 });
      const issues = '/api/insights/entities/component/default/bench/issues';
      const total = ((await (await fetch(`${base}${issues}?sort=priority&limit=1`)).json()) as { total: number }).total;
      if (total !== ISSUES) throw new Error(`the entity shows ${total} issues`);
      const deep = Buffer.from(JSON.stringify({ offset: 1000 })).toString('base64url');
      const [p50, p95] = await latencies(httpGet(base, () => `${issues}?sort=priority&limit=50`), SAMPLES);
      const [deep50, deep95] = await latencies(httpGet(base, () => `${issues}?sort=priority&limit=50&cursor=${deep}`), SAMPLES);
      const [sev50, sev95] = await latencies(httpGet(base, () => `${issues}?limit=50`), SAMPLES);
      // Filtered (status=new keeps every issue: all are new in the only scan) and descending lists
      // are ordered by the database from the stored keys too; a text search needs each issue's
      // first file, so it matches every issue with the feeds and sorts them in JavaScript (every
      // synthetic issue's id holds "cve").
      const [filtered50, filtered95] = await latencies(httpGet(base, () => `${issues}?sort=priority&status=new&severity=critical,high,medium,low&limit=50`), SAMPLES);
      const [desc50, desc95] = await latencies(httpGet(base, () => `${issues}?sort=-priority&limit=50`), SAMPLES);
      const [js50, js95] = await latencies(httpGet(base, () => `${issues}?sort=priority&q=cve&limit=50`), SAMPLES);
      loads.push(loadavg()[0] as number);

      // The kev, epssMin and sla filters, answered by the query of the stored order; every issue
      // first seen 100 days ago so that the SLA page is full.
      const earlier = new Date(Date.now() - 100 * 24 * 60 * 60 * 1000).toISOString();
      await store.db.updateTable('issues').set({ first_seen_at: earlier }).execute();
      await store.db.updateTable('sla_clocks').set({ clock_from: earlier }).execute();
      const filterPages: Array<{ url: string; query: IssueQuery }> = [
        { url: 'kev=listed', query: { kev: 'listed' } },
        { url: 'epssMin=0.5', query: { epssMin: 0.5 } },
        { url: 'sla=breached', query: { sla: 'breached' } },
      ];
      const bench = await store.db.selectFrom('entities').selectAll().where('name', '=', 'bench').executeTakeFirstOrThrow();
      const filterRows: string[][] = [];
      for (const { url, query } of filterPages) {
        const [http50, http95] = await latencies(httpGet(base, () => `${issues}?sort=priority&${url}&limit=50`), SAMPLES);
        // In process, alternating: the stored path (a state read with tallies, as the route reads it)
        // and the JavaScript fallback (a state without them), which must agree.
        const stored: number[] = [];
        const fallback: number[] = [];
        const page = { ...query, sort: 'priority', limit: 50 };
        for (let i = 0; i < SAMPLES + 10; i++) {
          const at = lantern.now();
          let started = performance.now();
          const fast = await entityIssues(store.db, await entityState(store.db, bench, { tallies: { mode: 'read', now: at } }), page, at, lantern.sla);
          const fastMs = performance.now() - started;
          started = performance.now();
          const slow = await entityIssues(store.db, await entityState(store.db, bench), page, at, lantern.sla);
          const slowMs = performance.now() - started;
          if (fast.total !== slow.total || fast.items.map((x) => x.id).join() !== slow.items.map((x) => x.id).join()) throw new Error(`${url}: the stored path and the fallback differ`);
          if (i >= 10) {
            stored.push(fastMs);
            fallback.push(slowMs);
          }
        }
        stored.sort((a, b) => a - b);
        fallback.sort((a, b) => a - b);
        const matching = ((await (await fetch(`${base}${issues}?sort=priority&${url}&limit=1`)).json()) as { total: number }).total;
        filterRows.push(
          [kind, `sort=priority&${url} (${matching.toLocaleString('en')} issues), first 50 over HTTP: p50 / p95`, `${http50.toFixed(1)} / ${http95.toFixed(1)} ms`, `p95 ≤ 30 ms${http95 <= 30 ? ', met' : ', missed'}`],
          [kind, `  in process: stored order / JavaScript fallback, p50 / p95`, `${percentile(stored, 50).toFixed(1)} / ${percentile(stored, 95).toFixed(1)} ms vs ${percentile(fallback, 50).toFixed(1)} / ${percentile(fallback, 95).toFixed(1)} ms`, ''],
        );
      }
      loads.push(loadavg()[0] as number);

      // Re-enrichment at scale: every stored priority key of a larger target written anew, as after
      // a first feed import (all of them change), per issue; the 2M-issue estate is extrapolated.
      await lantern.ingest({ report: Buffer.from(trivyReport(BULK_ISSUES, 2000, 7)), source: 'trivy.json', target: 'acme/bulk', targetType: 'repository', variant: 'main', scope: parseScope('default.default'), baseline: true });
      const vulnerable = Number((await store.db.selectFrom('issues').select((eb) => eb.fn.countAll<number>().as('n')).where('vulnerability_id', 'is not', null).executeTakeFirstOrThrow()).n);
      await store.db.updateTable('issues').set({ priority_head: null, priority_tail: null }).execute();
      const refresh = await timed(() => store.transaction((trx) => refreshAllPriorityKeys(trx)));
      const perIssue = refresh / vulnerable;

      const lat = (a: number, b: number) => `${a.toFixed(1)} / ${b.toFixed(1)} ms`;
      rows.push(
        [kind, 'EPSS 300,000 rows: parse only (median)', ms(median([...first, ...again].map(([, parse]) => parse))), ''],
        [kind, 'EPSS import into an empty table', ratio(first), '≤ 2× parse'],
        [kind, 'EPSS re-import (replaces the rows)', ratio(again), '≤ 2× parse'],
        [kind, 'EPSS re-import, every score changed', ratio(changed), '≤ 2× parse'],
        [kind, '  the event loop\'s longest wait during such an import (median of rounds)', ms(median(stalls)), ''],
        [kind, 'EPSS re-import, the file out of CVE order', ratio(shuffled), '≤ 2× parse'],
        [kind, `EPSS re-import, ${ISSUES.toLocaleString('en')} issues re-enriched`, ratio(enriched), '≤ 2× parse'],
        [kind, `re-enrichment: every stored priority key of ${vulnerable.toLocaleString('en')} issues rewritten`, `${ms(refresh)} (${(perIssue * 1000).toFixed(1)} µs/issue; 2M such issues ≈ ${Math.round((perIssue * 2_000_000) / 1000)} s)`, kind === 'sqlite' ? 'worst case; the estate: --estate 10000' : ''],
        [kind, `KEV ${KEV_ROWS.toLocaleString('en')} entries: parse / import`, `${ms(median(kev.map(([, p]) => p)))} / ${ms(median(kev.map(([w]) => w)))}`, ''],
        [kind, `sort=priority, first 50 of ${ISSUES.toLocaleString('en')} issues: p50 / p95`, lat(p50, p95), `p95 ≤ 30 ms${p95 <= 30 ? ', met' : ', missed'}`],
        [kind, 'sort=priority, 50 issues from offset 1 000: p50 / p95', lat(deep50, deep95), `p95 ≤ 30 ms${deep95 <= 30 ? ', met' : ', missed'}`],
        [kind, 'default (severity) order, first 50: p50 / p95', lat(sev50, sev95), ''],
        [kind, 'sort=priority filtered (status=new, severity), first 50: p50 / p95', lat(filtered50, filtered95), `p95 ≤ 30 ms${filtered95 <= 30 ? ', met' : ', missed'}`],
        [kind, 'sort=-priority, first 50: p50 / p95', lat(desc50, desc95), `p95 ≤ 30 ms${desc95 <= 30 ? ', met' : ', missed'}`],
        [kind, 'sort=priority sorted in JavaScript (q=cve), first 50: p50 / p95', lat(js50, js95), ''],
        ...filterRows,
      );
    } finally {
      await app.close();
      await lantern.close();
      if (kind === 'postgres') await dropSchema(POSTGRES as string, SCHEMA);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nLantern feeds benchmark, Node ${process.version}; ${ROUNDS} rounds of parse then import; ${SAMPLES} sequential requests per page over loopback; 1-minute load average ${loads.map((l) => l.toFixed(1)).join(' → ')} on ${(await import('node:os')).cpus().length} cores\n`);
printTable(['store', 'measure', 'figure', 'goal'], rows);
