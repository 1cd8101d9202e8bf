/**
 * tsx bench/large-rescans.ts [--issues N] [--store sqlite|postgres|both] — the time of each ingest
 * of a large target's life on a fresh store, in process, SQLite beside PostgreSQL: its first scan,
 * a rescan reporting the same issues, a rescan where half are fixed and as many are new, and the
 * first scan of a feature variant (compared with the baseline). The PostgreSQL schema is new, so
 * the planner has no statistics of the target's rows, as after a new target's first scans before
 * autovacuum analyses them (issue 17: a rescan of 20 000 issues took 8.6 s there, 7 s of it one
 * statement planned as if its tables were empty).
 * PostgreSQL: LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { bytes, trivyReport, type Vulnerability } from '../test/support/reports.js';
import { parseScope } from '../src/domain/scope.js';
import type { Lantern } from '../src/lantern.js';
import { openScratch, storeKinds } from './estate.js';
import { printTable } from './measure.js';

const { values: flags } = parseArgs({ options: { issues: { type: 'string', default: '20000' }, store: { type: 'string' } } });
const ISSUES = Number(flags.issues);
if (!Number.isSafeInteger(ISSUES) || ISSUES < 2) throw new Error(`--issues ${JSON.stringify(flags.issues)}: expected a whole number of at least 2.`);
const kinds = storeKinds(flags.store);

const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const vulnerability = (n: number): Vulnerability => ({ id: `CVE-2025-${10000 + n}`, pkg: `pkg-${n}`, version: '1.0.0', severity: SEVERITIES[n % 4] as Vulnerability['severity'], ...(n % 3 === 0 ? {} : { fixed: '1.0.1' }) });

const all = Array.from({ length: ISSUES }, (_, n) => n);
const steps = [
  { name: `first scan (${ISSUES} new)`, variant: 'main', numbers: all },
  { name: `rescan (${ISSUES} common)`, variant: 'main', numbers: all },
  { name: `rescan (${ISSUES / 2} fixed, ${ISSUES / 2} new)`, variant: 'main', numbers: [...all.filter((n) => n % 2 === 0), ...all.filter((n) => n % 2 === 0).map((n) => ISSUES + n)] },
  { name: 'first scan of a feature variant', variant: 'feature', numbers: all },
];

/** The issues table's size on PostgreSQL, heap and indexes, with the row versions no vacuum has removed yet. */
async function issuesSize(lantern: Lantern): Promise<string> {
  const { rows } = await sql<{ heap: string; indexes: string }>`select pg_relation_size('issues') as heap, pg_indexes_size('issues') as indexes`.execute(lantern.store.db);
  const kb = (bytes: string | undefined) => `${Math.round(Number(bytes) / 1024)} kB`;
  return `; issues: heap ${kb(rows[0]?.heap)}, indexes ${kb(rows[0]?.indexes)}`;
}

const times = new Map<string, number[]>();
for (const kind of kinds) {
  const { lantern, remove } = await openScratch(kind, 'rescans', 'large');
  try {
    const measured: number[] = [];
    for (const [k, step] of steps.entries()) {
      // Each step's lock file path differs (issues do not depend on it), so no upload repeats another's bytes.
      const report = bytes(trivyReport(step.numbers.map(vulnerability), `step-${k}/package-lock.json`));
      const start = performance.now();
      await lantern.ingest({ report, source: 'bench', target: 'acme/large', targetType: 'repository', variant: step.variant, scope: parseScope('acme.bench'), scannedAt: `2026-12-0${k + 1}T00:00:00.000Z` });
      measured.push(performance.now() - start);
      // On PostgreSQL every row version an ingest writes stays in the table until a vacuum: a row
      // written twice takes twice the room, in the heap and in its indexes.
      const size = kind === 'postgres' ? await issuesSize(lantern) : '';
      console.log(`  ${kind}: ${step.name}: ${measured.at(-1)?.toFixed(0)} ms${size}`);
    }
    times.set(kind, measured);
  } finally {
    await lantern.close();
    await remove();
  }
}

console.log(`\nA target of ${ISSUES} issues on a fresh store, ms per ingest (SQLite is the reference):`);
printTable(
  ['ingest', ...kinds.map((k) => (k === 'sqlite' ? 'SQLite' : 'PostgreSQL')), ...(kinds.length === 2 ? ['PostgreSQL / SQLite'] : [])],
  steps.map((step, i) => {
    const cells = kinds.map((k) => (times.get(k)?.[i] ?? 0).toFixed(0));
    const ratio = kinds.length === 2 ? [`${((times.get('postgres')?.[i] ?? 0) / (times.get('sqlite')?.[i] ?? 1)).toFixed(2)}×`] : [];
    return [step.name, ...cells, ...ratio];
  }),
);
