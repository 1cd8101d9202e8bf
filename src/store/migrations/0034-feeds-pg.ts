import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * PostgreSQL compares EPSS CVE ids byte by byte (COLLATE "C"), as SQLite does (BINARY): an EPSS
 * import builds the table's primary key after loading its 300 000 rows (store/feeds.ts), and
 * sorting them by the database's locale cost half as much again as by bytes. The ids are ASCII
 * (`CVE-YYYY-N…`, upper case), so equality and order are the same either way, and the table is
 * only ever read by CVE (`cve in (…)`), which takes the column's collation. An import's new table
 * copies the column, collation and all (CREATE TABLE … LIKE).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`ALTER TABLE epss_scores ALTER COLUMN cve TYPE text COLLATE "C"`.execute(db);
}
