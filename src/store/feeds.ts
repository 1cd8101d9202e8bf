import { type Kysely, sql } from 'kysely';
import type { Store } from './database.js';
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

/** Writes the rows of one EPSS import into the emptied EPSS table, batch by batch, in the import's transaction. */
export interface EpssLoader {
  /** Adds rows, in file order; a CVE listed twice keeps its first row. */
  add(rows: readonly EpssRow[]): Promise<void>;
  /** Puts what was added in place; the loader is done. */
  finish(): Promise<void>;
}

/**
 * The fastest way each store takes 300 000 rows. On SQLite, one prepared statement of 500 rows
 * runs per 500 rows, so that the rows cross from JavaScript to SQLite 600 times instead of 300 000,
 * into a WITHOUT ROWID table (one B-tree, migrations/0016). On PostgreSQL, each batch is one
 * INSERT … SELECT FROM unnest(…) of three array parameters, parsed and planned once whatever its
 * length. (Loading a temporary table without index and writing it into the EPSS table in key order
 * at the end was measured slower: 7.1-8.2 s against 5.1 s for 300 000 rows on a loaded server.)
 */
export async function epssLoader(store: Store, trx: Db): Promise<EpssLoader> {
  await trx.deleteFrom('epss_scores').execute();
  if (store.sqlite) {
    const sqlite = store.sqlite;
    const statementOf = (n: number) => sqlite.prepare(`INSERT INTO epss_scores (cve, epss, percentile) VALUES ${Array.from({ length: n }, () => '(?, ?, ?)').join(', ')} ON CONFLICT (cve) DO NOTHING`);
    const whole = statementOf(SQLITE_EPSS_ROWS);
    return {
      add: async (rows) => {
        const values: Array<string | number> = [];
        let start = 0;
        for (; start + SQLITE_EPSS_ROWS <= rows.length; start += SQLITE_EPSS_ROWS) {
          values.length = 0;
          for (let i = start; i < start + SQLITE_EPSS_ROWS; i++) {
            const row = rows[i] as EpssRow;
            values.push(row.cve, row.epss, row.percentile);
          }
          whole.run(values);
        }
        if (start < rows.length) {
          values.length = 0;
          for (let i = start; i < rows.length; i++) {
            const row = rows[i] as EpssRow;
            values.push(row.cve, row.epss, row.percentile);
          }
          statementOf(rows.length - start).run(values);
        }
      },
      finish: async () => undefined,
    };
  }
  return {
    add: async (rows) => {
      if (rows.length === 0) return;
      const cves: string[] = [];
      const scores: number[] = [];
      const percentiles: number[] = [];
      for (const row of rows) {
        cves.push(row.cve);
        scores.push(row.epss);
        percentiles.push(row.percentile);
      }
      await sql`INSERT INTO epss_scores (cve, epss, percentile) SELECT * FROM unnest(cast(${cves} as text[]), cast(${scores} as double precision[]), cast(${percentiles} as double precision[])) ON CONFLICT (cve) DO NOTHING`.execute(trx);
    },
    finish: async () => undefined,
  };
}
