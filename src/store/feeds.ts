import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay, setImmediate as nextTurn } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, sql } from 'kysely';
import type { PgClient, Store } from './database.js';
import { UnavailableError } from '../domain/errors.js';
import { chunkId, chunkIds, EPSS_CHUNK_ROWS, type EpssChunk, idOfKey, KEY_ID_LENGTH, writeIdOfKey, yearOfKey, yearPrefix } from '../feeds/epss-chunks.js';
import type { Database, FeedTable } from './schema.js';

type Db = Kysely<Database>;

export const FEED_NAMES = ['kev', 'epss'] as const;
export type FeedName = (typeof FEED_NAMES)[number];

/** What one feed holds and how its latest import went (lantern feeds status, GET /api/feeds). */
export interface FeedStatus {
  name: FeedName;
  /** False until an import succeeded: issues are then "never enriched" by this feed, not "not listed". */
  loaded: boolean;
  source: string | null;
  feedDate: string | null;
  version: string | null;
  rows: number;
  importedAt: string | null;
  attemptedAt: string | null;
  /** Why the latest attempt failed (the data of the import before it stays); null after a success. */
  error: string | null;
}

export async function feedStatuses(db: Db): Promise<FeedStatus[]> {
  const rows = await db.selectFrom('feeds').selectAll().execute();
  const byName = new Map(rows.map((r) => [r.name, r]));
  return FEED_NAMES.map((name) => statusOf(name, byName.get(name)));
}

function statusOf(name: FeedName, row: FeedTable | undefined): FeedStatus {
  return {
    name,
    loaded: row?.imported_at != null,
    source: row?.source ?? null,
    feedDate: row?.feed_date ?? null,
    version: row?.version ?? null,
    rows: row?.rows ?? 0,
    importedAt: row?.imported_at ?? null,
    attemptedAt: row?.attempted_at ?? null,
    error: row?.error ?? null,
  };
}

/** Records a successful import of a feed, in the import's transaction. */
export async function recordImport(trx: Db, name: FeedName, done: { source: string; date: string | null; version: string | null; rows: number; at: string }): Promise<void> {
  const row = { source: done.source, feed_date: done.date, version: done.version, rows: done.rows, imported_at: done.at, attempted_at: done.at, error: null };
  await trx
    .insertInto('feeds')
    .values({ name, ...row })
    .onConflict((oc) => oc.column('name').doUpdateSet(row))
    .execute();
}

/** Records a failed attempt; what the feed held before stays, and so does its import's record. */
export async function recordFailure(db: Db, name: FeedName, at: string, error: string): Promise<void> {
  await db
    .insertInto('feeds')
    .values({ name, source: null, feed_date: null, version: null, rows: 0, imported_at: null, attempted_at: at, error })
    .onConflict((oc) => oc.column('name').doUpdateSet({ attempted_at: at, error }))
    .execute();
}

/** One CVE's row of the EPSS table, as feeds/epss.ts reads it from the file. */
export interface EpssRow {
  cve: string;
  epss: number;
  percentile: number;
}

/** The table EPSS scores are read from: the stored one, or during an import on PostgreSQL the one it fills. */
export type EpssTable = 'epss_scores' | 'epss_scores_next';

/** What loadEpssScores() stored, and how the import's transaction makes it the table readers use. */
export interface LoadedEpss {
  /** Distinct CVEs stored. */
  rows: number;
  /** Where the new scores are until install(): the issues' priority keys are refreshed from it. */
  table: EpssTable;
  /** Puts the new scores in place of the previous ones; last in the import's transaction. */
  install(): Promise<void>;
}

/** Rows of one statement on PostgreSQL without COPY. */
const STATEMENT_ROWS = 5_000;
/** Bytes sent to PostgreSQL's COPY at a time (about 5 000 rows). */
const COPY_BUFFER = 256 * 1024;
/** The start of COPY's binary format. */
const COPY_SIGNATURE = 'PGCOPY\n\xff\r\n\0';
/** Rows per statement on SQLite: 3 parameters each, far under its limit of 32 766. */
const SQLITE_EPSS_ROWS = 500;
/** How long an import waits, by default, for readers of the previous scores before it swaps the tables. */
export const SWAP_LOCK_TIMEOUT_MS = 10_000;
const SWAP_ATTEMPTS = 3;

/**
 * Loads the EPSS scores of `chunks` (file order, as the parser hands them on: feeds/epss-parse.ts)
 * in the import's transaction, in place of the stored ones once install() ran: a CVE listed twice
 * keeps its first line. Readers see the previous scores until the transaction commits.
 *
 * What each store writes (docs/prioritisation.md, "How an import writes"): every row, whether the
 * table held scores or not — FIRST re-scores every CVE each day, so that a day's file differs from
 * the day before in most of its rows, and writing them all costs less than finding which differ.
 * The file is parsed in a thread of its own meanwhile.
 *   - SQLite: the stored rows are deleted (one statement, the table's pages freed whole); the
 *     file's rows are held in typed arrays as they come, and each year's rows are sorted by CVE
 *     and written as soon as the file has moved on to the next year, as prepared 500-row
 *     statements, each row appended after the one before it to the WITHOUT ROWID table's B-tree
 *     (migrations/0016); a file out of that order is sorted and written 65 536 rows at a time
 *     as they come (fillOnSqlite).
 *     Readers on other connections keep the previous rows (write-ahead log) until the commit.
 *   - PostgreSQL: every line streams through COPY … FROM STDIN (binary) while the file is still
 *     being parsed (the server works in its own process meanwhile) into a new table partitioned
 *     by ranges of whole years, one part at a time, each part keyed once its rows are in (a sort of
 *     CVE ids compared byte by byte, migrations/0034; a repeated CVE's later lines are deleted only
 *     when the build fails on them) while the thread parses the next part's lines, so that once the
 *     file is read only the last part's key is left to build (loadOnPostgres);
 *     install() then drops the stored table and gives the new one its name, so that the
 *     previous rows are neither updated nor deleted one by one (no dead rows for vacuum) and
 *     readers are never blocked while the file loads, only for the moment of the swap, which waits
 *     at most SWAP_LOCK_TIMEOUT_MS (or `lockTimeoutMs`, SWAP_ATTEMPTS times) for a reader of the old table to finish. Two imports take turns.
 */
export async function loadEpssScores(store: Store, trx: Db, chunks: AsyncIterable<EpssChunk>, options: EpssLoadOptions = {}): Promise<LoadedEpss> {
  const same = { table: 'epss_scores' as const, install: async () => undefined };
  if (store.sqlite) {
    store.sqlite.prepare('DELETE FROM epss_scores').run();
    return { rows: await fillOnSqlite(store.sqlite, chunks), ...same };
  }
  const client = await store.clientOf(trx);
  if (client) return loadOnPostgres(trx, client, chunks, options.lockTimeoutMs ?? SWAP_LOCK_TIMEOUT_MS, options.partRows ?? EPSS_PART_ROWS);
  return { rows: await replaceByStatements(trx, chunks), ...same };
}

/** Statements run between two turns of the event loop (5 000 rows). */
const SQLITE_STATEMENTS_A_TURN = 10;
/** Rows of a file out of FIRST's order sorted and written together, while the next are parsed. */
const SQLITE_UNORDERED_RUN = 65_536;

/**
 * Into an empty SQLite table, in CVE order, and a CVE already written keeps its row
 * (`DO NOTHING`): the first line wins without a set of every CVE seen, which cost about a fifth of
 * the import (300 000 strings hashed). The rows are counted as the statements write them (their
 * changes), not read back.
 *
 * The file's rows are held in typed arrays (EpssRows: 24 bytes a row, 7 MB for FIRST's 300 000
 * CVEs, about 50 MB at the most rows a file may have), so that every row is appended after the one
 * before it to the WITHOUT ROWID table's B-tree, on its last leaf page. An insert costs that
 * B-tree little on the page the row before it went to and several times that on another one;
 * FIRST's order (by year, then by number) is not the ids' order as text within a year (its
 * 5-digit numbers come after its 4-digit ones, and between them as text), but the years of the
 * ids' order as text are FIRST's. So a year's rows are sorted and written as soon as the file
 * moves on to another year — while the parsing thread reads the next one — and the last year
 * once the file is read. Should a year come back (a file out of FIRST's order), the rows from
 * there on are sorted and written 65 536 at a time, as they come: each run goes in among the
 * rows of those before it, which costs about 1.3 times rows written in order (274 against 183 ms
 * for FIRST's 300 000 CVEs sorted whole, 341 in such runs), but while the file is still being
 * parsed instead of after it. A CVE listed again was written first from its first line (runs go
 * in in file order, and equal CVEs in one run in file order too), and keeps it.
 */
async function fillOnSqlite(sqlite: BetterSqlite3.Database, chunks: AsyncIterable<EpssChunk>): Promise<number> {
  const statementOf = (n: number) => sqlite.prepare(`INSERT INTO epss_scores (cve, epss, percentile) VALUES ${Array.from({ length: n }, () => '(?, ?, ?)').join(', ')} ON CONFLICT (cve) DO NOTHING`);
  const whole = statementOf(SQLITE_EPSS_ROWS);
  const values: Array<string | number> = [];
  const file = new EpssRows();
  // Rows written (a repeated CVE's later line is not: DO NOTHING), counted as they go in.
  let stored = 0;
  let statements = 0;
  const write = async (order: Float64Array) => {
    for (let start = 0; start < order.length; start += SQLITE_EPSS_ROWS) {
      const to = Math.min(order.length, start + SQLITE_EPSS_ROWS);
      values.length = 0;
      for (let i = start; i < to; i++) file.pushValues(order[i] as number, values);
      stored += (to - start === SQLITE_EPSS_ROWS ? whole : statementOf(to - start)).run(values).changes;
      // better-sqlite3 runs the statements synchronously: let other requests in now and then.
      if (++statements % SQLITE_STATEMENTS_A_TURN === 0) await nextTurn();
    }
  };
  // The rows from runStart on are not written yet; they are all of runYear while yearsInOrder.
  let runStart = 0;
  let runYear = -1;
  const yearsDone = new Set<number>();
  let yearsInOrder = true;
  for await (const chunk of chunks) {
    const first = file.length;
    file.addChunk(chunk);
    if (!yearsInOrder) {
      if (file.length - runStart >= SQLITE_UNORDERED_RUN) {
        await write(file.cveOrder(runStart, file.length));
        runStart = file.length;
      }
      continue;
    }
    for (let row = 0; yearsInOrder && row < chunk.count; row++) {
      const year = yearOfKey(chunk.keys[row] as number);
      if (year === runYear) continue;
      if (yearsDone.has(year)) {
        yearsInOrder = false;
        break;
      }
      if (runYear >= 0) {
        yearsDone.add(runYear);
        await write(file.cveOrder(runStart, first + row));
        runStart = first + row;
      }
      runYear = year;
    }
  }
  await write(file.cveOrder(runStart, file.length));
  return stored;
}

/** Row positions fit below this factor of a CVE's key (at most 2^21 rows, more than MAX_FEED_ROWS; key · 2^21 + position < 2^53). */
const POSITIONS = 2 ** 21;
/** Rows an SQLite import makes room for at first; it doubles as the file goes on. */
export const EPSS_ROWS_FIRST_CAPACITY = 65_536;

/**
 * The rows of a file as the SQLite insert needs them, in typed arrays: each row's CVE as its key
 * (cveKey()) with the row's position, and its two numbers. The parser's CVE strings never reach
 * this thread: strings held until written outlive the young generation's collections and are
 * copied to the old one, which cost the import about a third of the parse again (65 536 at a
 * time); the ids are written anew from their keys (idOfKey()) as the statements need them, and
 * die young. Only an id its key does not hold whole (a year out of 1990–2200, a number of eight
 * digits or more; none so far) is kept as the parser gave it.
 */
export class EpssRows {
  private count = 0;
  private epss = new Float64Array(EPSS_ROWS_FIRST_CAPACITY);
  private percentiles = new Float64Array(EPSS_ROWS_FIRST_CAPACITY);
  private keys = new Float64Array(EPSS_ROWS_FIRST_CAPACITY);
  /** The ids idOfKey() cannot give back, by position. */
  private readonly whole = new Map<number, string>();

  get length(): number {
    return this.count;
  }

  /** Appends a chunk's rows (feeds/epss-chunks.ts) after those held. */
  addChunk(chunk: EpssChunk): void {
    while (this.count + chunk.count > this.keys.length) this.grow();
    const at = this.count;
    this.epss.set(chunk.epss.subarray(0, chunk.count), at);
    this.percentiles.set(chunk.percentiles.subarray(0, chunk.count), at);
    for (let row = 0; row < chunk.count; row++) this.keys[at + row] = (chunk.keys[row] as number) * POSITIONS + at + row;
    for (const [row, cve] of chunk.ids) this.whole.set(at + row, cve);
    this.count += chunk.count;
  }

  /**
   * The rows from `from` to `to` (file positions; all of them by default) in the order of their
   * CVE ids as text (the table's key), a CVE listed twice in file order, as entries for
   * pushValues(): each row's key (cveKey()) times POSITIONS plus its position, sorted as numbers
   * natively, in place, without a comparison function (a fraction of the cost of sorting the rows
   * by their ids with one). Rows whose ids share a key keep file order, so the first line of a
   * repeated CVE goes in first. Each range is sorted once.
   */
  cveOrder(from = 0, to = this.count): Float64Array {
    return this.keys.subarray(from, to).sort();
  }

  /** Appends the row of `entry` (of cveOrder()) as a statement's parameters: CVE, score, percentile. */
  pushValues(entry: number, values: Array<string | number>): void {
    const at = entry % POSITIONS;
    const cve = this.whole.size === 0 ? undefined : this.whole.get(at);
    values.push(cve ?? idOfKey((entry - at) / POSITIONS), this.epss[at] as number, this.percentiles[at] as number);
  }

  private grow(): void {
    if (this.keys.length === POSITIONS) throw new RangeError(`An SQLite import holds at most ${POSITIONS} EPSS rows.`);
    const capacity = Math.min(POSITIONS, this.keys.length * 2);
    const larger = (from: Float64Array) => {
      const to = new Float64Array(capacity);
      to.set(from);
      return to;
    };
    this.epss = larger(this.epss);
    this.percentiles = larger(this.percentiles);
    this.keys = larger(this.keys);
  }
}

/**
 * Which CVEs are first seen, without hashing each of them: FIRST's file lists CVEs in order (by
 * year, then by number), and while each CVE comes after the one before it none can repeat. The
 * first CVE out of that order builds the set of those seen so far, which then decides.
 */
export class FirstLines {
  private previous = '';
  private inOrder: string[] = [];
  private seen: Set<string> | undefined;

  /** True the first time a CVE is offered. */
  keep(cve: string): boolean {
    if (this.seen === undefined) {
      if (this.previous === '' || cveAfter(cve, this.previous)) {
        this.previous = cve;
        this.inOrder.push(cve);
        return true;
      }
      this.seen = new Set(this.inOrder);
      this.inOrder = [];
    }
    if (this.seen.has(cve)) return false;
    this.seen.add(cve);
    return true;
  }

  get count(): number {
    return this.seen?.size ?? this.inOrder.length;
  }
}

/** Whether CVE id `a` comes after `b` in FIRST's order: by year, then by number (both checked by CVE_ID). */
export function cveAfter(a: string, b: string): boolean {
  // CVE-YYYY-N…: the year is characters 4 to 8, the number from 9; a longer number is larger.
  // Compared code by code, without slicing the ids (once a line on an import's path).
  for (let at = 4; at < 8; at++) {
    const x = a.charCodeAt(at);
    const y = b.charCodeAt(at);
    if (x !== y) return x > y;
  }
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}

/** What loadEpssScores() may be told besides the rows. */
export interface EpssLoadOptions {
  /** PostgreSQL: how long the swap waits for readers of the previous scores, SWAP_ATTEMPTS times. */
  lockTimeoutMs?: number;
  /** PostgreSQL: the fewest rows of a part of the new table before the next year starts another (EPSS_PART_ROWS). */
  partRows?: number;
}

/**
 * PostgreSQL: the fewest rows of one part (partition) of the new scores' table. A part ends when
 * the file moves on to another year with at least this many rows in it; its key is then built
 * while the next part's rows are parsed and sent. Two of the parser's chunks: FIRST's 300 000 CVEs
 * in about eight parts by the sizes of its years, the last of which is all the import waits for once
 * the file is read.
 */
export const EPSS_PART_ROWS = 2 * EPSS_CHUNK_ROWS;

/** The rows of a chunk not yet written, from `from` on. */
interface ChunkRest {
  chunk: EpssChunk;
  ids: ReadonlyMap<number, string> | undefined;
  from: number;
}

/** Rows in COPY's binary format for the table's three columns, COPY_BUFFER bytes at a time. */
class EpssCopyBytes {
  private buffer = Buffer.allocUnsafe(COPY_BUFFER);
  private at = 0;

  constructor() {
    this.at = this.buffer.write(COPY_SIGNATURE, 'latin1');
    this.at = this.buffer.writeInt32BE(0, this.at);
    this.at = this.buffer.writeInt32BE(0, this.at);
  }

  /**
   * Appends a chunk's row: three fields, the id (ASCII, checked by CVE_ID; written from its key
   * unless the key does not hold it) and two float8, each after its length. Returns the bytes to
   * send first when the row did not fit after them.
   */
  row(chunk: EpssChunk, row: number, ids: ReadonlyMap<number, string> | undefined): Buffer | undefined {
    const cve = ids?.get(row);
    const full = this.room(2 + 4 + (cve?.length ?? KEY_ID_LENGTH) + 2 * (4 + 8));
    const buffer = this.buffer;
    let at = buffer.writeInt16BE(3, this.at);
    const idAt = at + 4;
    const idEnd = cve === undefined ? writeIdOfKey(chunk.keys[row] as number, buffer, idAt) : idAt + buffer.write(cve, idAt, 'latin1');
    buffer.writeInt32BE(idEnd - idAt, at);
    at = buffer.writeInt32BE(8, idEnd);
    at = buffer.writeDoubleBE(chunk.epss[row] as number, at);
    at = buffer.writeInt32BE(8, at);
    this.at = buffer.writeDoubleBE(chunk.percentiles[row] as number, at);
    return full;
  }

  /** The bytes not yet sent, with the format's trailer. */
  end(): Buffer[] {
    const full = this.room(2);
    this.at = this.buffer.writeInt16BE(-1, this.at);
    return [...(full ? [full] : []), this.buffer.subarray(0, this.at)];
  }

  private room(size: number): Buffer | undefined {
    if (this.at + size <= this.buffer.length) return undefined;
    const full = this.buffer.subarray(0, this.at);
    this.buffer = Buffer.allocUnsafe(Math.max(COPY_BUFFER, size));
    this.at = 0;
    return full;
  }
}

/**
 * PostgreSQL: the new scores go into a table partitioned by ranges of CVE ids (whole years), one
 * part at a time, each filled by its own COPY and keyed as soon as it is full, while the parsing
 * thread reads on; the parts are then the new table's partitions (docs/prioritisation.md).
 */
async function loadOnPostgres(trx: Db, client: PgClient, chunks: AsyncIterable<EpssChunk>, lockTimeoutMs: number, partRows: number): Promise<LoadedEpss> {
  // Two imports at once (replicas refreshing the feeds) take turns: the second fills its table
  // after the first committed.
  await sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.lantern.epss-import'))`.execute(trx);
  // The table readers will use: its primary key is each part's, attached as the part is.
  await sql`CREATE TABLE epss_scores_next (LIKE epss_scores INCLUDING ALL EXCLUDING INDEXES) PARTITION BY RANGE (cve)`.execute(trx);
  await sql`ALTER TABLE epss_scores_next ADD CONSTRAINT epss_scores_next_pkey PRIMARY KEY (cve)`.execute(trx);
  // Loaded only for PostgreSQL, as the driver is.
  const { from: copyFrom } = await import('pg-copy-streams');
  const rows = chunks[Symbol.asyncIterator]();
  // The rest of a chunk a part stopped in, for the next part.
  let carried: ChunkRest | undefined;
  const nextRows = async (): Promise<ChunkRest | undefined> => {
    if (carried) {
      const rest = carried;
      carried = undefined;
      return rest;
    }
    const next = await rows.next();
    return next.done ? undefined : { chunk: next.value, ids: chunkIds(next.value), from: 0 };
  };
  // Years come in ascending order in FIRST's file; a part ends only at a year's first line, so
  // that parts hold ranges of whole years. Once a year comes before the one before it, the file is
  // out of that order and the part at hand takes every row left.
  let year = -1;
  let inOrder = true;
  // The year the part being filled starts with (-1: the lowest ids). A part that ends before the
  // file leaves the rest of its last chunk in `carried`, whose first row's year ends its range.
  let partFrom = -1;
  let partLines = 0;
  async function* partBytes(): AsyncGenerator<Buffer> {
    const bytes = new EpssCopyBytes();
    for (let rest = await nextRows(); rest; rest = await nextRows()) {
      const { chunk, ids } = rest;
      for (let row = rest.from; row < chunk.count; row++) {
        const rowYear = yearOfKey(chunk.keys[row] as number);
        if (rowYear !== year) {
          if (rowYear < year) inOrder = false;
          const cut = inOrder && partLines >= partRows;
          year = rowYear;
          if (cut) {
            carried = { chunk, ids, from: row };
            yield* bytes.end();
            return;
          }
        }
        const full = bytes.row(chunk, row, ids);
        if (full) yield full;
        partLines++;
      }
    }
    yield* bytes.end();
  }

  const parts: string[] = [];
  let stored = 0;
  try {
    for (;;) {
      const part = `epss_scores_next_${parts.length + 1}`;
      partLines = 0;
      await sql`CREATE TABLE ${sql.table(part)} (LIKE epss_scores_next INCLUDING ALL EXCLUDING INDEXES)`.execute(trx);
      // Binary: the server stores each number as the 8 bytes it is sent (the double the parser
      // read) and each id as its bytes, where the text format had it parse every line again.
      // FREEZE: the table is this transaction's own, so its rows are written frozen (visible to all
      // once it commits), which spares the server about a tenth of the COPY and vacuum a pass. A
      // refused file ends the COPY with CopyFail (pipeline destroys the stream), so that the
      // transaction can roll back.
      await pipeline(Readable.from(partBytes()), client.query(copyFrom(`COPY ${part} (cve, epss, percentile) FROM STDIN WITH (FORMAT binary, FREEZE)`)));
      const partTo = carried ? yearOfKey(carried.chunk.keys[carried.from] as number) : undefined;
      const last = partTo === undefined;
      if (last && !inOrder && parts.length > 0) {
        // Out of order after parts were keyed: the rest of the file, which may belong to any of
        // them, goes in row by row, in file order, each CVE already stored kept as it is, through
        // the table, into the parts and into a last one made for the ids after theirs.
        await sql`ALTER TABLE ${sql.table(part)} RENAME TO epss_scores_next_rest`.execute(trx);
        await sql`CREATE TABLE ${sql.table(part)} PARTITION OF epss_scores_next FOR VALUES FROM (${sql.lit(yearPrefix(partFrom))}) TO (MAXVALUE)`.execute(trx);
        const inserted = await sql`INSERT INTO epss_scores_next (cve, epss, percentile) SELECT cve, epss, percentile FROM epss_scores_next_rest ORDER BY ctid ON CONFLICT (cve) DO NOTHING`.execute(trx);
        stored += Number(inserted.numAffectedRows ?? 0);
        await sql`DROP TABLE epss_scores_next_rest`.execute(trx);
        parts.push(part);
        break;
      }
      stored += partLines - (await keyPart(trx, part));
      // Bounds are literals in DDL (no parameters): `CVE-YYYY-` for a year, from a fixed list.
      const from = partFrom < 0 ? sql`(MINVALUE)` : sql`(${sql.lit(yearPrefix(partFrom))})`;
      const to = last ? sql`(MAXVALUE)` : sql`(${sql.lit(yearPrefix(partTo))})`;
      // The server checks the part's rows against its range (a scan, no sort) and takes its key as
      // the table's for that range.
      await sql`ALTER TABLE epss_scores_next ATTACH PARTITION ${sql.table(part)} FOR VALUES FROM ${from} TO ${to}`.execute(trx);
      parts.push(part);
      if (last) break;
      partFrom = partTo;
    }
  } finally {
    // The parsing thread is let go if a part failed before the file's end.
    await rows.return?.(undefined);
  }
  // A new table has no statistics until autovacuum comes by: the refresh of the priority keys and
  // the first issue pages after the import would be planned blind. A sample of 3 000 rows (a tenth
  // of the default) says what the plans need of a table keyed by CVE, in a tenth of the time.
  await withSetting(trx, 'default_statistics_target', '10', () => sql`ANALYZE epss_scores_next`.execute(trx));
  return {
    rows: stored,
    table: 'epss_scores_next',
    install: async () => {
      // A reader that holds the old table longer than the timeout (a long ingest read scores early
      // in its transaction) makes the drop give up, and the readers queued behind it go on; the
      // drop is tried again after a pause, from a savepoint, SWAP_ATTEMPTS times in all.
      await withSetting(trx, 'lock_timeout', `${lockTimeoutMs}ms`, async () => {
        for (let attempt = 1; ; attempt++) {
          await sql`SAVEPOINT epss_swap`.execute(trx);
          try {
            // With its parts, which have the names the new ones take.
            await sql`DROP TABLE epss_scores`.execute(trx);
            await sql`RELEASE SAVEPOINT epss_swap`.execute(trx);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== '55P03') throw error;
            await sql`ROLLBACK TO SAVEPOINT epss_swap`.execute(trx);
            if (attempt === SWAP_ATTEMPTS) {
              throw new UnavailableError(`The EPSS scores stayed in use by another transaction for ${lockTimeoutMs / 1000} s, ${SWAP_ATTEMPTS} times; the import was rolled back and can be run again.`, 60);
            }
            await delay(Math.min(1_000, lockTimeoutMs / 5));
          }
        }
      });
      // The table, its parts and their keys take the stored names in one statement: readers queue
      // behind the drop until the commit, so the swap makes one round trip, not two per part. The
      // names are this function's own (epss_scores_next, epss_scores_next_N), never input.
      const renames = ['epss_scores_next', ...parts].map((name) => {
        const stored = name.replace('epss_scores_next', 'epss_scores');
        return `ALTER TABLE ${name} RENAME TO ${stored}; ALTER INDEX ${name}_pkey RENAME TO ${stored}_pkey;`;
      });
      await sql.raw(`DO $$ BEGIN ${renames.join(' ')} END $$`).execute(trx);
    },
  };
}

/**
 * Gives a part of the new table its primary key, named as LIKE … INCLUDING ALL would name it so
 * that install() renames it with the part, and returns the lines it deleted for it. A repeated
 * CVE makes the build fail (FIRST's file has none): its later lines are then deleted and the key
 * built again. One COPY into a table this transaction created writes its rows in file order,
 * page after page, so the first line of a CVE is the one with the lowest ctid.
 */
async function keyPart(trx: Db, part: string): Promise<number> {
  const addKey = sql`ALTER TABLE ${sql.table(part)} ADD CONSTRAINT ${sql.table(`${part}_pkey`)} PRIMARY KEY (cve)`;
  await sql`SAVEPOINT epss_key`.execute(trx);
  try {
    await addKey.execute(trx);
    await sql`RELEASE SAVEPOINT epss_key`.execute(trx);
    return 0;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await sql`ROLLBACK TO SAVEPOINT epss_key`.execute(trx);
    const deleted = await sql`DELETE FROM ${sql.table(part)} WHERE ctid IN (SELECT ctid FROM (SELECT ctid, row_number() OVER (PARTITION BY cve ORDER BY ctid) AS line FROM ${sql.table(part)}) AS lines WHERE line > 1)`.execute(trx);
    await addKey.execute(trx);
    return Number(deleted.numAffectedRows ?? 0);
  }
}

/** Runs `work` with a setting changed for the transaction, then puts back the setting's value. */
async function withSetting<T>(trx: Db, name: string, value: string, work: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ previous: string }>`SELECT current_setting(${name}) AS previous`.execute(trx);
  await sql`SELECT set_config(${name}, ${value}, true)`.execute(trx);
  const result = await work();
  await sql`SELECT set_config(${name}, ${rows[0]?.previous ?? ''}, true)`.execute(trx);
  return result;
}

/** Without the transaction's own client (a pooler in front of PostgreSQL): the rows replaced by statements. */
async function replaceByStatements(trx: Db, chunks: AsyncIterable<EpssChunk>): Promise<number> {
  const firsts = new FirstLines();
  await trx.deleteFrom('epss_scores').execute();
  const insert = async (rows: readonly EpssRow[]) => {
    if (rows.length === 0) return;
    await sql`INSERT INTO epss_scores (cve, epss, percentile) SELECT * FROM unnest(cast(${rows.map((r) => r.cve)} as text[]), cast(${rows.map((r) => r.epss)} as double precision[]), cast(${rows.map((r) => r.percentile)} as double precision[]))`.execute(trx);
  };
  let batch: EpssRow[] = [];
  for await (const chunk of chunks) {
    const ids = chunkIds(chunk);
    for (let row = 0; row < chunk.count; row++) {
      const cve = chunkId(chunk, row, ids);
      if (!firsts.keep(cve)) continue;
      batch.push({ cve, epss: chunk.epss[row] as number, percentile: chunk.percentiles[row] as number });
      if (batch.length === STATEMENT_ROWS) {
        await insert(batch);
        batch = [];
      }
    }
  }
  await insert(batch);
  return firsts.count;
}
