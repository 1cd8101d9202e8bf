import { type Kysely, PostgresAdapter, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Long `IN (…)` lists split into batches that stay under both dialects' limits on bound
 * parameters (SQLite 32 766, PostgreSQL 65 535), whatever else the statement binds.
 */
export const IN_LIST_BATCH = 5000;

export function batches<T>(items: Iterable<T>, size = IN_LIST_BATCH): T[][] {
  const all = [...items];
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

/**
 * `column IN (values)` with the values bound as one parameter (a JSON array read by json_each on
 * SQLite, an array on PostgreSQL): the statement's text stays the same whatever the list's length,
 * so it is prepared once and cached, where an IN list of 2 000 parameters is a new statement each
 * time. Values are ids or short texts; any number of them fits.
 */
export function inValues(db: Kysely<any>, column: string, values: ReadonlyArray<string | number>): RawBuilder<SqlBool> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return sql<SqlBool>`${sql.ref(column)} = any(${[...values]})`;
  return sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}
