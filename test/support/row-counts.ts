import { sql } from 'kysely';
import type { Store } from '../../src/store/database.js';

/** Rows in every table: a store "left exactly as it was" has the same counts before and after. */
export async function rowCounts(store: Store): Promise<Record<string, number>> {
  const tables = await store.db.introspection.getTables();
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    if (name.startsWith('kysely_')) continue;
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(store.db);
    counts[name] = Number(rows[0]?.n);
  }
  return counts;
}
