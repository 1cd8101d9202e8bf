import type BetterSqlite3 from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import type { Database } from './schema.js';

/** What the reader needs of a better-sqlite3 handle: prepared statements (cached by the caller). */
export interface StatementSource {
  prepare(sql: string): BetterSqlite3.Statement;
  close(): void;
}

/**
 * A Kysely dialect for `store.db` on SQLite that runs every statement that only reads on a
 * connection of its own, and hands every other statement to the writer (and so to the writer's
 * mutex: a write outside `transaction()` waits for the transaction in progress, as before).
 *
 * Why: Kysely's SQLite driver has one connection behind a mutex, and an ingest transaction holds
 * it for its whole length; in WAL mode a second connection reads the last committed state while
 * one writer writes, so pages and /api/health answer during an ingest.
 *
 * A statement is a read when SQLite says so (sqlite3_stmt_readonly), not by guessing from its text.
 * This dialect runs no transactions: those go through `store.transaction()` on the writer.
 */
export function readerDialect(reader: StatementSource, writer: Kysely<Database>): Dialect {
  // A statement the reader cannot even prepare (one naming what only the writer's connection
  // knows) is the writer's too: it prepares it again and reports any error.
  const readOnly = (sql: string): BetterSqlite3.Statement | undefined => {
    let statement: BetterSqlite3.Statement;
    try {
      statement = reader.prepare(sql);
    } catch {
      return undefined;
    }
    return statement.readonly ? statement : undefined;
  };
  const connection: DatabaseConnection = {
    executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
      const statement = readOnly(compiled.sql);
      if (!statement) return writer.executeQuery<R>(compiled);
      if (!statement.reader) {
        statement.run(compiled.parameters as unknown[]);
        return Promise.resolve({ rows: [] });
      }
      return Promise.resolve({ rows: statement.all(compiled.parameters as unknown[]) as R[] });
    },
    async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
      const statement = readOnly(compiled.sql);
      if (!statement) {
        yield await writer.executeQuery<R>(compiled);
        return;
      }
      for (const row of statement.iterate(compiled.parameters as unknown[])) yield { rows: [row as R] };
    },
  };
  const noTransactions = () => Promise.reject(new Error('store.db runs no transactions on SQLite: use store.transaction().'));
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: noTransactions,
    commitTransaction: noTransactions,
    rollbackTransaction: noTransactions,
    releaseConnection: async () => undefined,
    destroy: async () => reader.close(),
  };
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}
