import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { multiRowSql } from './bulk.js';
import type { Database } from './schema.js';

/** Kysely for PostgreSQL with no connection: it compiles, and runs nothing. */
const postgres = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const row = (k: number) => ({ scan_id: 7, issue_id: 100 + k, severity: k % 5, scanner_severity: k % 2 ? 'High' : null, score: k / 10, occurrences: k, is_new: 1 });

describe('the multi-row statement bulkRun sends PostgreSQL', () => {
  it('is the statement Kysely compiles for those rows, for an upsert and for an insert returning ids', () => {
    const rows = [row(1), row(2), row(3)];
    const upsert = (batch: ReturnType<typeof row>[]) =>
      postgres
        .insertInto('scan_issues')
        .values(batch)
        .onConflict((oc) => oc.columns(['scan_id', 'issue_id']).doUpdateSet({ occurrences: sql`scan_issues.occurrences + excluded.occurrences` }))
        .compile();
    const returning = (batch: ReturnType<typeof row>[]) => postgres.insertInto('scan_issues').values(batch).returning('issue_id').compile();
    for (const compile of [upsert, returning]) {
      for (const count of [1, 2, 3]) {
        const many = compile(rows.slice(0, count));
        expect(multiRowSql(compile([row(1)]).sql, 7, count)).toBe(many.sql);
        expect(many.parameters).toEqual(rows.slice(0, count).flatMap((r) => Object.values(r)));
      }
    }
  });

  it('refuses a statement whose text has no VALUES tuple for one row', () => {
    expect(() => multiRowSql('insert into "t" ("a") select $1', 1, 2)).toThrow('bulkRun: expected one "values ($1)" in insert into "t" ("a") select $1');
  });
});
