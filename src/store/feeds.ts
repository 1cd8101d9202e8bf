import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { PgClient, Store } from './database.js';
import type { Database, FeedTable } from './schema.js';

type Db = Kysely<Database>;

export const FEED_NAMES = ['kev', 'epss'] as const;
export type FeedName = (typeof FEED_NAMES)[number];

/** What one feed holds and how its latest import went (lantern feeds status, GET /api/feeds). */
export interface FeedStatus {
  name: FeedName;
  /** False until an import succeeded: issues are then "never enriched" by this feed, not "not listed". */
  loaded: boolean;
  source: string | null;
  feedDate: string | null;
  version: string | null;
  rows: number;
  importedAt: string | null;
  attemptedAt: string | null;
  /** Why the latest attempt failed (the data of the import before it stays); null after a success. */
  error: string | null;
}

export async function feedStatuses(db: Db): Promise<FeedStatus[]> {
  const rows = await db.selectFrom('feeds').selectAll().execute();
  const byName = new Map(rows.map((r) => [r.name, r]));
  return FEED_NAMES.map((name) => statusOf(name, byName.get(name)));
}

function statusOf(name: FeedName, row: FeedTable | undefined): FeedStatus {
  return {
    name,
    loaded: row?.imported_at != null,
    source: row?.source ?? null,
    feedDate: row?.feed_date ?? null,
    version: row?.version ?? null,
    rows: row?.rows ?? 0,
    importedAt: row?.imported_at ?? null,
    attemptedAt: row?.attempted_at ?? null,
    error: row?.error ?? null,
  };
}

/** Records a successful import of a feed, in the import's transaction. */
export async function recordImport(trx: Db, name: FeedName, done: { source: string; date: string | null; version: string | null; rows: number; at: string }): Promise<void> {
  const row = { source: done.source, feed_date: done.date, version: done.version, rows: done.rows, imported_at: done.at, attempted_at: done.at, error: null };
  await trx
    .insertInto('feeds')
    .values({ name, ...row })
    .onConflict((oc) => oc.column('name').doUpdateSet(row))
    .execute();
}

/** Records a failed attempt; what the feed held before stays, and so does its import's record. */
export async function recordFailure(db: Db, name: FeedName, at: string, error: string): Promise<void> {
  await db
    .insertInto('feeds')
    .values({ name, source: null, feed_date: null, version: null, rows: 0, imported_at: null, attempted_at: at, error })
    .onConflict((oc) => oc.column('name').doUpdateSet({ attempted_at: at, error }))
    .execute();
}

/** One CVE's row of the EPSS table. */
export interface EpssRow {
  cve: string;
  epss: number;
  percentile: number;
}

/** Rows per statement on SQLite: 3 parameters each, far under its limit of 32 766. */
const SQLITE_EPSS_ROWS = 500;

/**
 * Replaces the EPSS scores with `batches` (file order) in the import's transaction and returns the
 * rows stored: a CVE listed twice keeps its first row. Readers of the table see the previous
 * scores until the transaction commits, and are never blocked meanwhile: no DDL touches the table.
 *
 * What each store writes (docs/prioritisation.md, "How an import writes"):
 *   - into an empty table (the first import), every row;
 *   - else only the difference: new CVEs are inserted, changed scores updated, CVEs the file no
 *     longer lists deleted; an unchanged row is not written, so re-importing the same day's file
 *     writes nothing.
 * On SQLite each batch runs as prepared statements of 500 rows in CVE order (each row then lands
 * next to the one before it in the WITHOUT ROWID table's B-tree, migrations/0016), an upsert that
 * updates a row only when its scores differ; the CVEs the file no longer lists are looked for only
 * when the table then holds more rows than the file. On PostgreSQL the rows stream through
 * COPY … FROM STDIN while the file is still being parsed (the server works in its own process
 * meanwhile): straight into the table when it is empty, else into a temporary table that one
 * full join compares with the stored scores, so that only the difference is written.
 */
export async function replaceEpssScores(store: Store, trx: Db, batches: AsyncIterable<readonly EpssRow[]>): Promise<number> {
  const seen = new Set<string>();
  const firsts = (rows: readonly EpssRow[]) => rows.filter((row) => !seen.has(row.cve) && seen.add(row.cve) !== undefined);
  const empty = (await trx.selectFrom('epss_scores').select('cve').limit(1).executeTakeFirst()) === undefined;
  const client = await store.clientOf(trx);
  if (store.sqlite && empty) return fillOnSqlite(store.sqlite, batches);
  if (store.sqlite) await replaceOnSqlite(store.sqlite, batches, firsts, seen);
  else if (client) await replaceOnPostgres(trx, client, empty, batches, firsts);
  else await replaceByStatements(trx, batches, firsts);
  return seen.size;
}

type Firsts = (rows: readonly EpssRow[]) => EpssRow[];
const byCve = (a: EpssRow, b: EpssRow) => (a.cve < b.cve ? -1 : a.cve > b.cve ? 1 : 0);

/**
 * Into an empty SQLite table: each batch in CVE order (a stable sort, so a CVE listed twice in a
 * batch keeps its first line), and a CVE already written keeps its row (`DO NOTHING`): the first
 * line wins without a set of every CVE seen, which cost about a fifth of the import (300 000
 * strings hashed). The count is read back once.
 */
async function fillOnSqlite(sqlite: BetterSqlite3.Database, batches: AsyncIterable<readonly EpssRow[]>): Promise<number> {
  const statementOf = (n: number) => sqlite.prepare(`INSERT INTO epss_scores (cve, epss, percentile) VALUES ${Array.from({ length: n }, () => '(?, ?, ?)').join(', ')} ON CONFLICT (cve) DO NOTHING`);
  const whole = statementOf(SQLITE_EPSS_ROWS);
  const values: Array<string | number> = [];
  for await (const batch of batches) {
    const rows = [...batch].sort(byCve);
    for (let start = 0; start < rows.length; start += SQLITE_EPSS_ROWS) {
      const to = Math.min(rows.length, start + SQLITE_EPSS_ROWS);
      values.length = 0;
      for (let i = start; i < to; i++) {
        const row = rows[i] as EpssRow;
        values.push(row.cve, row.epss, row.percentile);
      }
      (to - start === SQLITE_EPSS_ROWS ? whole : statementOf(to - start)).run(values);
    }
    // better-sqlite3 ran the statements synchronously: let other requests in between batches.
    await nextTurn();
  }
  return sqlite.prepare('SELECT count(*) FROM epss_scores').pluck().get() as number;
}

async function replaceOnSqlite(sqlite: BetterSqlite3.Database, batches: AsyncIterable<readonly EpssRow[]>, firsts: Firsts, seen: ReadonlySet<string>): Promise<void> {
  // Over stored scores: a row is written only where its scores differ (the batches hold each CVE once).
  const onConflict = ' ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, percentile = excluded.percentile WHERE epss <> excluded.epss OR percentile <> excluded.percentile';
  const statementOf = (n: number) => sqlite.prepare(`INSERT INTO epss_scores (cve, epss, percentile) VALUES ${Array.from({ length: n }, () => '(?, ?, ?)').join(', ')}${onConflict}`);
  const whole = statementOf(SQLITE_EPSS_ROWS);
  const values: Array<string | number> = [];
  const run = (rows: readonly EpssRow[], from: number, to: number) => {
    values.length = 0;
    for (let i = from; i < to; i++) {
      const row = rows[i] as EpssRow;
      values.push(row.cve, row.epss, row.percentile);
    }
    (to - from === SQLITE_EPSS_ROWS ? whole : statementOf(to - from)).run(values);
  };
  for await (const batch of batches) {
    const rows = firsts(batch).sort(byCve);
    for (let start = 0; start < rows.length; start += SQLITE_EPSS_ROWS) run(rows, start, Math.min(rows.length, start + SQLITE_EPSS_ROWS));
    // better-sqlite3 ran the statements synchronously: let other requests in between batches.
    await nextTurn();
  }
  // Every CVE of the file is now stored: any row beyond them is one the file no longer lists.
  const stored = sqlite.prepare('SELECT count(*) FROM epss_scores').pluck().get() as number;
  if (stored === seen.size) return;
  const gone = (sqlite.prepare('SELECT cve FROM epss_scores').pluck().all() as string[]).filter((cve) => !seen.has(cve));
  for (let start = 0; start < gone.length; start += SQLITE_EPSS_ROWS) {
    const part = gone.slice(start, start + SQLITE_EPSS_ROWS);
    sqlite.prepare(`DELETE FROM epss_scores WHERE cve IN (${part.map(() => '?').join(', ')})`).run(part);
  }
}

async function replaceOnPostgres(trx: Db, client: PgClient, empty: boolean, batches: AsyncIterable<readonly EpssRow[]>, firsts: Firsts): Promise<void> {
  if (!empty) await sql`CREATE TEMPORARY TABLE epss_import (LIKE epss_scores) ON COMMIT DROP`.execute(trx);
  // COPY's text format: CVE ids and numbers hold no tab, newline or backslash to escape.
  async function* copyText(): AsyncGenerator<string> {
    for await (const batch of batches) {
      let text = '';
      for (const row of firsts(batch)) text += `${row.cve}\t${row.epss}\t${row.percentile}\n`;
      if (text !== '') yield text;
    }
  }
  // Loaded only for PostgreSQL, as the driver is. A refused file ends the COPY with CopyFail
  // (pipeline destroys the stream), so that the transaction can roll back.
  const { from: copyFrom } = await import('pg-copy-streams');
  await pipeline(Readable.from(copyText()), client.query(copyFrom(`COPY ${empty ? 'epss_scores' : 'epss_import'} (cve, epss, percentile) FROM STDIN`)));
  if (empty) return;
  await sql`
    CREATE TEMPORARY TABLE epss_changes ON COMMIT DROP AS
    SELECT n.cve, n.epss, n.percentile, e.cve AS stored
    FROM epss_import n FULL JOIN epss_scores e ON e.cve = n.cve
    WHERE n.cve IS NULL OR e.cve IS NULL OR e.epss <> n.epss OR e.percentile <> n.percentile
  `.execute(trx);
  const { changes } = (await sql<{ changes: number }>`SELECT count(*) AS changes FROM epss_changes`.execute(trx)).rows[0] ?? { changes: 0 };
  if (Number(changes) === 0) return;
  // Its size known, the planner joins a few changes through the primary key and many by hashing.
  await sql`ANALYZE epss_changes`.execute(trx);
  await sql`DELETE FROM epss_scores e USING epss_changes c WHERE c.cve IS NULL AND e.cve = c.stored`.execute(trx);
  await sql`UPDATE epss_scores e SET epss = c.epss, percentile = c.percentile FROM epss_changes c WHERE c.cve IS NOT NULL AND e.cve = c.stored`.execute(trx);
  await sql`INSERT INTO epss_scores (cve, epss, percentile) SELECT cve, epss, percentile FROM epss_changes WHERE stored IS NULL`.execute(trx);
}

/** Without the transaction's own client (a pooler in front of PostgreSQL): the rows replaced by statements. */
async function replaceByStatements(trx: Db, batches: AsyncIterable<readonly EpssRow[]>, firsts: Firsts): Promise<void> {
  await trx.deleteFrom('epss_scores').execute();
  for await (const batch of batches) {
    const rows = firsts(batch);
    if (rows.length === 0) continue;
    await sql`INSERT INTO epss_scores (cve, epss, percentile) SELECT * FROM unnest(cast(${rows.map((r) => r.cve)} as text[]), cast(${rows.map((r) => r.epss)} as double precision[]), cast(${rows.map((r) => r.percentile)} as double precision[]))`.execute(trx);
  }
}
