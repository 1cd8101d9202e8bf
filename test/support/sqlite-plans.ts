import type { CompiledQuery, Kysely, KyselyPlugin } from 'kysely';
import type { Store } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';

/**
 * Gives the SQLite store's planner the statistics of a large estate for one table, as ANALYZE
 * writes them (sqlite_stat1: index → "rows rows-per-key…"), so that a plan test on a tiny test
 * store sees what the planner sees on the estate.
 */
export function useTableStatistics(store: Store, table: string, indexes: Record<string, string>): void {
  const sqlite = store.sqlite;
  if (!sqlite) throw new Error('table statistics are SQLite’s: the store is not SQLite');
  sqlite.exec('analyze');
  sqlite.prepare('delete from sqlite_stat1 where tbl = ?').run(table);
  const stat = sqlite.prepare('insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)');
  for (const [index, figures] of Object.entries(indexes)) stat.run(table, index, figures);
  sqlite.exec('analyze sqlite_schema');
}

/** A handle on the store's database that keeps every query it runs, compiled. */
export function capturingQueries(store: Store): { db: Kysely<Database>; compiled: CompiledQuery[] } {
  const compiled: CompiledQuery[] = [];
  const capture: KyselyPlugin = {
    transformQuery: (args) => {
      compiled.push(store.db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: store.db.withPlugin(capture), compiled };
}

/** SQLite's query plan of a compiled query, its steps' details one a line. */
export function sqlitePlan(store: Store, query: CompiledQuery): string {
  const sqlite = store.sqlite;
  if (!sqlite) throw new Error('the store is not SQLite');
  const rows = sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as Array<{ detail: string }>;
  return rows.map((r) => r.detail).join('\n');
}
