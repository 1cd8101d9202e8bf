import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type DialectAdapter,
  Kysely,
  type MigrationLockOptions,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  type SchemaMetadata,
  SqliteDialect,
  sql,
  type TableMetadata,
} from 'kysely';
import type { ClientBase, CustomTypesConfig, PoolClient } from 'pg';
import { InputError } from '../domain/errors.js';
import { parseInterval } from '../domain/interval.js';
import { ConstantStatementsPlugin } from './constant-statements.js';
import { migrationProvider } from './migrations/index.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { IDLE_IN_TRANSACTION_TIMEOUT } from './unavailable.js';
import { readerDialect } from './sqlite-reader.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** An open database with its schema migrated to the latest version. */
export interface Store {
  /**
   * Queries outside a transaction. On SQLite (a file) statements that only read run on a
   * connection of their own, so they answer while a transaction writes; others wait for it.
   */
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The URL with any password removed, safe to log. */
  readonly description: string;
  /** The better-sqlite3 handle that writes, for the bulk-insert fast path (store/bulk.ts); undefined on PostgreSQL. */
  readonly sqlite: BetterSqlite3.Database | undefined;
  /**
   * Runs `work` in one transaction and commits, or rolls back if it throws. On SQLite the
   * transaction starts IMMEDIATE, so a second writer waits for the first instead of failing.
   * With `retry`, on PostgreSQL a transaction that lost a race to another (serialization failure,
   * deadlock, unique violation) is rolled back and run again, a few times: only for work that
   * does nothing outside the database, so that running it again is safe.
   */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** PostgreSQL only: the pool's connections now, for metrics; undefined on SQLite. */
  connections(): PoolConnections | undefined;
  /**
   * PostgreSQL only: runs `work` once on each of up to `limit` of the pool's connections (opened if
   * need be), one after the other, so that each server process has loaded and planned what `work`
   * runs (ingest/rehearsal.ts). It takes only connections that are idle or that the pool can still
   * open, leaving one of those for requests (in a pool of more than one), and stops when a request
   * waits for a connection or `signal` aborts: a request waits at most for the run in progress, and
   * it never waits for connections that other work holds. Each run takes the connection released
   * last (pg's pool hands out the idle connection released last); a request that uses one
   * meanwhile can change which. Returns the number of runs; 0 on SQLite.
   */
  onEachConnection(work: () => Promise<void>, options?: { limit?: number; signal?: AbortSignal }): Promise<number>;
  /** SQLite only, when opened with `checkpointInThread`: the thread that checkpoints the WAL. */
  readonly checkpointer?: SqliteCheckpointer | undefined;
  /**
   * PostgreSQL only: the pg client that runs `trx`, for what Kysely cannot send (COPY … FROM
   * STDIN, store/feeds.ts); undefined on SQLite, or when the client is not this pool's own (a
   * pooler in front of the server answers with another backend).
   */
  clientOf(trx: Kysely<Database>): Promise<PgClient | undefined>;
  /**
   * Hears errors of connections no query was using (PostgreSQL closing idle connections when it
   * stops: `idle-connection`), and PostgreSQL ending a transaction left idle too long
   * (`idle-transaction`, DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS): the pool drops those connections and
   * connects again on the next query. Returns the unsubscriber. With no listener they are written
   * to stderr: never an unhandled 'error' event.
   */
  watchConnectionErrors(listener: (error: Error, lost: LostConnection) => void): () => void;
  /**
   * Hears how transactions wait: each one's wait to begin, and each run again after a lost race
   * (metrics). Returns the unsubscriber.
   */
  watchTransactions(listener: TransactionListener): () => void;
  close(): Promise<void>;
}

/** How a connection was lost: idle in the pool, or ended by PostgreSQL in a transaction that idled too long. */
export type LostConnection = 'idle-connection' | 'idle-transaction';

/** Why a transaction was run again: the race it lost (RACE_CODES). */
export type LostRace = 'serialization' | 'deadlock' | 'unique-violation';

export interface TransactionListener {
  /**
   * A transaction began after waiting this long since it was asked for: on SQLite for the one
   * writing connection (every write of the process takes turns on it) and for the file's write
   * lock (another process's write); on PostgreSQL for a pool connection and its BEGIN.
   */
  began?(waitedMs: number): void;
  /** A transaction lost a race to another and is run again (`retry`). */
  retried?(race: LostRace): void;
}

/** The listeners of one store's transactions, told of each wait and retry. */
class TransactionWatchers {
  readonly #listeners = new Set<TransactionListener>();

  watch(listener: TransactionListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Runs `begin`, and tells the listeners how long it took to reach `work` (the transaction's wait). */
  timed<T>(begin: (work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.#listeners.size === 0) return begin(work);
    const asked = performance.now();
    return begin((trx) => {
      const waited = performance.now() - asked;
      for (const listener of this.#listeners) listener.began?.(waited);
      return work(trx);
    });
  }

  retried(race: LostRace): void {
    for (const listener of this.#listeners) listener.retried?.(race);
  }
}

export type PgClient = ClientBase;

export interface PoolConnections {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

export interface TransactionOptions {
  /** Run the work again when it lost a race to a concurrent transaction (PostgreSQL; SQLite's are serial). */
  retry?: boolean;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to create and use (tests isolate themselves this way). */
  schema?: string;
  /** PostgreSQL only: connections in the pool. */
  poolSize?: number;
  /** SQLite only: how long a write waits for another process's write to end before it fails (503). */
  busyTimeoutMs?: number;
  /**
   * PostgreSQL only: whether a statement a connection repeats goes as a named prepared statement
   * (namingRepeatedStatements). Default: LANTERN_PG_PREPARED_STATEMENTS (`on` or `off`), else on;
   * off for a pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
   */
  preparedStatements?: boolean;
  /**
   * PostgreSQL only: how long a transaction may sit idle, its client sending nothing, before
   * PostgreSQL ends it (rolled back, its locks released); 0 never. Default:
   * LANTERN_PG_IDLE_TRANSACTION_TIMEOUT (idleTransactionTimeoutFrom), else a minute.
   */
  idleTransactionTimeoutMs?: number;
  /**
   * SQLite (a file) only: checkpoint the WAL from a thread of its own instead of in the commit that
   * fills it (sqlite-checkpointer.ts), for a long-running server (`lantern serve`).
   */
  checkpointInThread?: boolean;
}

export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** PostgreSQL: a new connection that takes longer than this fails (503), instead of hanging while the server is unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;
/**
 * PostgreSQL: how long an unused connection is kept (pg's default is 10 s). A new connection's
 * server process has yet to load the tables, indexes and trigger functions it touches, which made
 * an ingest on one about 1.5 times as slow as on a connection that had ingested before (first
 * scans, loaded machine): scans from CI arrive seconds or minutes apart, and each found its connection closed.
 */
const IDLE_CONNECTION_MS = 10 * 60_000;

/**
 * PostgreSQL: a transaction idle for longer than this is ended by PostgreSQL
 * (idle_in_transaction_session_timeout). Lantern's transactions send their statements one after
 * another, with at most a chunk of a report parsed in between: one left idle this long is stuck
 * (a bug, a stalled process), and would hold its row and advisory locks — the link resolution's
 * among them, which every replica's linking ingests wait for — until the process died. The job
 * lease, idle by design while its job runs, turns it off for itself (job-lease.ts).
 */
export const DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS = 60_000;

/** LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: `30s`, `5m`, a number of seconds, or `0` for never; a minute when unset. */
export function idleTransactionTimeoutFrom(env: NodeJS.ProcessEnv): number {
  const value = env.LANTERN_PG_IDLE_TRANSACTION_TIMEOUT?.trim();
  if (value === undefined || value === '') return DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS;
  return parseInterval(value, 'LANTERN_PG_IDLE_TRANSACTION_TIMEOUT');
}

export const DEFAULT_DATABASE = 'lantern.db';

/** `--db` wins, then LANTERN_DATABASE_URL, then lantern.db in the working directory. */
export function databaseUrlFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ?? env.LANTERN_DATABASE_URL ?? DEFAULT_DATABASE;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Opens a `postgres://…` URL on PostgreSQL, anything else as a SQLite file path (created on first use). */
export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  const store = isPostgresUrl(url) ? await openPostgres(url, options) : openSqlite(url, options);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  // SQLite keeps no planner statistics unless asked; this refreshes the ones that matter, cheaply
  // (SQLite's advice for long-lived connections). PostgreSQL's autovacuum does it by itself.
  store.sqlite?.pragma('optimize=0x10002');
  return store;
}

function openSqlite(url: string, options: OpenOptions): Store {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS;
  const path = url.replace(/^sqlite:/i, '');
  const memory = path === ':memory:';
  // An in-memory or temporary database exists only on its own connection: no reader can open it.
  const privateDb = memory || path === '';
  let handle: BetterSqlite3.Database;
  let reader: BetterSqlite3.Database | undefined;
  try {
    handle = new BetterSqlite3(path);
    // Before the first table exists: wide issue rows write ~20% faster on 8 KiB pages.
    handle.pragma('page_size = 8192');
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    handle.pragma('foreign_keys = ON');
    handle.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (!privateDb) reader = openReader(path, busyTimeoutMs);
  } catch (error) {
    throw new InputError(`Cannot open the SQLite database ${JSON.stringify(path)}: ${(error as Error).message}.`);
  }
  const writer = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  const db = reader ? new Kysely<Database>({ dialect: readerDialect(withStatementCache(reader), writer) }) : writer;
  const checkpointer = options.checkpointInThread && !privateDb ? new SqliteCheckpointer(path, handle) : undefined;
  const transactions = new TransactionWatchers();
  return {
    db,
    dialect: 'sqlite',
    description: memory ? 'sqlite::memory:' : `sqlite:${resolve(path)}`,
    sqlite: handle,
    // Kysely's SQLite driver has one connection behind a mutex: holding it keeps every other write
    // of this process out of the transaction until it ends (reads go to the reader meanwhile).
    // The wait ends once BEGIN IMMEDIATE has the file's write lock.
    transaction: (work) =>
      transactions.timed(
        (begun) =>
          writer.connection().execute(async (connection) => {
            await sql`begin immediate`.execute(connection);
            try {
              const result = await begun(connection);
              await sql`commit`.execute(connection);
              return result;
            } catch (error) {
              if (handle.inTransaction) await sql`rollback`.execute(connection);
              throw error;
            }
          }),
        work,
      ),
    connections: () => undefined,
    onEachConnection: async () => 0,
    checkpointer,
    clientOf: async () => undefined,
    // better-sqlite3 reports every error to the statement that met it.
    watchConnectionErrors: () => () => undefined,
    watchTransactions: (listener) => transactions.watch(listener),
    close: async () => {
      // The thread's connection first: the writer's close, the last, checkpoints what is left.
      await checkpointer?.stop();
      if (db !== writer) await db.destroy();
      await writer.destroy();
    },
  };
}

/** A second, read-only connection to a SQLite file the writer has opened (and put in WAL mode). */
function openReader(path: string, busyTimeoutMs: number): BetterSqlite3.Database {
  const reader = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  reader.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return reader;
}

const STATEMENT_CACHE = 500;

/**
 * Kysely's SQLite driver prepares every query anew, which costs more than running most of them;
 * the same SQL text (Kysely compiles identical queries to identical text) reuses its statement.
 * Least recently used statements beyond the limit are dropped.
 */
function withStatementCache(handle: BetterSqlite3.Database): { prepare(sql: string): BetterSqlite3.Statement; close(): void } {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement) cache.delete(sql);
      else statement = handle.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
      return statement;
    },
    close: () => handle.close(),
  };
}

// COUNT and SUM come back from PostgreSQL as int8/numeric strings; our numbers fit in a double.
const INT8 = 20;
const NUMERIC = 1700;

async function openPostgres(url: string, options: OpenOptions): Promise<Store> {
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new InputError(`Invalid PostgreSQL schema name ${JSON.stringify(schema)}: expected lower-case letters, digits and '_'.`);
  }
  // Loaded only for PostgreSQL: a CLI run on a SQLite file does not pay for the driver.
  const { default: pg } = await import('pg');
  const pgTypeParser = (oid: number, format?: string): ((value: string) => unknown) => {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  };
  const idleTransactionTimeoutMs = options.idleTransactionTimeoutMs ?? idleTransactionTimeoutFrom(process.env);
  const pool = new pg.Pool({
    connectionString: withDefaultUser(url),
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    // Kept connections do not keep a process that is otherwise done (a CLI command) waiting for them.
    allowExitOnIdle: true,
    // A connection whose peer vanished (a cut network, a failed-over host) is found out instead of
    // waiting forever for an answer.
    keepAlive: true,
    types: { getTypeParser: pgTypeParser } as CustomTypesConfig,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const description = redactPassword(url);
  // Without a listener, an idle connection's error (PostgreSQL stopping, a network cut) would be an
  // unhandled 'error' event, which ends the process. The pool has already dropped that connection.
  const listeners = new Set<(error: Error, lost: LostConnection) => void>();
  const report = (error: Error, lost: LostConnection) => {
    if (listeners.size === 0) {
      process.stderr.write(
        lost === 'idle-transaction'
          ? `lantern: PostgreSQL at ${description} ended a transaction left idle for longer than ${idleTransactionTimeoutMs / 1000} s (LANTERN_PG_IDLE_TRANSACTION_TIMEOUT): it was rolled back\n`
          : `lantern: lost an idle connection to PostgreSQL at ${description}: ${error.message}\n`,
      );
    }
    for (const listener of listeners) listener(error, lost);
  };
  pool.on('error', (error) => report(error, 'idle-connection'));
  // The pool listens to its idle connections only: a connection a transaction holds between two
  // statements (an ingest parsing its next batch) that dies would be an unhandled 'error' event
  // too. Such an error needs no report: the next statement on it fails with it, and the pool drops
  // it. Unless PostgreSQL ended the transaction for idling: then something held it stuck, and
  // that is told.
  // The timeout is set by a statement queued ahead of the connection's first query, rather than as
  // a startup parameter, which PgBouncer refuses unless told to ignore it. Should it fail, the
  // connection is broken and the query behind it fails the same way.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if ((error as { code?: unknown }).code === IDLE_IN_TRANSACTION_TIMEOUT) report(error, 'idle-transaction');
    });
    if (idleTransactionTimeoutMs > 0) void client.query(`set idle_in_transaction_session_timeout = ${Math.round(idleTransactionTimeoutMs)}`).catch(() => undefined);
  });
  if (options.preparedStatements ?? preparedStatementsFrom(process.env)) pool.on('connect', (client) => namingRepeatedStatements(client));
  // Kysely keeps the client of a transaction to itself: it is found again by its backend's pid.
  const clients = new Set<ClientBase>();
  pool.on('connect', (client) => clients.add(client));
  pool.on('remove', (client) => clients.delete(client));
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists ${schema}`).catch((error: unknown) => {
        // Two processes creating the schema at once: "if not exists" does not stop the loser from
        // failing on the catalog's unique index (23505) or with duplicate_schema (42P06).
        const code = (error as { code?: unknown }).code;
        if (code !== '23505' && code !== '42P06') throw error;
      });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw new InputError(`Cannot connect to PostgreSQL at ${description}: ${(error as Error).message}.`);
  }
  const db = new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }, schema ?? 'public'), plugins: [new ConstantStatementsPlugin()] });
  const transactions = new TransactionWatchers();
  // Kysely calls the work once BEGIN has answered.
  const once = <T>(work: (trx: Kysely<Database>) => Promise<T>) => transactions.timed((begun) => db.transaction().execute(begun), work);
  return {
    db,
    dialect: 'postgres',
    description,
    sqlite: undefined,
    transaction: (work, transactionOptions) => (transactionOptions?.retry ? retryingRaces(() => once(work), (race) => transactions.retried(race)) : once(work)),
    connections: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    onEachConnection: async (work, each = {}) => {
      const max = pool.options.max;
      // Connections idle, or that the pool may still open: a request takes one without waiting.
      const spare = () => pool.idleCount + (max - pool.totalCount);
      const keep = max > 1 ? 1 : 0;
      // Held at once, so that they are distinct connections; then each released just before its run.
      // Taken only while another stays spare and no request waits: it never waits itself for
      // connections that other work holds.
      const held: PoolClient[] = [];
      const releaseAll = () => {
        for (const client of held.splice(0)) client.release();
      };
      let runs = 0;
      try {
        while (held.length < (each.limit ?? max) && spare() > keep && pool.waitingCount === 0 && !each.signal?.aborted) held.push(await pool.connect());
        for (let client = held.pop(); client; client = held.pop()) {
          // A request waits for a connection: it gets this one and the rest, and the runs stop.
          if (pool.waitingCount > 0 || each.signal?.aborted) {
            held.push(client);
            break;
          }
          client.release();
          await work();
          runs++;
        }
      } finally {
        releaseAll();
      }
      return runs;
    },
    clientOf: async (trx) => {
      const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid;
      for (const client of clients) if ((client as ClientBase & { processID?: number }).processID === pid) return client;
      return undefined;
    },
    watchConnectionErrors: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    watchTransactions: (listener) => transactions.watch(listener),
    close: () => db.destroy(),
  };
}

/** LANTERN_PG_PREPARED_STATEMENTS: `on` (the default when unset) or `off`. */
export function preparedStatementsFrom(env: NodeJS.ProcessEnv): boolean {
  const value = env.LANTERN_PG_PREPARED_STATEMENTS?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new InputError(`Invalid LANTERN_PG_PREPARED_STATEMENTS ${JSON.stringify(env.LANTERN_PG_PREPARED_STATEMENTS)}: expected on or off.`);
}

/** Statements a connection keeps prepared (pg's client keeps every named statement for good). */
const NAMED_STATEMENTS = 200;
/** Distinct statement texts a connection counts while it looks for the ones that repeat. */
const COUNTED_TEXTS = 2_000;

/**
 * PostgreSQL parses, analyses and plans every unnamed statement anew: for an ingest's ~60 short
 * statements that was a large part of the server's CPU time per report. A statement text a
 * connection sees a second time is sent as a named prepared statement from then on, which the
 * server parses once per connection (and whose plan it may keep: plan_cache_mode decides, by
 * comparing the generic plan's cost with the custom plans'). Only statements with parameters are
 * named (pg sends the others as simple queries, which may hold several statements), and only a
 * bounded number per connection: texts that vary (IN lists of any length) are counted up to a
 * limit, and once NAMED_STATEMENTS are prepared the rest stay unnamed.
 */
function namingRepeatedStatements(client: ClientBase): void {
  const seen = new Map<string, string | undefined>();
  let named = 0;
  // The client's own query, looked up at each call: not a copy that would hide a later change to it.
  const prototype = Object.getPrototypeOf(client) as { query: (...args: unknown[]) => unknown };
  const query = (...args: unknown[]) => prototype.query.apply(client, args);
  (client as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0) return query(config, values, callback);
    let name = seen.get(config);
    if (name === undefined) {
      if (seen.has(config)) {
        if (named < NAMED_STATEMENTS) {
          name = `lantern_${++named}`;
          seen.set(config, name);
        }
      } else if (seen.size < COUNTED_TEXTS) seen.set(config, undefined);
    }
    return name === undefined ? query(config, values, callback) : query({ name, text: config, values }, callback);
  };
}

/**
 * Kysely's PostgreSQL migration lock is one advisory lock for the whole database, so Lantern
 * stores in different schemas of one database (a staging and a production install, every test
 * worker) would wait for each other's migrations, and every CLI run would queue behind them. The
 * lock is taken per schema instead: two servers migrating the same schema still take turns.
 */
class SchemaLockAdapter extends PostgresAdapter {
  constructor(private readonly schema: string) {
    super();
  }

  override async acquireMigrationLock(db: Kysely<any>, _options: MigrationLockOptions): Promise<void> {
    await sql`select pg_advisory_lock(hashtext(${'lantern-migrations:' + this.schema}))`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<any>, _options: MigrationLockOptions): Promise<void> {
    await sql`select pg_advisory_unlock(hashtext(${'lantern-migrations:' + this.schema}))`.execute(db);
  }
}

class SchemaPostgresDialect extends PostgresDialect {
  constructor(config: ConstructorParameters<typeof PostgresDialect>[0], private readonly schema: string) {
    super(config);
  }

  override createAdapter(): DialectAdapter {
    return new SchemaLockAdapter(this.schema);
  }

  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SchemaIntrospector(db);
  }
}

/**
 * Kysely's PostgreSQL introspector reads every column of every table in every schema of the
 * database, and its migrator does so before each run to find its own two tables: seconds on a
 * database that holds many schemas (other installs, test runs), and a failure when another session
 * drops one of them meanwhile. Lantern only ever looks at its own schema (the connection's
 * search_path), so this introspector reads that one.
 */
class SchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname !~ '^pg_' and nspname <> 'information_schema'`.execute(this.db);
    return rows;
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<{ schema: string; table: string; kind: string; column: string | null; type: string | null; type_schema: string | null; not_null: boolean | null; has_default: boolean | null; auto: boolean | null; comment: string | null }>`
      select ns.nspname as schema, c.relname as table, c.relkind as kind, a.attname as column, t.typname as type,
             tns.nspname as type_schema, a.attnotnull as not_null, a.atthasdef as has_default,
             (a.attidentity <> '' or pg_get_serial_sequence(quote_ident(ns.nspname) || '.' || quote_ident(c.relname), a.attname) is not null) as auto,
             col_description(c.oid, a.attnum) as comment
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_catalog.pg_type t on t.oid = a.atttypid
      left join pg_catalog.pg_namespace tns on tns.oid = t.typnamespace
      where ns.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
      order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, { name: string; schema: string; isView: boolean; columns: TableMetadata['columns'][number][] }>();
    for (const row of rows) {
      if (!options.withInternalKyselyTables && (row.table === 'kysely_migration' || row.table === 'kysely_migration_lock')) continue;
      let table = tables.get(row.table);
      if (!table) tables.set(row.table, (table = { name: row.table, schema: row.schema, isView: row.kind === 'v', columns: [] }));
      if (row.column === null) continue;
      table.columns.push({
        name: row.column,
        dataType: row.type ?? '',
        ...(row.type_schema ? { dataTypeSchema: row.type_schema } : {}),
        isNullable: !row.not_null,
        isAutoIncrementing: row.auto === true,
        hasDefaultValue: row.has_default === true,
        ...(row.comment ? { comment: row.comment } : {}),
      });
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

/** SQLSTATEs of a transaction that lost a race: serialization failure, deadlock, unique violation. */
const RACE_CODES = new Map<string, LostRace>([
  ['40001', 'serialization'],
  ['40P01', 'deadlock'],
  ['23505', 'unique-violation'],
]);
export const TRANSACTION_ATTEMPTS = 5;

/** Whether an error means the transaction lost a race to another and may succeed if run again. */
export function isLostRace(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RACE_CODES.has(code);
}

/**
 * Runs `attempt` until it does not lose a race, at most TRANSACTION_ATTEMPTS times, waiting a
 * little longer (and a random part of it, so that the racers do not meet again) before each retry.
 */
async function retryingRaces<T>(attempt: () => Promise<T>, retried: (race: LostRace) => void): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= TRANSACTION_ATTEMPTS || !isLostRace(error)) throw error;
      retried(RACE_CODES.get((error as { code: string }).code) as LostRace);
      await delay((2 ** n) * 5 * (0.5 + Math.random()));
    }
  }
}

async function migrate(store: Store): Promise<void> {
  const { db } = store;
  // Kysely looks for its migration tables in every schema it can see; on PostgreSQL, pin them to
  // the connection's own schema so another schema's tables (another app, a parallel test) never count.
  const schema =
    store.dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) return;
    // Before running anything, Kysely reads the catalog of every schema to find its own tables, and
    // that read fails if another session drops a schema, table or column meanwhile. No migration
    // ran (results is undefined): read again.
    if (results === undefined && isConcurrentDrop(error) && attempt < 5) continue;
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Database migration ${failed ?? ''} failed: ${(error as Error).message}`);
  }
}

/**
 * Like psql, a URL without a user (and no PGUSER) connects as the operating-system account; pg
 * itself only reads $USER, which is often unset in containers and services.
 */
export function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (parsed.username !== '' || process.env.PGUSER || process.env.USER) return url;
  parsed.username = encodeURIComponent(userInfo().username);
  return parsed.toString();
}

/** PostgreSQL's "undefined schema, table or column": what another session's DROP leaves behind. */
function isConcurrentDrop(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '3F000' || code === '42P01' || code === '42703';
}

export function redactPassword(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1****@');
}
