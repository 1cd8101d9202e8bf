/**
 * npm run bench:feeds -- --estate N — the feed imports on the synthetic estate itself (issue 14):
 * N entities (10 000 is the full estate, ~2M issues, half of them vulnerabilities with a CVE id;
 * bench/estate.ts), kept in bench/out/feeds-enrich-N.db and the schema
 * lantern_bench_feeds_enrich_N, and reused by later runs. Into it:
 *   - a first EPSS import (300 000 rows) into an estate whose stored priority keys are not
 *     computed yet, as built (or after the upgrade that added them): every key is written;
 *   - a re-import of the same file: no key changes;
 *   - a re-import with 1 % of the scores changed (across band edges);
 *   - a KEV import of 1 500 entries, then the same again.
 * Each prints the whole import's time and its re-enrichment (the refresh of the stored keys in the
 * import's transaction), with the keys it wrote, beside the goal "2M issues < 30 s (SQLite)".
 *
 *   --estate N     entities (default 10000)
 *   --store S      sqlite, postgres or both (default: sqlite, and postgres when
 *                  LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL names a server)
 *   --compare      then the refresh alone, this one and the one before it (each issue matched and
 *                  written one by one, 5 000 at a time), alternately, in transactions rolled back:
 *                  every key written (all cleared first), and none changed
 *   --build-only   build (or reuse) the estate and stop
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { gzipSync } from 'node:zlib';
import { importFeed } from '../src/feeds/import.js';
import { refreshAllPriorityKeys } from '../src/insights/priority-order.js';
import { cveAfter } from '../src/store/feeds.js';
import { type KeyedRow, lastPriorityRefresh, writePriorityParts } from '../src/insights/priority-refresh.js';
import type { Store } from '../src/store/database.js';
import type { Database } from '../src/store/schema.js';
import type { Kysely } from 'kysely';
import { FULL_ESTATE, openKeptEstate, storeKinds } from './estate.js';
import { printTable } from './measure.js';

const EPSS_ROWS = 300_000;
const KEV_ROWS = 1_500;
/** The estate's vulnerabilities are CVE-2024-10000 to CVE-2024-10200 (bench/estate.ts). */
const ESTATE_CVES = 1_000;

/**
 * The EPSS file's CVEs: first CVE-2024-10000 to -10999, which cover every CVE of the estate (EPSS
 * scores nearly every published CVE), then the feeds benchmark's others.
 */
const cve = (n: number) => (n < ESTATE_CVES ? `CVE-2024-${10000 + n}` : `CVE-${2015 + (n % 10)}-${String(10000 + n).padStart(5, '0')}`);

/** The rows in the order FIRST's file lists CVEs: by year, then by number. */
const IN_FIRST_ORDER = Array.from({ length: EPSS_ROWS }, (_, n) => n).sort((a, b) => (cveAfter(cve(a), cve(b)) ? 1 : -1));

function epssText(changed: (n: number) => boolean, date: string): string {
  const lines = [`#model_version:v2023.03.01,score_date:${date}T00:00:00+0000`, 'cve,epss,percentile'];
  for (const n of IN_FIRST_ORDER) {
    let score = ((n * 7919) % 100000) / 100000;
    let percentile = ((n * 104729) % 100000) / 100000;
    // A changed row moves by a third of the range: most cross an EPSS band edge.
    if (changed(n)) {
      score = (score + 0.33) % 1;
      percentile = (percentile + 0.33) % 1;
    }
    lines.push(`${cve(n)},${score},${percentile}`);
  }
  return `${lines.join('\n')}\n`;
}

function kevText(version: string): string {
  // One entry in 37 of the estate's range is known-exploited (a few % of its CVEs), the rest elsewhere.
  return JSON.stringify({
    catalogVersion: version,
    dateReleased: '2024-04-01T00:00:00Z',
    vulnerabilities: Array.from({ length: KEV_ROWS }, (_, i) => ({ cveID: cve(i * 37), vendorProject: 'Acme', product: 'Widget', vulnerabilityName: 'x', dateAdded: '2024-03-05', dueDate: `2024-03-${String(10 + (i % 19)).padStart(2, '0')}`, knownRansomwareCampaignUse: 'Unknown' })),
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The refresh as it was before (issue 14): every issue read 5 000 at a time in id order, matched and written one by one. */
async function refreshBefore(db: Kysely<Database>): Promise<number> {
  let changed = 0;
  let after = 0;
  for (;;) {
    const rows: KeyedRow[] = await db
      .selectFrom('issues')
      .select(['id', 'vulnerability_id', 'rule_id', 'fixed_version', 'priority_head', 'priority_tail'])
      .where('id', '>', after)
      .where((eb) => eb.or([eb('vulnerability_id', 'is not', null), eb('priority_head', 'is', null), eb('priority_tail', 'is', null)]))
      .orderBy('id')
      .limit(5000)
      .execute();
    if (rows.length === 0) return changed;
    changed += await writePriorityParts(db, rows);
    after = (rows[rows.length - 1] as KeyedRow).id;
  }
}

const ROLLBACK = new Error('rolled back');

/** The time of `refresh` in a transaction that `prepare` set up first and that is then rolled back. */
async function refreshTime(store: Store, prepare: (trx: Kysely<Database>) => Promise<unknown>, refresh: (trx: Kysely<Database>) => Promise<number>): Promise<{ ms: number; written: number }> {
  let out = { ms: 0, written: 0 };
  try {
    await store.transaction(async (trx) => {
      await prepare(trx);
      const started = performance.now();
      const written = await refresh(trx);
      out = { ms: performance.now() - started, written };
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
  return out;
}

export async function runFeedsEstate(argv: string[]): Promise<void> {
  const { values: flags } = parseArgs({ args: argv, options: { estate: { type: 'string', default: String(FULL_ESTATE.entities) }, store: { type: 'string' }, compare: { type: 'boolean', default: false }, 'build-only': { type: 'boolean', default: false } } });
  const entities = Number(flags.estate);
  if (!Number.isSafeInteger(entities) || entities < 1) throw new Error(`--estate ${JSON.stringify(flags.estate)}: expected a positive whole number.`);
  const kinds = storeKinds(flags.store);

  const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-feeds-estate-'));
  const rows: string[][] = [];
  const loads: number[] = [loadavg()[0] as number];
  try {
    const epss = join(dir, 'epss.csv.gz');
    const epssMoved = join(dir, 'epss-moved.csv.gz');
    const kev = join(dir, 'kev.json');
    writeFileSync(epss, gzipSync(epssText(() => false, '2024-04-01')));
    // 1 % of the scores changed: every 100th row, 10 of the estate's CVEs among them.
    writeFileSync(epssMoved, gzipSync(epssText((n) => n % 100 === 0, '2024-04-02')));
    writeFileSync(kev, kevText('2024.04.01'));

    for (const kind of kinds) {
      const { lantern, estate } = await openKeptEstate(kind, { ...FULL_ESTATE, entities }, {}, `feeds-enrich-${entities}`);
      try {
        if (flags['build-only']) continue;
        const db = lantern.store.db;
        const count = async (where: 'vulnerability' | 'all') => Number((await (where === 'all' ? db.selectFrom('issues') : db.selectFrom('issues').where('vulnerability_id', 'is not', null)).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
        const [issues, vulnerable] = [await count('all'), await count('vulnerability')];
        // As built, or after the upgrade: no feed loaded, no stored key computed yet.
        await lantern.store.transaction(async (trx) => {
          await trx.deleteFrom('feeds').execute();
          await trx.deleteFrom('epss_scores').execute();
          await trx.deleteFrom('kev_entries').execute();
          await trx.updateTable('issues').set({ priority_head: null, priority_tail: null }).execute();
        });
        if (kind === 'postgres') await sql`vacuum analyze issues`.execute(db);
        console.log(`${kind}: ${estate.entities.toLocaleString('en')} entities, ${issues.toLocaleString('en')} issues (${vulnerable.toLocaleString('en')} with a vulnerability id); importing …`);

        const scenario = async (label: string, name: 'epss' | 'kev', path: string) => {
          loads.push(loadavg()[0] as number);
          const started = performance.now();
          await importFeed(lantern.store, name, path);
          const whole = performance.now() - started;
          const refresh = lastPriorityRefresh();
          if (!refresh) throw new Error('the import refreshed no priority keys');
          const perIssue = refresh.ms / refresh.read;
          // The goal is for the 2M-issue estate, of which the refresh reads those with a vulnerability id.
          const projected = (refresh.ms * 2_000_000) / issues / 1000;
          console.log(`  ${label}: import ${seconds(whole)}, re-enrichment ${seconds(refresh.ms)} (${refresh.read.toLocaleString('en')} read, ${refresh.written.toLocaleString('en')} written)`);
          rows.push([
            kind,
            label,
            seconds(whole),
            `${seconds(refresh.ms)}: ${refresh.written.toLocaleString('en')} of ${refresh.read.toLocaleString('en')} keys written (${(perIssue * 1000).toFixed(2)} µs/issue read)`,
            kind === 'sqlite' ? `2M issues < 30 s${issues >= 2_000_000 ? (refresh.ms < 30_000 ? ', met' : ', missed') : `: ${projected.toFixed(1)} s per 2M issues`}` : '',
          ]);
        };
        await scenario('EPSS first import: every key written', 'epss', epss);
        await scenario('EPSS re-import of the same file', 'epss', epss);
        await scenario('EPSS re-import, 1 % of scores changed', 'epss', epssMoved);
        await scenario('KEV import (1 500 entries)', 'kev', kev);
        await scenario('KEV re-import of the same catalog', 'kev', kev);

        if (flags.compare) {
          const clear = (trx: Kysely<Database>) => trx.updateTable('issues').set({ priority_head: null, priority_tail: null }).execute();
          const nothing = async () => undefined;
          for (const [label, prepare] of [['every key written', clear], ['no key changed', nothing]] as const) {
            loads.push(loadavg()[0] as number);
            // On PostgreSQL each rolled-back run leaves its rows' dead versions: vacuumed before the next.
            const vacuum = async () => (kind === 'postgres' ? void (await sql`vacuum issues`.execute(db)) : undefined);
            await vacuum();
            const before = await refreshTime(lantern.store, prepare, refreshBefore);
            await vacuum();
            const after = await refreshTime(lantern.store, prepare, refreshAllPriorityKeys);
            if (before.written !== after.written) throw new Error(`${label}: the refresh before wrote ${before.written} keys, this one ${after.written}`);
            console.log(`  refresh alone, ${label}: before ${seconds(before.ms)}, now ${seconds(after.ms)}`);
            rows.push([kind, `refresh alone, ${label} (${after.written.toLocaleString('en')} keys): before → now`, '', `${seconds(before.ms)} → ${seconds(after.ms)} (${(before.ms / after.ms).toFixed(1)}× faster)`, '']);
          }
          if (kind === 'postgres') await sql`vacuum analyze issues`.execute(db);
        }
      } finally {
        await lantern.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (flags['build-only']) return;
  console.log(`\nLantern feeds on the estate (${entities.toLocaleString('en')} entities), Node ${process.version}; 1-minute load average ${loads.map((l) => l.toFixed(1)).join(' → ')} on ${cpus().length} cores\n`);
  printTable(['store', 'import', 'whole import', 're-enrichment', 'goal'], rows);
}
