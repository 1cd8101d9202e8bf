import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, PostgresAdapter } from 'kysely';

/**
 * The few column types that differ between SQLite and PostgreSQL, so that each migration is
 * written once for both.
 */
export interface ColumnTypes {
  /** Auto-incrementing integer primary key. */
  id<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
  real: 'real' | 'double precision';
}

export function columnTypes(db: Kysely<unknown>): ColumnTypes {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    id: (table) =>
      postgres
        ? table.addColumn('id', 'serial', (c: ColumnDefinitionBuilder) => c.primaryKey())
        : table.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement()),
    real: postgres ? 'double precision' : 'real',
  };
}
