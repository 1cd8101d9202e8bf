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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseScope } from '../src/domain/scope.js';
import { Lantern } from '../src/lantern.js';
import { openStore } from '../src/store/database.js';
import { POSTGRES } from './estate.js';
import { dropSchema, printTable } from './measure.js';

const { values: flags } = parseArgs({ options: { issues: { type: 'string', default: '20000' }, store: { type: 'string' } } });
const ISSUES = Number(flags.issues);
if (!Number.isSafeInteger(ISSUES) || ISSUES < 2) throw new Error(`--issues ${JSON.stringify(flags.issues)}: expected a whole number of at least 2.`);
const store = flags.store ?? (POSTGRES ? 'both' : 'sqlite');
if (!['sqlite', 'postgres', 'both'].includes(store)) throw new Error(`--store ${JSON.stringify(store)}: expected sqlite, postgres or both.`);
const kinds = (store === 'both' ? ['sqlite', 'postgres'] : [store]) as Array<'sqlite' | 'postgres'>;
if (kinds.includes('postgres') && !POSTGRES) throw new Error('--store postgres: set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL.');

/** A Trivy report of these vulnerability numbers; `artifact` makes each upload's bytes its own. */
function report(numbers: readonly number[], artifact: string): Uint8Array {
  const vulnerabilities = numbers.map((n) => ({
    VulnerabilityID: `CVE-2025-${10000 + n}`,
    PkgName: `pkg-${n}`,
    InstalledVersion: '1.0.0',
    FixedVersion: n % 3 === 0 ? undefined : '1.0.1',
    Severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][n % 4],
    Title: `pkg-${n}: a flaw`,
  }));
  return new TextEncoder().encode(JSON.stringify({ SchemaVersion: 2, ArtifactName: artifact, ArtifactType: 'filesystem', Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Vulnerabilities: vulnerabilities }] }));
}

const all = Array.from({ length: ISSUES }, (_, n) => n);
const steps = [
  { name: `first scan (${ISSUES} new)`, variant: 'main', numbers: all },
  { name: `rescan (${ISSUES} common)`, variant: 'main', numbers: all },
  { name: `rescan (${ISSUES / 2} fixed, ${ISSUES / 2} new)`, variant: 'main', numbers: [...all.filter((n) => n % 2 === 0), ...all.filter((n) => n % 2 === 0).map((n) => ISSUES + n)] },
  { name: 'first scan of a feature variant', variant: 'feature', numbers: all },
];

const times = new Map<string, number[]>();
for (const kind of kinds) {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-rescans-'));
  const schema = `lantern_bench_rescans_${process.pid}`;
  const lantern = new Lantern(kind === 'sqlite' ? await openStore(join(dir, 'bench.db')) : await openStore(POSTGRES as string, { schema }));
  try {
    const measured: number[] = [];
    for (const [k, step] of steps.entries()) {
      const bytes = report(step.numbers, `large-${k}`);
      const start = performance.now();
      await lantern.ingest({ report: bytes, source: 'bench', target: 'acme/large', targetType: 'repository', variant: step.variant, scope: parseScope('acme.bench'), scannedAt: `2026-12-0${k + 1}T00:00:00.000Z` });
      measured.push(performance.now() - start);
      console.log(`  ${kind}: ${step.name}: ${measured.at(-1)?.toFixed(0)} ms`);
    }
    times.set(kind, measured);
  } finally {
    await lantern.store.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') await dropSchema(POSTGRES as string, schema);
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
