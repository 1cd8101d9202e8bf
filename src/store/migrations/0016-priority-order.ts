import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The priority order (docs/prioritisation.md) stored per issue, so that an entity's issues are
 * ordered by the database instead of matched with the feeds and sorted in JavaScript on every
 * request (issue 14): `priority_head` is what the feeds decide (known-exploited and its CISA due
 * date, the EPSS band), `priority_tail` what breaks ties after severity (fixable, the EPSS score,
 * the identifier); severity, which each scan gives, sits between them when read
 * (insights/priority-order.ts). Both are written at ingest for the scan's issues and at each feed
 * import for every vulnerability issue.
 *
 * An issue without a vulnerability id is never matched with a feed: its parts are known here. The
 * others stay null until the next ingest of their target or the next feed import; their entity's
 * list is sorted as before until then.
 *
 * On SQLite the EPSS table becomes WITHOUT ROWID: its rows then live in the primary-key B-tree
 * itself, so an import of 300 000 scores writes one B-tree instead of a table and its key index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.alterTable('issues').addColumn('priority_head', 'text').execute();
  await db.schema.alterTable('issues').addColumn('priority_tail', 'text').execute();
  // '1' not in KEV, '9999-12-31' no due date, '3' no EPSS band; not fixable or fixable; '2…' no score.
  await sql`
    UPDATE issues
    SET priority_head = '19999-12-313',
        priority_tail = CASE WHEN fixed_version IS NULL OR fixed_version = '' THEN '1' ELSE '0' END || '20000000000' || COALESCE(rule_id, '')
    WHERE vulnerability_id IS NULL
  `.execute(db);

  if (!postgres) {
    await sql`CREATE TABLE epss_scores_keyed (cve text PRIMARY KEY, epss real NOT NULL, percentile real NOT NULL) WITHOUT ROWID`.execute(db);
    await sql`INSERT INTO epss_scores_keyed (cve, epss, percentile) SELECT cve, epss, percentile FROM epss_scores`.execute(db);
    await sql`DROP TABLE epss_scores`.execute(db);
    await sql`ALTER TABLE epss_scores_keyed RENAME TO epss_scores`.execute(db);
  }
}
