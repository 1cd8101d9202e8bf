import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachStore, openTestStore } from '../../test/support/stores.js';
import { bulkInsertIds, bulkRun, updateById } from './bulk.js';
import { ConstantStatementsPlugin } from './constant-statements.js';
import type { Store } from './database.js';

/** Kysely for PostgreSQL with no connection and the plugin: it compiles, and runs nothing. */
const postgres = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
  plugins: [new ConstantStatementsPlugin()],
});

const row = (k: number) => ({ scan_id: 7, issue_id: 100 + k, scanner_severity: k % 2 ? 'High' : null });

describe('statements ConstantStatementsPlugin rewrites for PostgreSQL', () => {
  it('sends an IN list of any length as one array parameter', () => {
    const texts = new Set<string>();
    for (const ids of [[1], [1, 2], [1, 2, 3]]) {
      const compiled = postgres.selectFrom('issues').select('id').where('id', 'in', ids).where('kind', 'not in', ['a', 'b'].slice(0, ids.length)).compile();
      texts.add(compiled.sql);
      expect(compiled.parameters).toEqual([ids, ['a', 'b'].slice(0, ids.length)]);
    }
    expect([...texts]).toEqual(['select "id" from "issues" where "id" = any($1) and "kind" <> all($2)']);
  });

  it('sends a multi-row insert of any length as one JSON parameter, in row order', () => {
    const insert = (count: number) =>
      postgres
        .insertInto('scan_issues')
        .values(Array.from({ length: count }, (_, k) => row(k)))
        .onConflict((oc) => oc.columns(['scan_id', 'issue_id']).doNothing())
        .returning('issue_id')
        .compile();
    const two = insert(2);
    expect(two.sql).toBe(
      'insert into "scan_issues" ("scan_id", "issue_id", "scanner_severity") select "scan_id", "issue_id", "scanner_severity" from json_populate_recordset(null::"scan_issues", $1) on conflict ("scan_id", "issue_id") do nothing returning "issue_id"',
    );
    expect(insert(5).sql).toBe(two.sql);
    expect(JSON.parse(insert(3).parameters[0] as string)).toEqual([row(0), row(1), row(2)]);
  });

  it('writes a lone surrogate as U+FFFD, which PostgreSQL JSON input would refuse', () => {
    const compiled = postgres.insertInto('t').values([{ a: 'x\ud800y' }, { a: 'ok' }]).compile();
    expect(compiled.parameters[0]).toBe('[{"a":"x\ufffdy"},{"a":"ok"}]');
    expect(postgres.selectFrom('t').selectAll().where('a', 'in', ['\udc00']).compile().parameters).toEqual([['\ufffd']]);
  });

  it('leaves alone what is not a list of plain values of one kind', () => {
    const cases = [
      // One row: a VALUES of one row has one text already.
      postgres.insertInto('t').values({ a: 1, b: 'x' }).compile(),
      // An expression among the values, a row that leaves a column to its default, a date.
      postgres.insertInto('t').values([{ a: 1 }, { a: sql<number>`1 + 1` }]).compile(),
      postgres.insertInto('t').values([{ a: 1, b: 'x' }, { a: 2 }]).compile(),
      postgres.insertInto('t').values([{ a: new Date(0) }, { a: new Date(1) }]).compile(),
      // Numbers and strings in one list have no one array type; a reference in a list is not a value.
      postgres.selectFrom('t').selectAll().where('a', 'in', [1, 'x']).compile(),
      postgres.selectFrom('t').selectAll().where('a', 'in', [sql<number>`1`, 2]).compile(),
      postgres.selectFrom('t').selectAll().where('a', 'in', [Number.NaN, 1]).compile(),
    ];
    expect(cases.map((c) => c.sql)).toEqual([
      'insert into "t" ("a", "b") values ($1, $2)',
      'insert into "t" ("a") values ($1), (1 + 1)',
      'insert into "t" ("a", "b") values ($1, $2), ($3, default)',
      'insert into "t" ("a") values ($1), ($2)',
      'select * from "t" where "a" in ($1, $2)',
      'select * from "t" where "a" in (1, $1)',
      'select * from "t" where "a" in ($1, $2)',
    ]);
  });
});

// The rewritten statements must answer as the lists did, with values a report can hold: quotes,
// backslashes, braces and commas (array literal syntax), the text NULL, non-ASCII, and on PostgreSQL
// a lone surrogate (better-sqlite3 writes its own bytes for one: not what the plugin changes).
describeEachStore('statements with list values of any length', (kind) => {
  const TEXTS = ['plain', "it's", 'back\\slash', '{a,b}', '"quoted"', 'NULL', 'null', '', 'émoji 🔥', kind === 'postgres' ? 'x\ud800y' : 'xy', 'comma, space'];
  let store: Store;
  let db: Kysely<any>;
  beforeEach(async () => {
    store = await openTestStore(kind);
    db = store.db as unknown as Kysely<any>;
    await sql`create table lists (id integer primary key, label text, n integer)`.execute(db);
  });
  afterEach(async () => store.close());

  const stored = async () => (await db.selectFrom('lists').select(['id', 'label', 'n']).orderBy('id').execute()) as { id: number; label: string | null; n: number | null }[];
  const expected = TEXTS.map((label, i) => ({ id: i + 1, label: label.replace('\ud800', '\ufffd'), n: i % 3 === 0 ? null : i }));

  it('inserts, finds and excludes every value as given', async () => {
    const ids = await db
      .insertInto('lists')
      .values(TEXTS.map((label, i) => ({ id: i + 1, label, n: i % 3 === 0 ? null : i })))
      .returning('id')
      .execute();
    expect(ids.map((r) => r.id)).toEqual(TEXTS.map((_, i) => i + 1));
    expect(await stored()).toEqual(expected);
    for (const some of [TEXTS.slice(0, 3), TEXTS.slice(3, 9), [TEXTS[9] as string]]) {
      const found = await db.selectFrom('lists').select('id').where('label', 'in', some).orderBy('id').execute();
      expect(found.map((r) => r.id)).toEqual(some.map((t) => TEXTS.indexOf(t) + 1));
      const others = await db.selectFrom('lists').select('id').where('label', 'not in', some).orderBy('id').execute();
      expect(others.map((r) => r.id)).toEqual(TEXTS.map((_, i) => i + 1).filter((id) => !some.includes(TEXTS[id - 1] as string)));
    }
    const byId = await db.selectFrom('lists').select('label').where('id', 'in', [2, 10]).orderBy('id').execute();
    expect(byId.map((r) => r.label)).toEqual(["it's", kind === 'postgres' ? 'x\ufffdy' : 'xy']);
  });

  it('bulkRun and bulkInsertIds write them in row order, updateById rewrites them', async () => {
    const half = Math.ceil(TEXTS.length / 2);
    const returned = await store.transaction((trx) =>
      bulkRun<{ id: number; label: string; n: number | null }, { id: number }>(
        store,
        trx,
        half,
        (i) => ({ id: i + 1, label: TEXTS[i] as string, n: i % 3 === 0 ? null : i }),
        (q, batch) => q.insertInto('lists' as never).values(batch as never).returning('id' as never),
        { returning: true },
      ),
    );
    expect(returned.map((r) => r.id)).toEqual(expected.slice(0, half).map((r) => r.id));
    const inserted = await store.transaction((trx) => bulkInsertIds(store, trx, 'lists' as never, TEXTS.length - half, (i) => ({ id: half + i + 1, label: TEXTS[half + i] as string, n: (half + i) % 3 === 0 ? null : half + i })));
    expect(inserted).toEqual(expected.slice(half).map((r) => r.id));
    expect(await stored()).toEqual(expected);
    const reversed = [...TEXTS].reverse();
    await updateById(store.db, 'lists' as never, [['label', 'text']], TEXTS.map((_, i) => ({ id: i + 1, label: reversed[i] as string })));
    expect((await stored()).map((r) => r.label)).toEqual(reversed.map((t) => t.replace('\ud800', '\ufffd')));
  });
});
