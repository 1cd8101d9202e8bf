import { sql } from 'kysely';
import type { Store } from '../../src/store/database.js';

/** Rows in every table: a store "left exactly as it was" has the same counts before and after. */
export async function rowCounts(store: Store): Promise<Record<string, number>> {
  // Only this store's own tables: on PostgreSQL other schemas of the same database belong to other tests.
  const tables =
    store.dialect === 'postgres'
      ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(store.db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(store.db)).rows;
  const counts: Record<string, number> = {};
  for (const { name } of tables.sort((a, b) => a.name.localeCompare(b.name))) {
    if (name.startsWith('kysely_')) continue;
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(store.db);
    counts[name] = Number(rows[0]?.n);
  }
  return counts;
}
