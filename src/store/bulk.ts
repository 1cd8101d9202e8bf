import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Compilable, CompiledQuery, type Kysely, PostgresAdapter, sql } from 'kysely';
import { isWellFormed } from '../domain/well-formed.js';
import { ConstantStatementsPlugin, wellFormed } from './constant-statements.js';
import type { Store } from './database.js';
import type { Database } from './schema.js';

type SqlValue = string | number | null;
type Row = Record<string, SqlValue>;

/** A query over a batch of rows, built with Kysely so both dialects share one definition. */
export type BulkQuery<R extends Row> = (db: Kysely<Database>, rows: R[]) => Compilable & { execute(): Promise<unknown[]> };

/** PostgreSQL: values (rows × columns) one bulkRun statement carries, bounding its JSON parameter. */
const POSTGRES_VALUES_PER_BATCH = 65_000;
const CONSTANT_STATEMENTS = new ConstantStatementsPlugin();
/**
 * better-sqlite3 runs statements synchronously: a loop over many rows lets the event loop (other
 * requests, reads on the reader connection) run between runs of this many rows.
 */
export const SQLITE_ROWS_PER_TURN = 2_000;

/**
 * Runs an INSERT (optionally with ON CONFLICT … RETURNING) over `count` rows, made one at a time
 * by `rowAt` so that no list of row objects is ever held, and returns what the query returns, in
 * row order. On SQLite the query is compiled once for one row and run as a prepared statement per
 * row, better-sqlite3's fastest path; on PostgreSQL it runs as multi-row statements within the
 * parameter limit.
 *
 * Every row must have the same keys in the same order, and the query must take parameters only
 * from the row values (updates refer to `excluded.*`), which bulkRun checks.
 */
export async function bulkRun<R extends Row, Out = unknown>(
  store: Store,
  trx: Kysely<Database>,
  count: number,
  rowAt: (index: number) => R,
  query: BulkQuery<R>,
  options: { returning?: boolean } = {},
): Promise<Out[]> {
  if (count === 0) return [];
  const first = rowAt(0);
  const columns = Object.keys(first).length;
  const out: Out[] = [];
  if (store.sqlite) {
    const compiled = query(trx, [first]).compile();
    if (compiled.parameters.length !== columns) {
      throw new Error(`bulkRun: the query takes ${compiled.parameters.length} parameters for a row of ${columns} values`);
    }
    const statement = store.sqlite.prepare(compiled.sql);
    for (let i = 0; i < count; i++) {
      if (i > 0 && i % SQLITE_ROWS_PER_TURN === 0) await nextTurn();
      const values = Object.values(i === 0 ? first : rowAt(i));
      if (options.returning) out.push(statement.get(values) as Out);
      else statement.run(values);
    }
    return out;
  }
  // On PostgreSQL the rows go as one JSON parameter (ConstantStatementsPlugin), so that every batch
  // has one text however many rows it holds; the statement is compiled for two rows to get it.
  const compiled = query(trx.withPlugin(CONSTANT_STATEMENTS), [first, first]).compile();
  if (compiled.parameters.length !== 1) {
    throw new Error(`bulkRun: expected an insert of plain values, whose rows go as one parameter; got ${compiled.parameters.length} parameters in ${compiled.sql}`);
  }
  const batch = Math.max(1, Math.floor(POSTGRES_VALUES_PER_BATCH / columns));
  for (let start = 0; start < count; start += batch) {
    let json = '[';
    for (let i = start; i < Math.min(count, start + batch); i++) {
      json += (i === start ? '' : ',') + jsonRow(i === 0 ? first : rowAt(i));
    }
    const result = await trx.executeQuery<Out>(CompiledQuery.raw(compiled.sql, [json + ']']));
    if (options.returning) out.push(...result.rows);
  }
  return out;
}

/** A row as JSON, its strings made well-formed as PostgreSQL's JSON input needs (wellFormed); copied only then. */
function jsonRow(row: Row): string {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'string' && !isWellFormed(value)) {
      const clean: Record<string, unknown> = {};
      for (const k in row) clean[k] = wellFormed(row[k] as SqlValue);
      return JSON.stringify(clean);
    }
  }
  return JSON.stringify(row);
}

/**
 * Inserts rows into `table` and returns their new ids in row order: on SQLite from each
 * statement's lastInsertRowid (RETURNING costs SQLite twice the insert), on PostgreSQL from
 * multi-row INSERT … RETURNING id, whose rows come back in VALUES order.
 */
export async function bulkInsertIds<T extends keyof Database & string>(
  store: Store,
  trx: Kysely<Database>,
  table: T,
  count: number,
  rowAt: (index: number) => Row,
): Promise<number[]> {
  if (store.sqlite) {
    const ids: number[] = [];
    if (count === 0) return ids;
    const first = rowAt(0);
    const compiled = trx.insertInto(table).values(first as never).compile();
    const statement = store.sqlite.prepare(compiled.sql);
    for (let i = 0; i < count; i++) {
      if (i > 0 && i % SQLITE_ROWS_PER_TURN === 0) await nextTurn();
      ids.push(Number(statement.run(Object.values(i === 0 ? first : rowAt(i))).lastInsertRowid));
    }
    return ids;
  }
  const rows = await bulkRun<Row, { id: number }>(store, trx, count, rowAt, (db, batch) => db.insertInto(table).values(batch as never).returning('id' as never), { returning: true });
  return rows.map((r) => r.id);
}

/** A column an updateById sets, with the SQL type its value is cast to (VALUES lists carry none on PostgreSQL). */
export type UpdatedColumn<C extends string> = readonly [column: C, type: 'integer' | 'text'];

const UPDATE_BATCH = 1000;
const UNNEST_BATCH = 10_000;

/**
 * Writes new values of some columns into rows given by id: one UPDATE … FROM (VALUES …) per batch
 * of rows (on PostgreSQL FROM unnest(…) of one array per column, one text for any number of
 * rows), where one UPDATE per row costs a round trip each on PostgreSQL. Both dialects run it
 * about as fast as a multi-row insert. `id` must be an integer column of `table`.
 */
export async function updateById<C extends string>(
  db: Kysely<Database>,
  table: keyof Database & string,
  columns: readonly UpdatedColumn<C>[],
  rows: ReadonlyArray<{ id: number } & Record<C, SqlValue>>,
): Promise<void> {
  await updateByKey(db, table, [['id', 'integer']], columns, rows);
}

/**
 * updateById for rows given by other columns (`key`, a unique key of `table`), and optionally only
 * among the rows where `within` holds, such as the rows of one scorecard.
 */
export async function updateByKey<K extends string, C extends string>(
  db: Kysely<Database>,
  table: keyof Database & string,
  key: readonly UpdatedColumn<K>[],
  columns: readonly UpdatedColumn<C>[],
  rows: ReadonlyArray<Record<K | C, SqlValue>>,
  within?: Readonly<Record<string, SqlValue>>,
): Promise<void> {
  const all = [...key, ...columns];
  // A VALUES list names its columns column1, column2 … in both dialects.
  const value = (n: number) => sql`cast(${sql.ref(`v.column${n + 1}`)} as ${sql.raw((all[n] as UpdatedColumn<string>)[1])})`;
  const set = sql.join(columns.map(([column], n) => sql`${sql.ref(column)} = ${value(key.length + n)}`));
  const where = sql.join(
    [...key.map(([column], n) => sql`${sql.ref(`${table}.${column}`)} = ${value(n)}`), ...Object.entries(within ?? {}).map(([column, v]) => sql`${sql.ref(`${table}.${column}`)} = ${v}`)],
    sql` and `,
  );
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // One array per column, named as the VALUES list's: one text however many rows (ConstantStatementsPlugin).
    const names = sql.join(all.map((_, n) => sql.ref(`column${n + 1}`)));
    for (let i = 0; i < rows.length; i += UNNEST_BATCH) {
      const batch = rows.slice(i, i + UNNEST_BATCH);
      const arrays = sql.join(all.map(([column, type]) => sql`cast(${batch.map((row) => row[column])} as ${sql.raw(type)}[])`));
      await sql`update ${sql.table(table)} set ${set} from unnest(${arrays}) as v(${names}) where ${where}`.execute(db);
    }
    return;
  }
  for (let i = 0; i < rows.length; i += UPDATE_BATCH) {
    const values = sql.join(rows.slice(i, i + UPDATE_BATCH).map((row) => sql`(${sql.join(all.map(([column]) => row[column]))})`));
    await sql`update ${sql.table(table)} set ${set} from (values ${values}) as v where ${where}`.execute(db);
  }
}

/** Where an upsertRows writes: the table, its columns with their SQL types, the unique key and what a conflicting row takes. */
export interface Upsert<C extends string> {
  table: keyof Database & string;
  columns: ReadonlyArray<readonly [column: C, type: 'integer' | 'text' | 'double precision']>;
  key: readonly C[];
  /** Columns a row that exists takes from the new one. */
  update: readonly C[];
  /** Columns a row that exists adds the new one's value to (running sums). */
  add?: readonly C[];
}

/**
 * Inserts or updates many rows of one table. On SQLite one prepared statement runs per row (its
 * fastest path); on PostgreSQL each batch is one INSERT … SELECT FROM unnest(…) with one array
 * parameter per column, which PostgreSQL parses and plans once however many rows it carries —
 * where a multi-row VALUES list of tens of thousands of parameters costs more to build, send and
 * parse than to write.
 */
export async function upsertRows<C extends string>(store: Store, trx: Kysely<Database>, upsert: Upsert<C>, rows: ReadonlyArray<Record<C, SqlValue>>): Promise<void> {
  if (rows.length === 0) return;
  const columns = sql.join(upsert.columns.map(([column]) => sql.ref(column)));
  const set = [
    ...upsert.update.map((c) => sql`${sql.ref(c)} = ${sql.ref(`excluded.${c}`)}`),
    ...(upsert.add ?? []).map((c) => sql`${sql.ref(c)} = ${sql.ref(`${upsert.table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`),
  ];
  const onConflict = sql`on conflict (${sql.join(upsert.key.map((c) => sql.ref(c)))}) do update set ${sql.join(set)}`;
  if (store.sqlite) {
    const placeholders = sql.join(upsert.columns.map(() => sql`?`));
    const statement = store.sqlite.prepare(sql`insert into ${sql.table(upsert.table)} (${columns}) values (${placeholders}) ${onConflict}`.compile(trx).sql);
    for (let i = 0; i < rows.length; i++) {
      if (i > 0 && i % SQLITE_ROWS_PER_TURN === 0) await nextTurn();
      const row = rows[i] as Record<C, SqlValue>;
      statement.run(upsert.columns.map(([column]) => row[column]));
    }
    return;
  }
  for (let start = 0; start < rows.length; start += UNNEST_BATCH) {
    const batch = rows.slice(start, start + UNNEST_BATCH);
    const arrays = sql.join(upsert.columns.map(([column, type]) => sql`cast(${batch.map((row) => row[column])} as ${sql.raw(type)}[])`));
    await sql`insert into ${sql.table(upsert.table)} (${columns}) select * from unnest(${arrays}) ${onConflict}`.execute(trx);
  }
}
