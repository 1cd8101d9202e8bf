import { createWriteStream } from 'node:fs';
import type { Kysely } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ReadingPolicyOptions } from '../catalog/reading-policy.js';
import { InputError } from '../domain/errors.js';
import { refreshAllPriorityKeys } from '../insights/priority-order.js';
import { bulkRun } from '../store/bulk.js';
import type { Store } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { type EpssLoadOptions, type FeedName, loadEpssScores, recordFailure, recordImport } from '../store/feeds.js';
import type { EpssHeader } from './epss.js';
import { EpssParse } from './epss-parse.js';
import { parseKev } from './kev.js';
import { feedBytes, feedText, isFeedUrl } from './source.js';

/** The largest feed read, after decompression: the EPSS file is about 10 MB, KEV about 1.5 MB. */
export const DEFAULT_MAX_FEED_MB = 256;
/** More CVEs than have ever been published; a file with more rows is refused. */
export const MAX_FEED_ROWS = 2_000_000;

export interface FeedImportOptions extends ReadingPolicyOptions {
  maxBytes?: number;
  /** The time now, ISO 8601 (tests stand in for it). */
  now?: () => string;
  /**
   * Run in a KEV import's transaction once the new catalog is stored, with the CVEs it lists that
   * the catalog before it did not, and that catalog (notifications of newly known-exploited issues).
   */
  afterKevImport?: (trx: Kysely<Database>, change: { added: string[]; previous: ReadonlySet<string> }) => Promise<void>;
  /** PostgreSQL: how long an EPSS import waits for readers of the previous scores to swap them (store/feeds.ts). */
  lockTimeoutMs?: number;
  /** PostgreSQL: the fewest rows of a part of the new EPSS table (EPSS_PART_ROWS in store/feeds.ts; tests make it small). */
  epssPartRows?: number;
}

export interface FeedImport {
  name: FeedName;
  source: string;
  date: string | null;
  version: string | null;
  rows: number;
}

/**
 * Imports one feed from a file or URL: the feed's rows replace the previous ones in one
 * transaction, so an import is idempotent and a refused file (malformed line, too large, a
 * download that fails) leaves the previous data as it was. A URL is downloaded to a temporary
 * file first, so the database is never held while the network is slow. A failure is recorded on
 * the feed (lantern feeds status) and thrown.
 */
export async function importFeed(store: Store, name: FeedName, address: string, options: FeedImportOptions = {}): Promise<FeedImport> {
  const now = options.now ?? (() => new Date().toISOString());
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FEED_MB * 1024 * 1024;
  let dir: string | undefined;
  try {
    let path = address;
    if (isFeedUrl(address)) {
      dir = await mkdtemp(join(tmpdir(), 'lantern-feed-'));
      path = join(dir, name);
      // Compressed bytes as they come; the limit on decompressed bytes applies when read.
      await pipeline(Readable.from(feedBytesRaw(address, options, maxBytes)), createWriteStream(path));
    }
    const read = name === 'kev' ? await importKev(store, path, address, maxBytes, now, options.afterKevImport) : await importEpss(store, path, address, maxBytes, now, { lockTimeoutMs: options.lockTimeoutMs, partRows: options.epssPartRows });
    return read;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await recordFailure(store.db, name, now(), message).catch(() => undefined);
    throw error;
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** A URL's body as sent (still compressed), bounded by the same limit. */
async function* feedBytesRaw(url: string, options: ReadingPolicyOptions, maxBytes: number): AsyncGenerator<Buffer> {
  yield* feedBytes(url, { ...options, maxBytes, raw: true });
}

async function importKev(store: Store, path: string, source: string, maxBytes: number, now: () => string, after: FeedImportOptions['afterKevImport']): Promise<FeedImport> {
  const feed = parseKev(await feedText(path, { maxBytes }), source);
  if (feed.entries.length > MAX_FEED_ROWS) throw new InputError(`${source}: more than ${MAX_FEED_ROWS} entries; no KEV catalog is this large.`);
  await store.transaction(async (trx) => {
    // The catalog is about 1 500 CVEs: what it held before is read whole, and only when someone asks.
    const previous = after ? new Set((await trx.selectFrom('kev_entries').select('cve').execute()).map((r) => r.cve)) : new Set<string>();
    await trx.deleteFrom('kev_entries').execute();
    await bulkRun(store, trx, feed.entries.length, (i) => {
      const e = feed.entries[i] as (typeof feed.entries)[number];
      return { cve: e.cve, date_added: e.dateAdded, due_date: e.dueDate, ransomware: e.ransomware, vendor: e.vendor, product: e.product, name: e.name };
    }, (db, rows) => db.insertInto('kev_entries').values(rows));
    await recordImport(trx, 'kev', { source, date: feed.date, version: feed.version, rows: feed.entries.length, at: now() });
    // Every issue's stored place in the priority order follows the feed, in the same transaction.
    await refreshAllPriorityKeys(trx);
    if (after) await after(trx, { added: [...new Set(feed.entries.map((e) => e.cve))].filter((cve) => !previous.has(cve)), previous });
    // Two servers importing at once (--feeds-refresh at start): the second runs again after the first.
  }, { retry: true });
  return { name: 'kev', source, date: feed.date, version: feed.version, rows: feed.entries.length };
}

async function importEpss(store: Store, path: string, source: string, maxBytes: number, now: () => string, load: EpssLoadOptions): Promise<FeedImport> {
  let header: EpssHeader = { version: null, date: null };
  // The file is read and parsed in a thread of its own from now on, while the transaction opens.
  const chunks = new EpssParse({ path, source, maxBytes, maxRows: MAX_FEED_ROWS }, (h) => {
    header = h;
  });
  try {
    const rows = await store.transaction(async (trx) => {
      const loaded = await loadEpssScores(store, trx, chunks, load);
      await recordImport(trx, 'epss', { source, date: header.date, version: header.version, rows: loaded.rows, at: now() });
      // The issues' priority keys from the new scores, then the new scores in place of the old.
      await refreshAllPriorityKeys(trx, loaded.table);
      await loaded.install();
      return loaded.rows;
    });
    const { date, version } = header as EpssHeader;
    return { name: 'epss', source, date, version, rows };
  } finally {
    chunks.close();
  }
}
