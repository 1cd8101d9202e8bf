import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { describeEachStore, openTestStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import { InputError } from '../domain/errors.js';
import { databaseUrlFrom, openStore, preparedStatementsFrom, redactPassword, withDefaultUser, type Store } from './database.js';

describeEachStore('store', (kind: StoreKind) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('creates the schema on first open', async () => {
    store = await openTestStore(kind);
    const { rows } = await sql<{ n: number }>`select count(*) as n from targets`.execute(store.db);
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('commits a transaction and rolls back one that throws', async () => {
    store = await openTestStore(kind);
    const s = store;
    const now = new Date().toISOString();
    await s.transaction((trx) => trx.insertInto('orgs').values({ identifier: 'kept', created_at: now }).execute());
    await expect(
      s.transaction(async (trx) => {
        await trx.insertInto('orgs').values({ identifier: 'dropped', created_at: now }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const orgs = await s.db.selectFrom('orgs').select('identifier').execute();
    expect(orgs.map((o) => o.identifier)).toEqual(['kept']);
  });

  it('runs concurrent transactions one after another', async () => {
    store = await openTestStore(kind);
    const s = store;
    const now = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.transaction(async (trx) => {
          await trx.insertInto('orgs').values({ identifier: `o${i}`, created_at: now }).execute();
        }),
      ),
    );
    const { rows } = await sql<{ n: number }>`select count(*) as n from orgs`.execute(s.db);
    expect(Number(rows[0]?.n)).toBe(8);
  });

  it('tells its watchers how long each transaction waited to begin, and stops when unsubscribed', async () => {
    // On PostgreSQL a pool of one connection: the second transaction waits for it, as requests do
    // when the pool is exhausted.
    store = await openTestStore(kind, kind === 'postgres' ? { poolSize: 1 } : {});
    const s = store;
    const waits: number[] = [];
    const unwatch = s.watchTransactions({ began: (ms) => waits.push(ms) });
    // The second is asked for while the first holds the connection (SQLite's one writer, or the
    // pool's one): it begins only after the first ended.
    let release = () => {};
    const holding = new Promise<void>((resolve) => (release = resolve));
    let firstEnded = false;
    let beganAfterFirst: boolean | undefined;
    const first = s.transaction(async (trx) => {
      await trx.insertInto('orgs').values({ identifier: 'first', created_at: 'now' }).execute();
      await holding;
      firstEnded = true;
    });
    const second = s.transaction(async (trx) => {
      beganAfterFirst = firstEnded;
      await trx.insertInto('orgs').values({ identifier: 'second', created_at: 'now' }).execute();
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    release();
    await Promise.all([first, second]);
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms >= 0)).toBe(true);
    expect(beganAfterFirst).toBe(true);
    // It waited the whole time the first was held, at least the test's 30 ms.
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(25);
    unwatch();
    await s.transaction((trx) => trx.insertInto('orgs').values({ identifier: 'unwatched', created_at: 'now' }).execute());
    expect(waits).toHaveLength(2);
  });
});

it.skipIf(!POSTGRES_URL)('tells its watchers of each run again after a lost race, by race (PostgreSQL)', async () => {
  const store = await openTestStore('postgres');
  try {
    const races: string[] = [];
    store.watchTransactions({ retried: (race) => races.push(race) });
    let attempts = 0;
    const codes = ['40001', '40P01', '23505'];
    const result = await store.transaction(
      async () => {
        const code = codes[attempts++];
        if (code) throw Object.assign(new Error(`lost race ${code}`), { code });
        return 'done';
      },
      { retry: true },
    );
    expect(result).toBe('done');
    expect(races).toEqual(['serialization', 'deadlock', 'unique-violation']);
    // Any other error is not a race: not run again, not counted.
    await expect(store.transaction(async () => Promise.reject(Object.assign(new Error('syntax'), { code: '42601' })), { retry: true })).rejects.toThrow('syntax');
    expect(races).toHaveLength(3);
  } finally {
    await store.close();
  }
});

it('runs nothing on each connection of SQLite, which has no pool', async () => {
  const store = await openTestStore('sqlite');
  try {
    let runs = 0;
    expect(await store.onEachConnection(async () => void runs++)).toBe(0);
    expect(runs).toBe(0);
  } finally {
    await store.close();
  }
});

describe.skipIf(!POSTGRES_URL)('work run on each connection of the pool (PostgreSQL)', () => {
  const pid = async (store: Store) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]?.pid as number;
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  /** `count` transactions that each hold a connection (once they have one) until `end()`. */
  const holdConnections = (store: Store, count: number) => {
    let finish = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const held = Array.from({ length: count }, () =>
      store.transaction(async (trx) => {
        await sql`select 1`.execute(trx);
        await finished;
      }),
    );
    return {
      end: async () => {
        finish();
        await Promise.all(held);
      },
    };
  };

  it('runs once on each connection but one, each on its own server process, and leaves them open and idle', async () => {
    const store = await openTestStore('postgres', { poolSize: 4 });
    try {
      const pids: number[] = [];
      expect(await store.onEachConnection(async () => void pids.push(await pid(store)))).toBe(3);
      expect(new Set(pids).size).toBe(3);
      expect(store.connections()).toEqual({ total: 3, idle: 3, waiting: 0 });
      // The pool hands out the connection released last: the next query runs where the last run did.
      const last: number[] = [];
      await store.onEachConnection(async () => void last.push(await pid(store)));
      expect(await pid(store)).toBe(last.at(-1));
    } finally {
      await store.close();
    }
  });

  it('runs on one connection of a pool of one, at most `limit`, and stops when its signal aborts', async () => {
    const single = await openTestStore('postgres', { poolSize: 1 });
    const store = await openTestStore('postgres', { poolSize: 4 });
    try {
      expect(await single.onEachConnection(async () => void (await pid(single)))).toBe(1);
      expect(await store.onEachConnection(async () => void (await pid(store)), { limit: 2 })).toBe(2);
      const stop = new AbortController();
      let runs = 0;
      expect(await store.onEachConnection(async () => void (++runs === 2 && stop.abort()), { signal: stop.signal })).toBe(2);
      expect(runs).toBe(2);
      expect(store.connections()).toMatchObject({ waiting: 0 });
      expect(store.connections()?.idle).toBe(store.connections()?.total);
    } finally {
      await Promise.all([single.close(), store.close()]);
    }
  });

  it('takes only the connections no one holds, leaving one of them, and does not wait for the others', async () => {
    const store = await openTestStore('postgres', { poolSize: 4 });
    try {
      // Two connections held by work that ends only after the runs: the runs must not wait for them.
      const holding = holdConnections(store, 2);
      await until(() => store.connections()?.total === 2);
      const pids: number[] = [];
      expect(await store.onEachConnection(async () => void pids.push(await pid(store)))).toBe(1);
      expect(pids).toHaveLength(1);
      await holding.end();
    } finally {
      await store.close();
    }
  });

  it('stops, giving its connections to a request that waits for one', async () => {
    const store = await openTestStore('postgres', { poolSize: 3 });
    try {
      let requests: ReturnType<typeof holdConnections> | undefined;
      let runs = 0;
      const ran = await store.onEachConnection(async () => {
        runs++;
        // The first run's work leaves three transactions behind: one takes the connection the run
        // was given, one the spare, and the third waits (the other connection is held for the next run).
        requests = holdConnections(store, 3);
        await until(() => store.connections()?.waiting === 1);
      });
      expect([ran, runs]).toEqual([1, 1]);
      // The waiting one got the connection held for the next run.
      expect(store.connections()).toMatchObject({ total: 3, waiting: 0 });
      await requests?.end();
    } finally {
      await store.close();
    }
  });

  it('gives back every connection it held when a run fails', async () => {
    const store = await openTestStore('postgres', { poolSize: 4 });
    try {
      let runs = 0;
      await expect(
        store.onEachConnection(async () => {
          if (++runs === 2) throw new Error('run failed');
        }),
      ).rejects.toThrow('run failed');
      expect(runs).toBe(2);
      expect(store.connections()).toEqual({ total: 3, idle: 3, waiting: 0 });
      // The pool is whole: all four connections can be taken at once.
      expect(new Set(await Promise.all(Array.from({ length: 4 }, () => store.transaction(async (trx) => (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(trx)).rows[0]?.pid)))).size).toBe(4);
    } finally {
      await store.close();
    }
  });
});

it('chooses the database from the flag, then the environment, then lantern.db', () => {
  expect(databaseUrlFrom('x.db', { LANTERN_DATABASE_URL: 'postgres://h/db' })).toBe('x.db');
  expect(databaseUrlFrom(undefined, { LANTERN_DATABASE_URL: 'postgres://h/db' })).toBe('postgres://h/db');
  expect(databaseUrlFrom(undefined, {})).toBe('lantern.db');
});

it('never shows a password', () => {
  expect(redactPassword('postgres://lantern:s3cret@db:5432/lantern')).toBe('postgres://lantern:****@db:5432/lantern');
});

it('explains a database that cannot be opened', async () => {
  await expect(openStore('/nonexistent-lantern-dir/here.db')).rejects.toThrow(InputError);
  await expect(openStore('postgres://127.0.0.1:1/none')).rejects.toThrow(/^Cannot connect to PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/none/);
});

it.skipIf(!POSTGRES_URL)('keeps an unused connection past pg\'s 10 s, with what its server process loaded', async () => {
  const store = await openTestStore('postgres');
  try {
    const pid = async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]?.pid;
    const before = await pid();
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    expect(store.connections()).toMatchObject({ idle: 1 });
    expect(await pid()).toBe(before);
  } finally {
    await store.close();
  }
}, 20_000);

it.skipIf(!POSTGRES_URL)('migrates one schema while another schema of the database is being migrated, and takes turns on the same schema', async () => {
  const run = `lantern_t${process.env.LANTERN_TEST_RUN ?? 'adhoc'}_${process.pid}_lock`;
  const holder = new pg.Client({ connectionString: withDefaultUser(POSTGRES_URL ?? '') });
  await holder.connect();
  try {
    // Another process in the middle of migrating schema "<run>_a".
    await holder.query(`select pg_advisory_lock(hashtext($1))`, [`lantern-migrations:${run}_a`]);
    const other = await openStore(POSTGRES_URL ?? '', { schema: `${run}_b`, poolSize: 1 });
    await other.close();
    let opened = false;
    const same = openStore(POSTGRES_URL ?? '', { schema: `${run}_a`, poolSize: 1 }).then((store) => {
      opened = true;
      return store;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(opened).toBe(false);
    await holder.query(`select pg_advisory_unlock(hashtext($1))`, [`lantern-migrations:${run}_a`]);
    await (await same).close();
    expect(opened).toBe(true);
  } finally {
    for (const suffix of ['a', 'b']) await holder.query(`drop schema if exists ${run}_${suffix} cascade`);
    await holder.end();
  }
});

it.skipIf(!POSTGRES_URL)('prepares nothing when prepared statements are off (a pooler that cannot keep them)', async () => {
  const store = await openTestStore('postgres', { preparedStatements: false });
  try {
    const prepared = await store.transaction(async (trx) => {
      for (let k = 0; k < 3; k++) expect((await sql<{ n: number }>`select ${k}::int + 1 as n`.execute(trx)).rows[0]?.n).toBe(k + 1);
      return (await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(trx)).rows[0]?.n;
    });
    expect(prepared).toBe(0);
  } finally {
    await store.close();
  }
});

it('reads LANTERN_PG_PREPARED_STATEMENTS as on or off, and refuses anything else', () => {
  expect(preparedStatementsFrom({})).toBe(true);
  expect(preparedStatementsFrom({ LANTERN_PG_PREPARED_STATEMENTS: 'on' })).toBe(true);
  expect(preparedStatementsFrom({ LANTERN_PG_PREPARED_STATEMENTS: ' OFF ' })).toBe(false);
  expect(() => preparedStatementsFrom({ LANTERN_PG_PREPARED_STATEMENTS: 'no' })).toThrow('Invalid LANTERN_PG_PREPARED_STATEMENTS "no": expected on or off.');
});

it.skipIf(!POSTGRES_URL)('prepares a statement a connection sends again, and a bounded number of them per connection', async () => {
  const store = await openTestStore('postgres');
  try {
    const prepared = await store.transaction(async (trx) => {
      // The migrations' own statements (they ran on this connection) are left out.
      const named = async () => (await sql<{ statement: string }>`select statement from pg_prepared_statements where statement like 'select%'`.execute(trx)).rows.map((r) => r.statement);
      for (let k = 0; k < 3; k++) expect((await sql<{ n: number }>`select ${k}::int + 1 as n`.execute(trx)).rows[0]?.n).toBe(k + 1);
      // Seen once: not yet prepared. Seen again: prepared, once.
      await sql`select ${1}::int as once`.execute(trx);
      const afterRepeats = await named();
      // Many different texts, each twice: answered all the same, prepared only up to the bound.
      for (let k = 0; k < 250; k++) {
        for (let repeat = 0; repeat < 2; repeat++) {
          expect((await sql<{ n: number }>`select ${k}::int as ${sql.ref(`n${k}`)}`.execute(trx)).rows[0]).toEqual({ [`n${k}`]: k });
        }
      }
      return { afterRepeats, all: await named() };
    });
    expect(prepared.afterRepeats).toEqual(['select $1::int + 1 as n']);
    expect(prepared.all.length).toBeGreaterThan(190);
    expect(prepared.all.length).toBeLessThanOrEqual(200);
  } finally {
    await store.close();
  }
});
