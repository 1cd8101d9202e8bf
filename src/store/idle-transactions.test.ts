import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test/support/stores.js';
import { LanternMetrics } from '../api/metrics.js';
import { InputError, UnavailableError } from '../domain/errors.js';
import { DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS, idleTransactionTimeoutFrom, openStore, type Store } from './database.js';
import { withJobLease } from './job-lease.js';
import { databaseUnavailable } from './unavailable.js';

describe('LANTERN_PG_IDLE_TRANSACTION_TIMEOUT', () => {
  it('is a minute when unset, a duration or seconds when set, 0 for never, and refused otherwise', () => {
    expect(idleTransactionTimeoutFrom({})).toBe(DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS);
    expect(DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS).toBe(60_000);
    expect(idleTransactionTimeoutFrom({ LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: ' ' })).toBe(60_000);
    expect(idleTransactionTimeoutFrom({ LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: '5m' })).toBe(300_000);
    expect(idleTransactionTimeoutFrom({ LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: '90' })).toBe(90_000);
    expect(idleTransactionTimeoutFrom({ LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: '0' })).toBe(0);
    expect(() => idleTransactionTimeoutFrom({ LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: 'soon' })).toThrow(InputError);
    expect(() => idleTransactionTimeoutFrom({ LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: 'soon' })).toThrow('Invalid LANTERN_PG_IDLE_TRANSACTION_TIMEOUT "soon": expected a duration such as 30s, 5m or 1h');
  });
});

let counter = 0;

/** A transaction that stops sending statements (a stuck process) is ended by PostgreSQL, and nothing else is. */
describe.skipIf(!POSTGRES_URL)('a transaction left idle [postgres]', () => {
  const TIMEOUT_MS = 300;
  let store: Store;
  let other: Store;

  beforeEach(async () => {
    const schema = `lantern_t${process.env.LANTERN_TEST_RUN ?? 'adhoc'}_${process.pid}_idle${++counter}`;
    store = await openStore(POSTGRES_URL as string, { schema, poolSize: 2, idleTransactionTimeoutMs: TIMEOUT_MS });
    // Another process's way in, with the default timeout.
    other = await openStore(POSTGRES_URL as string, { schema, poolSize: 1 });
  });
  afterEach(async () => {
    await store.close();
    await other.close();
  });

  it('is rolled back with its locks released, told to the listeners and the metrics, and the pool goes on', async () => {
    const heard: string[] = [];
    const unwatch = store.watchConnectionErrors((error, lost) => heard.push(`${lost} ${String((error as { code?: unknown }).code)}`));
    const metrics = new LanternMetrics(store);
    const unwatchMetrics = metrics.watchTransactions();
    const failure = await store
      .transaction(async (trx) => {
        await sql`select pg_advisory_xact_lock(4242)`.execute(trx);
        await trx.insertInto('orgs').values({ identifier: 'stuck', created_at: new Date().toISOString() }).execute();
        await delay(TIMEOUT_MS * 4);
        await sql`select 1`.execute(trx);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    // A request that ran it answers 503 with Retry-After: asking again runs the work anew.
    expect(databaseUnavailable(failure)).toBeInstanceOf(UnavailableError);
    expect(await other.db.selectFrom('orgs').select('id').where('identifier', '=', 'stuck').executeTakeFirst()).toBeUndefined();
    const taken = await sql<{ free: boolean }>`select pg_try_advisory_xact_lock(4242) as free`.execute(other.db);
    expect(taken.rows[0]?.free).toBe(true);
    expect(heard).toEqual(['idle-transaction 25P03']);
    expect((await metrics.scrape()).text).toMatch(/^lantern_db_idle_transactions_ended_total 1$/m);
    // The pool dropped the ended connection: the next transaction gets another.
    expect(await store.transaction(async (trx) => (await sql<{ one: number }>`select 1 as one`.execute(trx)).rows)).toEqual([{ one: 1 }]);
    unwatch();
    unwatchMetrics();
  });

  it('leaves a transaction alone while its statement runs, however long', async () => {
    const heard: string[] = [];
    const unwatch = store.watchConnectionErrors((_error, lost) => heard.push(lost));
    const rows = await store.transaction(async (trx) => {
      await sql`select pg_sleep(${(TIMEOUT_MS * 3) / 1000})`.execute(trx);
      return (await sql<{ one: number }>`select 1 as one`.execute(trx)).rows;
    });
    expect(rows).toEqual([{ one: 1 }]);
    expect(heard).toEqual([]);
    unwatch();
  });

  it('spares the job lease, idle by design while its job runs', async () => {
    let meanwhile: unknown;
    const outcome = await withJobLease(store, 'slow-job', async () => {
      await delay(TIMEOUT_MS * 4);
      // Another replica still finds the lease held.
      meanwhile = await withJobLease(other, 'slow-job', async () => 'ran twice');
      return 'done';
    });
    expect(outcome).toEqual({ ran: true, value: 'done' });
    expect(meanwhile).toEqual({ ran: false });
  });
});
