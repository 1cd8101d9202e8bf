import type { Kysely } from 'kysely';
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
