import type { Kysely } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * Exploitation feeds: CISA's Known Exploited Vulnerabilities catalog and FIRST's EPSS scores, one
 * row per CVE, replaced whole by each import; and one row per feed saying what was imported last
 * and what went wrong with the latest attempt. Issues are matched to them when read (by their CVE
 * and aliases), so an import never rewrites issue rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .createTable('feeds')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text')
    .addColumn('feed_date', 'text')
    .addColumn('version', 'text')
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'text')
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();

  await db.schema
    .createTable('kev_entries')
    .addColumn('cve', 'text', (c) => c.primaryKey())
    .addColumn('date_added', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text')
    .addColumn('ransomware', 'text')
    .addColumn('vendor', 'text')
    .addColumn('product', 'text')
    .addColumn('name', 'text')
    .execute();

  await db.schema
    .createTable('epss_scores')
    .addColumn('cve', 'text', (c) => c.primaryKey())
    .addColumn('epss', t.real, (c) => c.notNull())
    .addColumn('percentile', t.real, (c) => c.notNull())
    .execute();
}
