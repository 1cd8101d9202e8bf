import { type Kysely, sql } from 'kysely';
import { isPostgres } from './row-locks.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/**
 * A scope's targets whose similarity keys have one length: their ids and keys, in the same order
 * (the index's: names of one registry side by side), and how many first characters each key has
 * in common with the one before it (0 for the first).
 */
export interface NamesOfLength {
  length: number;
  ids: Int32Array;
  keys: string[];
  common: Uint16Array;
}

interface KeptScope {
  /** The scope's target_name_versions version and stamp that its names are current at (migrations 0036, 0037). */
  version: number;
  stamp: string;
  byLength: Map<number, NamesOfLength>;
  names: number;
}

/**
 * The most names kept in all, over every scope: about 6 MB at 100 000 image names of 26
 * characters (their keys about 5 MB, their ids 0.4 MB). A scope used longest ago is dropped first;
 * one with more names than this is read each time, as before.
 */
export const MAX_KEPT_NAMES = 250_000;

/** The most changed targets read from the change log to patch the names kept; past them, every name is read again. */
export const MAX_PATCHED_CHANGES = 1024;

/** The names read, by scope, in the order they were last used (a Map keeps insertion order). */
const kept = new Map<string, KeptScope>();
let keptNames = 0;

/** How the last lookups found their scope's names (for tests): kept as they were, patched from the change log, or read again. */
export const keptNamesUse = { kept: 0, patched: 0, read: 0 };

/**
 * The targets of a scope whose similarity keys have a length in one of `ranges`: what the
 * similar-name hint weighs (store/target-links.ts similarCandidates). Those this process read
 * before are reused while the scope's version is unchanged — one indexed row read. After targets
 * of the scope were created, deleted, renamed or moved, by this process or another replica, only
 * those changed since are read, from the change log (migration 0037), and patched in; every name
 * is read again when the log no longer goes back to the names kept or holds too many changes.
 * A transaction that changed targets itself on PostgreSQL, whose version is bumped only as it
 * commits, reads them from the table (migration 0036).
 */
export async function scopeNamesOfLengths(db: Db, scope: string, ranges: ReadonlyArray<{ min: number; max: number }>): Promise<NamesOfLength[]> {
  const current = await scopeVersion(db, scope);
  const lengths = ranges.flatMap(({ min, max }) => Array.from({ length: max - min + 1 }, (_, k) => min + k));
  if (current.version === undefined || current.ownChanges) return [...(await readLengths(db, scope, lengths)).values()];
  let entry = kept.get(scope);
  if (entry && (entry.version !== current.version || entry.stamp !== current.stamp)) {
    const changes = await changesSince(db, scope, entry);
    if (changes) {
      patch(entry, changes.targets);
      entry.version = changes.version;
      entry.stamp = changes.stamp;
      keptNamesUse.patched++;
    } else {
      forget(scope);
      entry = undefined;
    }
  } else if (entry) keptNamesUse.kept++;
  entry ??= { version: current.version, stamp: current.stamp, byLength: new Map(), names: 0 };
  kept.delete(scope);
  kept.set(scope, entry);
  const missing = lengths.filter((length) => !entry.byLength.has(length));
  if (missing.length > 0) {
    keptNamesUse.read++;
    for (const names of (await readLengths(db, scope, missing)).values()) {
      entry.byLength.set(names.length, names);
      entry.names += names.ids.length;
      keptNames += names.ids.length;
    }
  }
  const out = lengths.map((length) => entry.byLength.get(length) as NamesOfLength);
  for (const [other] of kept) {
    if (keptNames <= MAX_KEPT_NAMES) break;
    forget(other);
  }
  return out;
}

/** Forgets every name kept (for tests that compare with reading them anew). */
export function forgetKeptNames(): void {
  for (const [scope] of kept) forget(scope);
}

function forget(scope: string): void {
  const entry = kept.get(scope);
  if (!entry) return;
  keptNames -= entry.names;
  kept.delete(scope);
}

/** The scope's version and stamp (version undefined when it never had a target), and whether this transaction changed targets unseen by them. */
async function scopeVersion(db: Db, scope: string): Promise<{ version: number | undefined; stamp: string; ownChanges: boolean }> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ version: string | null; stamp: string | null; changed: string | null }>`select v.version, v.stamp, current_setting('lantern.target_names_changed', true) as changed from (select 1) one left join target_name_versions v on v.scope = ${scope}`.execute(db);
    const row = rows[0];
    return { version: row?.version == null ? undefined : Number(row.version), stamp: row?.stamp ?? '', ownChanges: row?.changed != null && row.changed !== '' };
  }
  const row = await db.selectFrom('target_name_versions').select(['version', 'stamp']).where('scope', '=', scope).executeTakeFirst();
  return { version: row === undefined ? undefined : Number(row.version), stamp: row?.stamp ?? '', ownChanges: false };
}

/**
 * The targets changed since the names kept, each with its similarity key now (null when it no
 * longer is a target of the scope), and the version and stamp they bring the names to: read with
 * the log in one statement, so that they are the targets of one moment. Undefined when the log
 * no longer goes back to the names kept (pruned, or on SQLite a version given again after a
 * rollback: its stamp differs) or holds more than MAX_PATCHED_CHANGES changes.
 */
async function changesSince(db: Db, scope: string, entry: KeptScope): Promise<{ version: number; stamp: string; targets: Map<number, string | null> } | undefined> {
  type Row = { version: string | number; stamp: string; target_id: number; similarity_key: string | null };
  // SQLite logs a version for each changed target: the row of the version kept comes too, to show its stamp.
  const rows = isPostgres(db)
    ? (
        await sql<Row>`select m.version, m.stamp, c.target_id, t.similarity_key from target_name_commits m join target_name_changes c on c.scope = m.scope and c.txn = m.txn left join targets t on t.id = c.target_id and t.scope = m.scope where m.scope = ${scope} and m.version > ${entry.version} limit ${MAX_PATCHED_CHANGES + 1}`.execute(db)
      ).rows
    : (
        await sql<Row>`select c.version, c.stamp, c.target_id, t.similarity_key from target_name_changes c left join targets t on t.id = c.target_id and t.scope = c.scope where c.scope = ${scope} and c.version >= ${entry.version} limit ${MAX_PATCHED_CHANGES + 2}`.execute(db)
      ).rows;
  if (rows.length > MAX_PATCHED_CHANGES + (isPostgres(db) ? 0 : 1)) return undefined;
  let first = Infinity;
  let last: Row | undefined;
  let base = false;
  const targets = new Map<number, string | null>();
  for (const row of rows) {
    const version = Number(row.version);
    first = Math.min(first, version);
    if (last === undefined || version > Number(last.version)) last = row;
    if (version === entry.version) base ||= row.stamp === entry.stamp;
    else targets.set(row.target_id, row.similarity_key);
  }
  if (last === undefined) return undefined;
  // PostgreSQL gives versions in commit order, one after the other: the first after the one kept shows that none was pruned.
  if (isPostgres(db) ? first !== entry.version + 1 : !base) return undefined;
  return { version: Number(last.version), stamp: last.stamp, targets };
}

/**
 * Takes the changed targets out of the names kept and puts those of a kept length back where
 * their keys sort, in new arrays (a lookup may still hold the old ones). Taking a target out first
 * makes a patch that brings nothing new (names read after the version kept) change nothing.
 */
function patch(entry: KeptScope, changed: ReadonlyMap<number, string | null>): void {
  const added = new Map<number, Array<{ id: number; key: string }>>();
  for (const [id, key] of changed) {
    if (key === null || !entry.byLength.has(key.length)) continue;
    const list = added.get(key.length);
    if (list) list.push({ id, key });
    else added.set(key.length, [{ id, key }]);
  }
  for (const [length, names] of entry.byLength) {
    const adds = (added.get(length) ?? []).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const removed = new Set<number>();
    if (changed.size <= 32) {
      for (const id of changed.keys()) {
        const at = names.ids.indexOf(id);
        if (at >= 0) removed.add(at);
      }
    } else {
      for (let k = 0; k < names.ids.length; k++) if (changed.has(names.ids[k] as number)) removed.add(k);
    }
    if (removed.size === 0 && adds.length === 0) continue;
    const size = names.ids.length - removed.size + adds.length;
    const ids = new Int32Array(size);
    const keys: string[] = new Array<string>(size);
    const common = new Uint16Array(size);
    let out = 0;
    let a = 0;
    // Where the name placed last was among those kept (-1: put in, or one was taken out after it):
    // a kept name right after the one before it keeps its common prefix.
    let previousKept = -1;
    const place = (id: number, key: string, keptAt: number) => {
      ids[out] = id;
      keys[out] = key;
      common[out] = out === 0 ? 0 : keptAt > 0 && previousKept === keptAt - 1 ? (names.common[keptAt] as number) : commonPrefix(keys[out - 1] as string, key);
      previousKept = keptAt;
      out++;
    };
    for (let k = 0; k < names.ids.length; k++) {
      const key = names.keys[k] as string;
      while (a < adds.length && (adds[a] as { key: string }).key < key) {
        place((adds[a] as { id: number }).id, (adds[a] as { key: string }).key, -1);
        a++;
      }
      if (removed.has(k)) {
        previousKept = -1;
        continue;
      }
      place(names.ids[k] as number, key, k);
    }
    for (; a < adds.length; a++) place((adds[a] as { id: number }).id, (adds[a] as { key: string }).key, -1);
    entry.byLength.set(length, { length, ids, keys, common });
    entry.names += size - names.ids.length;
    keptNames += size - names.ids.length;
  }
}

/** The scope's names of these lengths from the covering index (migration 0018), one statement for each run of consecutive lengths. */
async function readLengths(db: Db, scope: string, lengths: readonly number[]): Promise<Map<number, NamesOfLength>> {
  const sorted = [...new Set(lengths)].sort((a, b) => a - b);
  const ids = new Map<number, number[]>(sorted.map((length) => [length, []]));
  const keys = new Map<number, string[]>(sorted.map((length) => [length, []]));
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    const rows = await db
      .selectFrom('targets')
      .select(['id', 'similarity_key'])
      .where('scope', '=', scope)
      .where('similarity_length', '>=', sorted[i] as number)
      .where('similarity_length', '<=', sorted[j] as number)
      .orderBy('similarity_length')
      .orderBy('similarity_key')
      .execute();
    for (const row of rows) {
      const key = row.similarity_key ?? '';
      keys.get(key.length)?.push(key);
      ids.get(key.length)?.push(row.id);
    }
    i = j + 1;
  }
  return new Map(sorted.map((length) => [length, { length, ids: Int32Array.from(ids.get(length) ?? []), keys: keys.get(length) ?? [], common: commonPrefixes(keys.get(length) ?? []) }]));
}

function commonPrefixes(keys: readonly string[]): Uint16Array {
  const common = new Uint16Array(keys.length);
  for (let k = 1; k < keys.length; k++) common[k] = commonPrefix(keys[k - 1] as string, keys[k] as string);
  return common;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && n < 0xffff && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  return n;
}
