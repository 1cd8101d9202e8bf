import type { Compilable, Kysely } from 'kysely';
import type { Store } from './database.js';
import type { Database } from './schema.js';

type SqlValue = string | number | null;
type Row = Record<string, SqlValue>;

/** A query over a batch of rows, built with Kysely so both dialects share one definition. */
export type BulkQuery<R extends Row> = (db: Kysely<Database>, rows: R[]) => Compilable & { execute(): Promise<unknown[]> };

const POSTGRES_MAX_PARAMETERS = 65_000;

/**
 * Runs an INSERT (optionally with ON CONFLICT … RETURNING) over many rows inside a transaction
 * and returns what it returns, in row order. On SQLite the query is compiled once for one row and
 * run as a prepared statement per row, which is the fastest path better-sqlite3 offers; on
 * PostgreSQL it runs as multi-row statements within the parameter limit.
 *
 * Every row must have the same keys in the same order, and the query must take parameters only
 * from the row values (updates refer to `excluded.*`), which bulkRun checks.
 */
export async function bulkRun<R extends Row, Out = unknown>(
  store: Store,
  trx: Kysely<Database>,
  rows: R[],
  query: BulkQuery<R>,
  options: { returning?: boolean } = {},
): Promise<Out[]> {
  const first = rows[0];
  if (first === undefined) return [];
  const columns = Object.keys(first).length;
  if (store.sqlite) {
    const compiled = query(trx, [first]).compile();
    if (compiled.parameters.length !== columns) {
      throw new Error(`bulkRun: the query takes ${compiled.parameters.length} parameters for a row of ${columns} values`);
    }
    const statement = store.sqlite.prepare(compiled.sql);
    const out: Out[] = [];
    for (const row of rows) {
      const values = Object.values(row);
      if (options.returning) out.push(statement.get(values) as Out);
      else statement.run(values);
    }
    return out;
  }
  const batch = Math.max(1, Math.floor(POSTGRES_MAX_PARAMETERS / columns));
  const out: Out[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const result = await query(trx, rows.slice(i, i + batch)).execute();
    if (options.returning) out.push(...(result as Out[]));
  }
  return out;
}
