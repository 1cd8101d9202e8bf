import type { Kysely } from 'kysely';

/**
 * Stored counts of a target's variant (issue #17): an entity showing a target with 100 000 issues
 * read them all per request to count them. variant_tallies holds, per variant, what the entity
 * summary needs of it (insights/variant-tallies.ts): counts per severity of the active issues,
 * exempted, fixable, new, the per-severity breakdown and the per-scanner counts. A row says what it
 * was computed from (the target's scans, the exemptions that applied) and is used only while those
 * are still the same, so it is never wrong, only sometimes not there: then the summary is computed
 * from the issues, as before, and the next refresh of the entity stores it again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('variant_tallies')
    .addColumn('variant_id', 'integer', (c) => c.primaryKey().references('variants.id').onDelete('cascade'))
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('scan_mark', 'text', (c) => c.notNull())
    .addColumn('exemption_mark', 'text', (c) => c.notNull())
    .addColumn('critical', 'integer', (c) => c.notNull())
    .addColumn('high', 'integer', (c) => c.notNull())
    .addColumn('medium', 'integer', (c) => c.notNull())
    .addColumn('low', 'integer', (c) => c.notNull())
    .addColumn('info', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('exempted', 'integer', (c) => c.notNull())
    .addColumn('tally', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
