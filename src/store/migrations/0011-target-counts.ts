import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Stored counts of a target's variant (issue #17): an entity showing a target with 100 000 issues
 * read them all per request to count them. variant_tallies holds, per variant, what the entity
 * summary needs of it (insights/variant-tallies.ts): counts per severity of the active issues,
 * exempted, fixable, new, the per-severity breakdown and the per-scanner counts. A row says what it
 * was computed from (the target's scans, the exemptions that applied) and is used only while those
 * are still the same, so it is never wrong, only sometimes not there: then the summary is computed
 * from the issues, as before, and the next refresh of the entity stores it again.
 *
 * Two indexes let an entity's first issue page (worst first) read about one page of issues
 * (insights/issue-pages.ts): a scan's issues by severity, and a target's issues in the order of
 * their identifier (vulnerability id, else rule id, lower-cased, compared byte by byte).
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

  await db.schema.createIndex('scan_issues_scan_severity').on('scan_issues').columns(['scan_id', 'severity', 'issue_id']).execute();
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createIndex('issues_target_identifier')
    .on('issues')
    .columns(['target_id'])
    .expression(postgres ? sql`(lower(coalesce(vulnerability_id, rule_id, '')) collate "C")` : sql`lower(coalesce(vulnerability_id, rule_id, ''))`)
    .column('id')
    .execute();
}
