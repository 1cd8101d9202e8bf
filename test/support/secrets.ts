import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Store } from '../../src/store/database.js';

/**
 * Where any of `needles` is stored: `table.column` for each value of every column of every table
 * that holds one; on SQLite also `file` when the database file's bytes do (after a WAL checkpoint,
 * so that the file holds everything written).
 */
export async function whereStored(store: Store, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const table of await tablesOf(store)) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    for (const row of rows.rows) {
      for (const [column, value] of Object.entries(row)) {
        const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('latin1') : undefined;
        if (text !== undefined && needles.some((n) => text.includes(n))) found.push(`${table}.${column}`);
      }
    }
  }
  if (store.sqlite) {
    store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(store.sqlite.name).toString('latin1');
    if (needles.some((n) => bytes.includes(n))) found.push('file');
  }
  return found;
}

/** The store's own tables (on PostgreSQL, those of its schema, not every test's). */
async function tablesOf(store: Store): Promise<string[]> {
  const query =
    store.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
      : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`;
  const tables = (await query.execute(store.db)).rows.map((r) => r.name);
  if (!tables.includes('api_tokens')) throw new Error(`The store's tables were not found: ${tables.join(', ')}.`);
  return tables;
}
