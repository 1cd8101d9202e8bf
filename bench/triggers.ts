/**
 * npm run bench:triggers — what the overview's triggers cost an ingest (issue 17). The overview
 * reads rows that triggers keep exact on every write to entities, entity_summaries,
 * entity_sort_keys and entity_links (migrations 0007-scale-reads and 0010-overview-sort:
 * entity_rollups, entity_sort_keys, entity_facet_rollups, target_sharing). An ingest into a linked
 * target refreshes its entities' summaries, so it fires them.
 *
 * Builds the synthetic estate (bench/estate.ts) twice in scratch stores, drops every trigger on
 * those tables in one of them, then ingests the same Trivy reports into the estate's linked image
 * targets of both, in alternating rounds (so that a change in the machine's load falls on both),
 * and prints reports/s and ms per ingest with and without the triggers, and what they add.
 *
 *   --store S       sqlite, postgres or both (default both when a PostgreSQL URL is set)
 *   --entities N    estate size (default 1000; 20 issues a target)
 *   --reports N     ingests per round (default 60)
 *   --rounds N      rounds per store (default 3)
 *   --findings N    vulnerabilities per report (default 50)
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { parseScope } from '../src/domain/scope.js';
import type { Lantern } from '../src/lantern.js';
import type { Store } from '../src/store/database.js';
import { buildEstate, openScratch, storeKinds } from './estate.js';
import { median, printTable } from './measure.js';
import { trivyReport } from './synthetic-reports.js';

const { values: flags } = parseArgs({
  options: {
    store: { type: 'string' },
    entities: { type: 'string', default: '1000' },
    reports: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
    findings: { type: 'string', default: '50' },
  },
});
const positive = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} ${JSON.stringify(text)}: expected a positive whole number.`);
  return n;
};
const ENTITIES = positive('entities', flags.entities);
const REPORTS = positive('reports', flags.reports);
const ROUNDS = positive('rounds', flags.rounds);
const FINDINGS = positive('findings', flags.findings);
const kinds = storeKinds(flags.store);

/** The tables whose triggers keep the overview's rows. */
const OVERVIEW_TABLES = ['entities', 'entity_summaries', 'entity_sort_keys', 'entity_links'];

/** Drops every trigger on the overview's tables; returns their names. */
async function dropOverviewTriggers(scratch: Store): Promise<string[]> {
  const tables = sql.join(OVERVIEW_TABLES.map((t) => sql`${t}`));
  if (scratch.sqlite) {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and tbl_name in (${tables}) order by name`.execute(scratch.db);
    for (const { name } of rows) await sql`drop trigger ${sql.ref(name)}`.execute(scratch.db);
    return rows.map((r) => r.name);
  }
  const { rows } = await sql<{ name: string; table: string }>`select t.tgname as name, c.relname as table from pg_trigger t
      join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where not t.tgisinternal and n.nspname = current_schema() and c.relname in (${tables}) order by t.tgname`.execute(scratch.db);
  for (const { name, table } of rows) await sql`drop trigger ${sql.ref(name)} on ${sql.table(table)}`.execute(scratch.db);
  return rows.map((r) => r.name);
}

/** Ingests the reports into linked image targets, starting at entity `first`; returns each ingest's ms. */
async function ingestRound(lantern: Lantern, reports: readonly Uint8Array[], first: number): Promise<number[]> {
  const times: number[] = [];
  for (const [k, report] of reports.entries()) {
    const target = `registry.acme.io/svc-${String((first + k) % ENTITIES).padStart(5, '0')}`;
    const start = performance.now();
    await lantern.ingest({ report, source: 'bench', target, targetType: 'container', variant: 'main', scope: parseScope('account') });
    times.push(performance.now() - start);
  }
  return times;
}

/**
 * The triggers' own share, without the rest of an ingest around it: one summary row rewritten per
 * statement (as an ingest rewrites the summaries of its target's entities), `count` of them in one
 * transaction; returns µs per row.
 */
async function summaryWrites(lantern: Lantern, count: number): Promise<number> {
  const ids = (await lantern.store.db.selectFrom('entity_summaries').select('entity_id').orderBy('entity_id').limit(count).execute()).map((r) => r.entity_id);
  const start = performance.now();
  await lantern.store.transaction(async (trx) => {
    for (const id of ids) await sql`update entity_summaries set critical = critical where entity_id = ${id}`.execute(trx);
  });
  return ((performance.now() - start) * 1000) / ids.length;
}

const rows: string[][] = [];
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
for (const kind of kinds) {
  const withTriggers = await openScratch(kind, 'triggers', 'with');
  const without = await openScratch(kind, 'triggers', 'without');
  try {
    for (const scratch of [withTriggers, without]) {
      console.log(`${kind}: building a ${ENTITIES.toLocaleString('en')}-entity estate …`);
      await buildEstate(scratch.lantern, { entities: ENTITIES, issuesPerTarget: 20 });
    }
    const dropped = await dropOverviewTriggers(without.lantern.store);
    console.log(`${kind}: dropped ${dropped.length} triggers in the second store: ${dropped.join(', ')}`);
    // Every round ingests new reports (other vulnerabilities) into other targets, the same in both stores.
    const times = { with: [] as number[], without: [] as number[] };
    const writes = { with: [] as number[], without: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const reports = Array.from({ length: REPORTS }, (_, k) => new TextEncoder().encode(trivyReport(FINDINGS, 5, 1000 * round + k + 1)));
      const first = round * REPORTS;
      // Alternate which store goes first, so neither always follows the other's writes.
      const order = round % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const);
      for (const which of order) {
        const scratch = which === 'with' ? withTriggers : without;
        const ingests = await ingestRound(scratch.lantern, reports, first);
        times[which].push(...ingests);
        const perWrite = await summaryWrites(scratch.lantern, Math.min(ENTITIES, 500));
        writes[which].push(perWrite);
        console.log(`  ${kind} round ${round + 1}, ${which} triggers: median ${median(ingests).toFixed(1)} ms per ingest, ${perWrite.toFixed(0)} µs per summary write (load ${load()})`);
      }
    }
    const total = (list: number[]) => list.reduce((sum, t) => sum + t, 0);
    const [a, b] = [median(times.with), median(times.without)];
    const [wa, wb] = [median(writes.with), median(writes.without)];
    rows.push([
      kind,
      `${((times.with.length * 1000) / total(times.with)).toFixed(1)} / ${((times.without.length * 1000) / total(times.without)).toFixed(1)}`,
      `${a.toFixed(1)} / ${b.toFixed(1)} ms`,
      `${(a - b).toFixed(1)} ms (${(((a - b) / b) * 100).toFixed(0)}%)`,
      `${wa.toFixed(0)} / ${wb.toFixed(0)} µs`,
      `${(wa - wb).toFixed(0)} µs`,
    ]);
  } finally {
    await withTriggers.lantern.close();
    await without.lantern.close();
    await withTriggers.remove();
    await without.remove();
  }
}
console.log(
  `\nLantern trigger overhead: ingests of ${FINDINGS}-vulnerability Trivy reports into linked targets of a ${ENTITIES.toLocaleString('en')}-entity estate, ${ROUNDS} rounds of ${REPORTS} each (median ingest over all of them), Node ${process.version}\n`,
);
printTable(['store', 'reports/s with / without', 'median ingest with / without', 'triggers add per ingest', 'summary write with / without', 'triggers add per write'], rows);
console.log(`\nLoad average at the end: ${load()} (2 cores). Runs on a loaded machine differ by more than the triggers' share: read the per-write figures beside the ingest ones.`);
