import type { Kysely } from 'kysely';

/**
 * A queued refresh of similar-name hints (0040) whose transaction fails for that target alone was
 * taken first again by every later refresh, and no other queued target's hints were refreshed
 * after it. Each failure is now counted on its row, with its message, and the row goes behind the
 * others; after a few failures it is no longer taken until a server starts (catalog/link-hints.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('link_hint_refreshes')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('link_hint_refreshes').addColumn('last_error', 'text').execute();
}
