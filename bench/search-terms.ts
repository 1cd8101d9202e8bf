/**
 * npx tsx bench/search-terms.ts [findings] — what writing search terms costs an ingest (issue 17):
 * ingests three Trivy reports of `findings` vulnerabilities (default 20 000), each the first scan
 * of a new target, into a fresh SQLite file and, when LANTERN_BENCH_DATABASE_URL or
 * LANTERN_TEST_DATABASE_URL names a server, a fresh PostgreSQL schema; after each, writes the same
 * scan's issue terms (store/search-terms.ts, migration 0020) and scan terms
 * (store/scan-search-terms.ts, migration 0026) again in a transaction that is rolled back, timed
 * alone, and prints their medians beside the ingest's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { POSTGRES } from './estate.js';
import { trivyReport } from './synthetic-reports.js';
import { parseScope } from '../src/domain/scope.js';
import { ingestReport } from '../src/ingest/ingest.js';
import { openStore, type Store, withDefaultUser } from '../src/store/database.js';
import { ScanTermCounts, writeScanTerms } from '../src/store/scan-search-terms.js';
import { recordSearchTerms } from '../src/store/search-terms.js';

const FINDINGS = Number(process.argv[2] ?? 20000);
const SCHEMA = 'lantern_bench_search_terms';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const load = () => loadavg()[0]?.toFixed(2);

async function run(kind: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'sb-ingest-'));
  const store: Store = kind === 'sqlite' ? await openStore(join(dir, 'l.db')) : await openStore(POSTGRES as string, { schema: SCHEMA });
  const ingests: number[] = [];
  const issueTerms: number[] = [];
  const scanTerms: number[] = [];
  try {
    for (let round = 0; round < 3; round++) {
      const report = new TextEncoder().encode(trivyReport(FINDINGS, FINDINGS / 50, round + 1));
      const start = performance.now();
      const result = await ingestReport(store, { report, source: 'bench', target: `acme/t-${round}`, targetType: 'container', variant: 'main', scope: parseScope('acme.p'), baseline: true });
      ingests.push(performance.now() - start);
      // The same term writes again, as this first scan of a new target made them, timed alone and rolled back.
      const sentinel = new Error('roll back');
      await store
        .transaction(async (trx) => {
          const issues = await trx.selectFrom('scan_issues as si').innerJoin('issues as i', 'i.id', 'si.issue_id').select(['i.id', 'i.vulnerability_id', 'i.package', 'i.rule_id', 'i.details']).where('si.scan_id', '=', result.scanId).execute();
          const ids = issues.map((i) => i.id);
          await trx.deleteFrom('scan_search_terms').where('scan_id', '=', result.scanId).execute();
          for (let i = 0; i < ids.length; i += 5000) await trx.deleteFrom('issue_search_terms').where('issue_id', 'in', ids.slice(i, i + 5000)).execute();
          const terms = await trx.selectFrom('issue_search_terms').select('term').distinct().execute();
          const kept = new Set(terms.map((t) => t.term));
          const own = await trx.selectFrom('search_terms').select('term').execute();
          const drop = own.map((t) => t.term).filter((t) => !kept.has(t));
          for (let i = 0; i < drop.length; i += 5000) await trx.deleteFrom('search_terms').where('term', 'in', drop.slice(i, i + 5000)).execute();
          let s = performance.now();
          await recordSearchTerms(store, trx, issues);
          issueTerms.push(performance.now() - s);
          s = performance.now();
          const counts = new ScanTermCounts();
          for (const issue of issues) counts.add(issue);
          await writeScanTerms(store, trx, { id: result.scanId, variantId: 0 }, counts);
          scanTerms.push(performance.now() - s);
          throw sentinel;
        })
        .catch((e) => {
          if (e !== sentinel) throw e;
        });
    }
    const [i, a, b] = [median(ingests), median(issueTerms), median(scanTerms)];
    console.log(`${kind}, first scan of ${FINDINGS.toLocaleString('en')} Trivy vulnerabilities (median of 3): ingest ${i.toFixed(0)} ms; of it issue search terms (0020) ${a.toFixed(0)} ms (${((100 * a) / i).toFixed(1)}%), scan search terms (0026) ${b.toFixed(0)} ms (${((100 * b) / i).toFixed(1)}%); load ${load()}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: withDefaultUser(POSTGRES as string) });
      await client.connect();
      await client.query(`drop schema if exists ${SCHEMA} cascade`);
      await client.end();
    }
  }
}
for (const kind of POSTGRES ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) await run(kind);
