/**
 * The synthetic estate the API, scorecard and browser benchmarks run on: by default 10 000
 * catalog entities, each linking two targets (its repository and its image, 20 000 targets), with
 * 2 000 000 issues between them. Scan data is written in bulk through the storage layer (ingesting
 * two million findings one report at a time would measure ingest, not reads); the catalog is
 * registered through the real catalog code, which resolves every link and stores every summary.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledQuery, sql } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';
import { parseScope } from '../src/domain/scope.js';
import { Lantern } from '../src/lantern.js';
import type { Kysely } from 'kysely';
import { bulkInsertIds, bulkRun } from '../src/store/bulk.js';
import type { Database } from '../src/store/schema.js';
import { type OpenOptions, openStore, type Store } from '../src/store/database.js';
import { ScanTermCounts, writeScanTerms } from '../src/store/scan-search-terms.js';
import { issueTerms } from '../src/store/search-terms.js';
import { targetKeyColumns } from '../src/store/targets.js';
import { random } from './synthetic-reports.js';
import { dropSchema } from './measure.js';

export interface EstateSize {
  entities: number;
  /** Issues per target on average (0 to twice this). */
  issuesPerTarget: number;
}

export const FULL_ESTATE: EstateSize = { entities: 10_000, issuesPerTarget: 100 };

export interface Estate {
  entities: number;
  targets: number;
  issues: number;
  /** `component:default/svc-00042` style refs of every entity. */
  refs: string[];
}

const SCOPE = 'acme.services';
const DAY = 24 * 60 * 60 * 1000;
const LABELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

const serviceId = (i: number) => `svc-${String(i).padStart(5, '0')}`;

/** Builds the estate into a migrated, empty Lantern store, reporting progress lines to `log`. */
export async function buildEstate(lantern: Lantern, size: EstateSize, log: (line: string) => void = () => undefined): Promise<Estate> {
  const { store } = lantern;
  const next = random(7);
  const now = Date.now();
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

  const { id: orgId } = await store.db.insertInto('orgs').values({ identifier: 'acme', created_at: at(90) }).returning('id').executeTakeFirstOrThrow();
  const { id: projectId } = await store.db.insertInto('projects').values({ org_id: orgId, identifier: 'services', created_at: at(90) }).returning('id').executeTakeFirstOrThrow();

  // PostgreSQL keeps each index of the scan data's big tables up to date row by row; built once
  // after the load, from sorted rows, they cost a fraction of that. Only the indexes of no
  // constraint are set aside (the keys stay), and all are back before the catalog is registered.
  const setAside = store.sqlite ? [] : await setIndexesAside(store.db, ['issues', 'scan_issues', 'occurrences']);
  let issues = 0;
  const CHUNK = 250;
  for (let first = 0; first < size.entities; first += CHUNK) {
    const last = Math.min(size.entities, first + CHUNK);
    const targets: ScannedTarget[] = [];
    for (let i = first; i < last; i++) {
      targets.push({ name: `acme/${serviceId(i)}`, container: false });
      targets.push({ name: `registry.acme.io/${serviceId(i)}`, container: true });
    }
    issues += await writeScannedTargets(store, { orgId, projectId }, targets, { next, now, issuesPerTarget: size.issuesPerTarget });
    if ((first / CHUNK) % 8 === 0) log(`  scan data: ${last.toLocaleString('en')} / ${size.entities.toLocaleString('en')} entities' targets, ${issues.toLocaleString('en')} issues (${elapsed()})`);
  }

  if (setAside.length > 0) {
    await restoreIndexes(store, setAside);
    log(`  ${setAside.length} indexes of the scan data built (${elapsed()})`);
  }
  // The registration below reads the scan data (a target's current issues for each summary): on
  // PostgreSQL without autovacuum (the test server runs without it) the tables were never
  // analysed, and it planned reads of a few scans' issues as scans of the whole table (25 s a
  // statement at 50 000 entities, registration more than an hour instead of minutes).
  if (!store.sqlite) {
    for (const table of ['issues', 'scan_issues', 'scans', 'occurrences', 'variants', 'targets', 'search_terms', 'scan_search_terms', 'issue_search_terms']) await sql`analyze ${sql.table(table)}`.execute(store.db);
    log(`  scan data analysed (${elapsed()})`);
  }

  // The catalog: 10 entities a file, each linking its two targets through the annotation.
  const dir = mkdtempSync(join(tmpdir(), 'lantern-estate-'));
  try {
    const files = Math.ceil(size.entities / 10);
    mkdirSync(join(dir, 'services'));
    for (let f = 0; f < files; f++) {
      const docs: string[] = [];
      for (let i = f * 10; i < Math.min(size.entities, f * 10 + 10); i++) {
        docs.push(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${serviceId(i)}
  title: Service ${i}
  tags: [${i % 3 === 0 ? 'java' : i % 3 === 1 ? 'node' : 'go'}, ${i % 10 === 0 ? 'pci' : 'internal'}]
  annotations:
    backstage.io/source-location: url:https://github.com/acme/${serviceId(i)}/tree/main/
    harness.io/sto-test-target:
      - name: registry.acme.io/${serviceId(i)}
        scope: account
spec:
  type: ${i % 4 === 0 ? 'website' : 'service'}
  lifecycle: ${i % 5 === 0 ? 'experimental' : 'production'}
  owner: team-${i % 200}
  system: system-${i % 100}`);
      }
      writeFileSync(join(dir, 'services', `catalog-${String(f).padStart(4, '0')}.yaml`), `${docs.join('\n---\n')}\n`);
    }
    log(`  catalog: ${size.entities.toLocaleString('en')} entities in ${files.toLocaleString('en')} files written; registering (links and summaries) … (${elapsed()})`);
    await lantern.catalog.register(join(dir, 'services', '*.yaml'), parseScope(SCOPE));
    log(`  catalog registered (${elapsed()})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Planner statistics, as autovacuum (PostgreSQL) or PRAGMA optimize (SQLite) keep them in a live
  // database: without them PostgreSQL plans a bulk-loaded estate as if its tables were empty. On
  // PostgreSQL a vacuum too, as autovacuum would (the test server runs without it): until a table's
  // pages are marked all-visible, an index-only scan reads the table's rows after all.
  if (store.sqlite) await sql`analyze`.execute(store.db);
  else {
    // The estate's own tables: a bare VACUUM would go through every schema of the database.
    const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(store.db);
    for (const { name } of tables.rows) await sql`vacuum analyze ${sql.table(name)}`.execute(store.db);
  }
  log(`  statistics analysed (${elapsed()})`);
  return {
    entities: size.entities,
    targets: size.entities * 2,
    issues,
    refs: Array.from({ length: size.entities }, (_, i) => `component:default/${serviceId(i)}`),
  };
}

/** A target of the estate: a repository in acme.services or an account-level container image. */
export interface ScannedTarget {
  name: string;
  container: boolean;
  /** Its issues; without it, 0 to twice `issuesPerTarget` at random. */
  issues?: number;
}

/**
 * Writes these targets in bulk, each with one scanned `main` variant holding its issues, in one
 * transaction; returns the number of issues written.
 */
export async function writeScannedTargets(
  store: Store,
  { orgId, projectId }: { orgId: number; projectId: number },
  targetList: readonly ScannedTarget[],
  { next, now, issuesPerTarget }: { next: () => number; now: number; issuesPerTarget: number },
): Promise<number> {
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const targets = targetList.map((t) => ({ ...t, scope: t.container ? 'account' : SCOPE, type: t.container ? 'container' : 'repository' }));
  return store.transaction(async (trx) => {
    // PostgreSQL checks each row's foreign keys by a trigger per row: for millions of rows made
    // consistent here (every id is one this transaction wrote), most of the load's time. As a
    // replica applying rows does, this transaction skips them (it needs a superuser, as the
    // benchmark server's trusted user is; without one, the checks run).
    if (!store.sqlite && (await superuser(trx))) await sql`set local session_replication_role = replica`.execute(trx);
    const targetIds = await insertIds(store, trx, 'targets', targets.length, (k) => {
      const t = targets[k] as (typeof targets)[number];
      return {
        scope: t.scope,
        org_id: t.container ? null : orgId,
        project_id: t.container ? null : projectId,
        name: t.name,
        name_key: t.name.toLowerCase(),
        ...targetKeyColumns(t.name),
        type: t.type,
        baseline_variant: null,
        baseline_regex: null,
        created_at: at(90),
      };
    });
    // The triggers skipped above would also have given each scope a new name version when this
    // transaction commits (migration 0036), as every scope with targets has in a real database;
    // without one, the similar-name hint never keeps the scope's names (store/similar-names.ts).
    if (!store.sqlite) {
      const scopes = [...new Set(targets.map((t) => t.scope))];
      await sql`insert into target_name_versions (scope, stamp) select scope, gen_random_uuid()::text from unnest(${scopes}::text[]) as s(scope) on conflict (scope) do update set stamp = excluded.stamp`.execute(trx);
    }
    const scannedAt = targets.map(() => at(Math.floor(next() * 20)));
    const variantIds = await insertIds(store, trx, 'variants', targets.length, (k) => ({
      target_id: targetIds[k] as number,
      name: 'main',
      created_at: at(90),
      last_scan_at: scannedAt[k] as string,
    }));
    const counts = targets.map((t) => t.issues ?? Math.floor(next() * (2 * issuesPerTarget + 1)));
    // Each target's issues' severities (0 info … 4 critical), and the scan's count of each.
    const severities = counts.map((count) => Array.from({ length: count }, () => Math.min(4, Math.floor(next() * next() * 5.5))));
    const tally = severities.map((list) => [0, 1, 2, 3, 4].map((severity) => list.filter((s) => s === severity).length) as [number, number, number, number, number]);
    const scanIds = await insertIds(store, trx, 'scans', targets.length, (k) => ({
      target_id: targetIds[k] as number,
      variant_id: variantIds[k] as number,
      scanner: targets[k]?.container ? 'trivy' : 'semgrep',
      scanner_version: null,
      format: targets[k]?.container ? 'trivy' : 'semgrep',
      scan_type: targets[k]?.container ? 'container' : 'sast',
      report_sha256: `estate-${targetIds[k]}`,
      report_bytes: 0,
      artifact: null,
      commit_sha: null,
      branch: 'main',
      pipeline_url: null,
      scanned_at: scannedAt[k] as string,
      reported_at: null,
      ingested_at: scannedAt[k] as string,
      critical: tally[k]?.[4] as number,
      high: tally[k]?.[3] as number,
      medium: tally[k]?.[2] as number,
      low: tally[k]?.[1] as number,
      info: tally[k]?.[0] as number,
      total: counts[k] as number,
      occurrences: counts[k] as number,
      new_count: 0,
      common_count: 0,
      remediated_count: 0,
      compared_scan_id: null,
      suppressed: 0,
      errors: '[]',
    }));
    // The issues of this chunk of targets, and their severities.
    const rows: Array<{ target: number; scan: number; container: boolean; n: number; severity: number }> = [];
    targets.forEach((t, k) => {
      for (let n = 0; n < (counts[k] as number); n++) rows.push({ target: targetIds[k] as number, scan: scanIds[k] as number, container: t.container, n, severity: severities[k]?.[n] as number });
    });
    const issueIds = await insertIds(store, trx, 'issues', rows.length, (k) => {
      const r = rows[k] as (typeof rows)[number];
      const label = LABELS[4 - r.severity] as string;
      return {
        target_id: r.target,
        fingerprint: `${r.container ? 'v' : 'c'}-${r.target}-${r.n}`,
        kind: r.container ? 'vulnerability' : 'code',
        title: r.container ? `Synthetic vulnerability ${r.n} (${label.toLowerCase()})` : `Synthetic rule ${r.n % 40} matched`,
        ...searched(r),
        installed_version: r.container ? '1.0.0' : null,
        fixed_version: r.container && r.n % 3 !== 0 ? '1.0.1' : null,
        description: 'A synthetic issue of the benchmark estate.',
        first_seen_at: at(30 + (r.n % 30)),
        first_scan_id: r.scan,
      };
    });
    // The issues' search terms, as ingest records them (store/search-terms.ts: recordSearchTerms),
    // each distinct term once and each (term, issue): the issues are new, so their pairs are too.
    const pairs = rows.flatMap((r, k) => issueTerms(searched(r)).map((t) => ({ term: t.term, issue_id: issueIds[k] as number, alias: t.alias })));
    const terms = [...new Set(pairs.map((p) => p.term))].sort();
    for (let i = 0; i < terms.length; i += 1000) {
      await trx.insertInto('search_terms').values(terms.slice(i, i + 1000).map((term) => ({ term }))).onConflict((oc) => oc.column('term').doNothing()).execute();
    }
    await insertRows(store, trx, 'issue_search_terms', pairs.length, (k) => pairs[k] as (typeof pairs)[number]);
    // Each scan is its variant's only one, so current: its terms counted as ingest counts them (store/scan-search-terms.ts).
    const scanTerms = new Map<number, ScanTermCounts>();
    for (const r of rows) {
      let counts = scanTerms.get(r.scan);
      if (!counts) scanTerms.set(r.scan, (counts = new ScanTermCounts()));
      counts.add(searched(r));
    }
    for (const [k, scanId] of scanIds.entries()) {
      const counts = scanTerms.get(scanId);
      if (counts) await writeScanTerms(store, trx, { id: scanId, variantId: variantIds[k] as number }, counts);
    }
    await insertRows(store, trx, 'scan_issues', rows.length, (k) => {
      const r = rows[k] as (typeof rows)[number];
      return { scan_id: r.scan, issue_id: issueIds[k] as number, severity: r.severity, scanner_severity: LABELS[4 - r.severity] as string, score: null, occurrences: 1, is_new: r.n % 10 === 0 ? 1 : 0 };
    });
    await insertRows(store, trx, 'occurrences', rows.length, (k) => {
      const r = rows[k] as (typeof rows)[number];
      return {
        scan_id: r.scan,
        issue_id: issueIds[k] as number,
        file_path: r.container ? null : `src/module-${r.n % 17}/file-${r.n}.ts`,
        start_line: r.container ? null : 10 + r.n,
        end_line: r.container ? null : 12 + r.n,
        place: r.container ? '{"component":"package-lock.json"}' : '{}',
      };
    });
    return rows.length;
  });
}

/** The columns of a synthetic issue that a search reads. */
function searched(r: { container: boolean; n: number }) {
  return {
    vulnerability_id: r.container ? `CVE-2024-${10000 + r.n}` : null,
    rule_id: r.container ? null : `estate.rule-${r.n % 40}`,
    package: r.container ? `package-${r.n % 60}` : null,
    details: '{}',
  };
}

let isSuperuser: boolean | undefined;
async function superuser(trx: Kysely<Database>): Promise<boolean> {
  isSuperuser ??= (await sql<{ super: boolean }>`select rolsuper as super from pg_roles where rolname = current_user`.execute(trx)).rows[0]?.super === true;
  return isSuperuser;
}

/** Drops the indexes of these tables (in the current schema) that back no constraint; returns their definitions. */
async function setIndexesAside(db: Kysely<Database>, tables: readonly string[]): Promise<Array<{ name: string; definition: string }>> {
  const { rows } = await sql<{ name: string; definition: string }>`
    select i.indexname as name, i.indexdef as definition from pg_indexes i
    where i.schemaname = current_schema() and i.tablename = any(${[...tables]}::text[])
      and not exists (select 1 from pg_constraint c where c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
    order by i.indexname`.execute(db);
  for (const { name } of rows) await sql`drop index ${sql.ref(name)}`.execute(db);
  return rows;
}

async function restoreIndexes(store: Store, indexes: ReadonlyArray<{ name: string; definition: string }>): Promise<void> {
  await store.transaction(async (trx) => {
    await sql`set local maintenance_work_mem = '1GB'`.execute(trx);
    for (const { definition } of indexes) await sql.raw(definition).execute(trx);
  });
}

type Row = Record<string, string | number | null>;
/** Rows a COPY is written in, each a string of this many rows' lines. */
const COPY_LINES = 2_000;

/**
 * Inserts `count` rows made by `rowAt` into `table`. SQLite runs one prepared statement per row
 * (bulkRun). On PostgreSQL they are one `COPY … FROM STDIN` (pg-copy-streams) in the caller's
 * transaction: the fastest way PostgreSQL takes rows in, and nothing to build in Node but the
 * lines (INSERT … SELECT FROM unnest of one array per column took twice as long, multi-row
 * VALUES lists far longer).
 */
async function insertRows(store: Store, trx: Kysely<Database>, table: keyof Database & string, count: number, rowAt: (index: number) => Row): Promise<void> {
  if (count === 0) return;
  if (store.sqlite) {
    await bulkRun(store, trx, count, rowAt, (db, batch) => db.insertInto(table).values(batch as never));
    return;
  }
  const columns = Object.keys(rowAt(0));
  const stream = copyFrom(`copy ${table} (${columns.map((c) => `"${c}"`).join(', ')}) from stdin`);
  const done = new Promise<{ rowCount: number; rows: [] }>((resolve, reject) => {
    stream.on('finish', () => resolve({ rowCount: stream.rowCount, rows: [] }));
    stream.on('error', reject);
  });
  // The stream buffers (corked) until PostgreSQL answers the COPY: every line is written first.
  for (let start = 0; start < count; start += COPY_LINES) {
    let lines = '';
    for (let i = start; i < Math.min(count, start + COPY_LINES); i++) {
      const row = rowAt(i);
      lines += `${columns.map((c) => copyValue(row[c])).join('\t')}\n`;
    }
    stream.write(lines);
  }
  stream.end();
  // Kysely hands its statement's text to pg's Client.query, which runs a submittable (an object
  // with submit(), as the COPY stream is) instead of parsing it, on the transaction's connection;
  // Kysely awaits what it returns, so the stream is made to await its end.
  const submittable = Object.assign(stream, { then: done.then.bind(done) });
  await trx.executeQuery({ ...CompiledQuery.raw('copy'), sql: submittable as unknown as string });
}

/** A value in COPY's text format: \N for null, and backslash, tab, newline and return escaped. */
function copyValue(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** insertRows for a table with an id: the ids, in row order (on PostgreSQL taken from the table's sequence first). */
async function insertIds(store: Store, trx: Kysely<Database>, table: keyof Database & string, count: number, rowAt: (index: number) => Row): Promise<number[]> {
  if (store.sqlite || count === 0) return bulkInsertIds(store, trx, table, count, rowAt);
  // One block of `count` ids from the table's sequence (the estate's schema has no other writer).
  const { first } = (
    await sql<{ first: number }>`select (setval(pg_get_serial_sequence(${table}, 'id'), nextval(pg_get_serial_sequence(${table}, 'id')) + ${count} - 1) - ${count} + 1)::integer as first`.execute(trx)
  ).rows[0] as { first: number };
  const ids = Array.from({ length: count }, (_, i) => first + i);
  await insertRows(store, trx, table, count, (i) => ({ id: ids[i] as number, ...rowAt(i) }));
  return ids;
}

const OUT = fileURLToPath(new URL('./out/', import.meta.url));
/** The PostgreSQL server benchmarks also run on, when one is named. */
export const POSTGRES = process.env.LANTERN_BENCH_DATABASE_URL ?? process.env.LANTERN_TEST_DATABASE_URL;

/** The stores a bench's `--store` names: sqlite, postgres or both (both by default when POSTGRES names a server). */
export function storeKinds(flag: string | undefined): Array<'sqlite' | 'postgres'> {
  const store = flag ?? (POSTGRES ? 'both' : 'sqlite');
  if (!['sqlite', 'postgres', 'both'].includes(store)) throw new Error(`--store ${JSON.stringify(store)}: expected sqlite, postgres or both.`);
  const kinds = (store === 'both' ? ['sqlite', 'postgres'] : [store]) as Array<'sqlite' | 'postgres'>;
  if (kinds.includes('postgres') && !POSTGRES) throw new Error('--store postgres: set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL.');
  return kinds;
}

/** A fresh store a bench throws away: a SQLite file in a temporary folder, or a schema of its own. */
export interface Scratch {
  lantern: Lantern;
  remove: () => Promise<void>;
}

/** Opens a scratch store of `bench` (its name in the folder and schema), `name` telling several apart; close its Lantern, then remove it. */
export async function openScratch(kind: 'sqlite' | 'postgres', bench: string, name: string): Promise<Scratch> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `lantern-bench-${bench}-`));
    const lantern = new Lantern(await openStore(join(dir, 'scratch.db')));
    return { lantern, remove: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `lantern_bench_${bench}_${process.pid}_${name}`;
  const lantern = new Lantern(await openStore(POSTGRES as string, { schema }));
  return {
    lantern,
    remove: async () => {
      await dropSchema(POSTGRES as string, schema);
    },
  };
}

interface Kept {
  size: EstateSize;
  estate: Estate;
}

/**
 * Opens the estate of this size kept from an earlier run (bench/out/NAME.db, and the schema
 * lantern_bench_NAME on PostgreSQL; NAME is `estate` unless given), or builds it anew (a minute or
 * two per 10 000 entities). `options` configure the Lantern it is opened with, `storeOptions` its
 * store (the schema aside).
 */
export async function openKeptEstate(
  kind: 'sqlite' | 'postgres',
  size: EstateSize,
  options: ConstructorParameters<typeof Lantern>[1] = {},
  name = 'estate',
  storeOptions: Omit<OpenOptions, 'schema'> = {},
): Promise<{ lantern: Lantern; estate: Estate }> {
  mkdirSync(OUT, { recursive: true });
  const meta = `${OUT}${name}-${kind}.json`;
  const file = `${OUT}${name}.db`;
  const schema = `lantern_bench_${name.replace(/\W/g, '_')}`;
  const kept = existsSync(meta) ? (JSON.parse(readFileSync(meta, 'utf8')) as Kept) : undefined;
  const reusable = kept && JSON.stringify(kept.size) === JSON.stringify(size);
  if (!reusable) {
    rmSync(meta, { force: true });
    if (kind === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    else await dropSchema(POSTGRES as string, schema);
  }
  const store: Store = kind === 'sqlite' ? await openStore(file, storeOptions) : await openStore(POSTGRES as string, { ...storeOptions, schema });
  const lantern = new Lantern(store, options);
  if (reusable && kept) {
    console.log(`${kind}: reusing the estate kept from an earlier run (${kept.estate.entities.toLocaleString('en')} entities, ${kept.estate.issues.toLocaleString('en')} issues)`);
    return { lantern, estate: kept.estate };
  }
  console.log(`${kind}: building the estate (${size.entities.toLocaleString('en')} entities) …`);
  const estate = await buildEstate(lantern, size, (line) => console.log(line));
  writeFileSync(meta, JSON.stringify({ size, estate } satisfies Kept));
  return { lantern, estate };
}

