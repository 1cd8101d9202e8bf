import type { Kysely } from 'kysely';

/**
 * The first scan of a new target used to rewrite, inside its ingest, the similar-name hint of every
 * waiting link its name was near: with a thousand entities waiting for names a few characters
 * apart, a thousand rows, 40–65 ms of a 60–100 ms ingest (issue 17). A hint is a diagnostic; it
 * does not change what any entity shows. So the ingest now resolves at once only the links that
 * have the target's name, and leaves a row here for the others, in its own transaction: the hints
 * are refreshed right after it commits (catalog/link-hints.ts), and a row left by a process that
 * stopped before that is taken up by the next one that looks (any ingest's, or a server's start).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('link_hint_refreshes')
    .addColumn('target_id', 'integer', (c) => c.primaryKey().references('targets.id').onDelete('cascade'))
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .execute();
}
