import type { Kysely } from 'kysely';

/**
 * The targets whose first scan committed and whose similar-name hints are still to be refreshed
 * (catalog/link-hints.ts). A new target's first scan resolves the links that name it in the same
 * transaction, and queues here the links whose hint it may change: a name a few characters from a
 * thousand waiting links' had its ingest rewrite a hundred of their hints and hold the link lock
 * for 45–50 ms more on PostgreSQL (issue 17). The row is written in the ingest's transaction, so a
 * committed scan always has its hints refreshed: just after the commit, or after a crash by the
 * next minute's sweep. Targets are never deleted, so no foreign key is needed to clear a row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('link_hint_refreshes')
    .addColumn('target_id', 'integer', (c) => c.primaryKey())
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .execute();
}
