import { type Kysely, sql } from 'kysely';
import { type NameKeys, similarKeyLengths, SimilarPodium, type SimilarRank, similarRankOfKey } from '../catalog/matching.js';
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
  /** Every name of the scope is held (read ahead by warmKeptNames): a length missing from byLength has none. */
  complete: boolean;
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

/**
 * How the last lookups found their scope's names (for tests): kept as they were, patched from the
 * change log, or read again; how many scopes warmKeptNames read ahead, and how many lookups
 * rehearseNearNames ran.
 */
export const keptNamesUse = { kept: 0, patched: 0, read: 0, warmed: 0, rehearsed: 0 };

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
      patch(scope, entry, changes.targets);
      entry.version = changes.version;
      entry.stamp = changes.stamp;
      keptNamesUse.patched++;
    } else {
      forget(scope);
      entry = undefined;
    }
  } else if (entry) keptNamesUse.kept++;
  entry ??= { version: current.version, stamp: current.stamp, byLength: new Map(), names: 0, complete: false };
  hold(scope, entry);
  const missing = entry.complete ? [] : lengths.filter((length) => !entry.byLength.has(length));
  if (missing.length > 0) {
    keptNamesUse.read++;
    for (const names of (await readLengths(db, scope, missing)).values()) {
      entry.byLength.set(names.length, names);
      grow(scope, entry, names.ids.length);
    }
  }
  const out = lengths.map((length) => entry.byLength.get(length) ?? noNames(length));
  for (const [other] of kept) {
    if (keptNames <= MAX_KEPT_NAMES) break;
    forget(other);
  }
  return out;
}

export interface WarmOptions {
  /** The most names kept in all once warmed (MAX_KEPT_NAMES, or fewer). */
  maxNames?: number;
  /** Stops before the next scope once aborted (the server stopping). */
  signal?: AbortSignal;
}

/**
 * Reads ahead every name of the scopes with the most targets, all lengths, into the names kept, so
 * that the first similar-name lookup of a scope after a process starts does not read them (at
 * 100 000 names of one length, 107 to 125 ms instead of the 33 to 48 ms of the next ones; issue
 * 17). One statement counts the targets of each scope, then one reads each scope's names from the
 * covering index (migration 0018), its version and stamp read before them, as a lookup does: a
 * change in between is patched in on next use (patching a change the names already hold changes
 * nothing). A scope whose names would not fit in `maxNames` beside those kept is skipped (nothing
 * kept is dropped for it), as is one already held whole, one with no version row (its names are
 * never kept), and one its own transaction changed. Holds no transaction; statements only.
 */
export async function warmKeptNames(db: Db, options: WarmOptions = {}): Promise<{ scopes: number; names: number; skipped: number }> {
  const cap = Math.min(options.maxNames ?? MAX_KEPT_NAMES, MAX_KEPT_NAMES);
  const counts = await db
    .selectFrom('targets')
    .select(['scope', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('scope')
    .execute();
  const scopes = counts.map((row) => ({ scope: row.scope, n: Number(row.n) })).sort((a, b) => b.n - a.n || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
  const done = { scopes: 0, names: 0, skipped: 0 };
  for (const { scope, n } of scopes) {
    if (options.signal?.aborted) break;
    const held = kept.get(scope);
    if (held?.complete) continue;
    const room = cap - keptNames + (held?.names ?? 0);
    if (n > room) {
      done.skipped++;
      continue;
    }
    const current = await scopeVersion(db, scope);
    if (current.version === undefined || current.ownChanges) continue;
    const byLength = await readScope(db, scope, room);
    const entry: KeptScope = { version: current.version, stamp: current.stamp, byLength: byLength ?? new Map(), names: 0, complete: true };
    for (const names of entry.byLength.values()) entry.names += names.ids.length;
    // Checked again as it is held: lookups may have kept other names, or this scope's, meanwhile.
    const now = kept.get(scope);
    if (byLength === undefined || now?.complete || keptNames - (now?.names ?? 0) + entry.names > cap) {
      done.skipped++;
      continue;
    }
    hold(scope, entry);
    keptNamesUse.warmed++;
    done.scopes++;
    done.names += entry.names;
  }
  return done;
}

/**
 * Weighs a scope's names of a near length for a link whose name no target has (store/target-links.ts
 * similarCandidates): each by its similarity key alone, no further than a contender can be (once
 * three names are a single edit away, a name two edits away is dropped as soon as that is known),
 * and without comparing again the characters it shares with the link as the name before it did:
 * names of one registry share most of their text. A name in `skip` (already weighed with all its
 * keys) is passed over. Adds each ranked name to `ranked` and `podium`; returns how many were weighed.
 */
export function weighNearNames(link: NameKeys, lists: readonly NamesOfLength[], skip: ReadonlyMap<number, unknown>, ranked: Array<[number, SimilarRank]>, podium: SimilarPodium): number {
  const { min, max } = similarKeyLengths(link.similarityKey);
  const key = link.similarityKey;
  let weighed = 0;
  for (const names of lists) {
    if (names.length < min || names.length > max) continue;
    // shared: how many first characters the name has in common with the link's key, found from the previous name's.
    let shared = 0;
    for (let k = 0; k < names.ids.length; k++) {
      const name = names.keys[k] as string;
      const withPrevious = names.common[k] as number;
      if (k === 0 || withPrevious === shared) {
        // This name has the previous one's first `shared` characters, so the link's too.
        if (k === 0) shared = 0;
        while (shared < key.length && shared < name.length && key.charCodeAt(shared) === name.charCodeAt(shared)) shared++;
      } else if (withPrevious < shared) {
        // It differs from the previous name where that one still had the link's character.
        shared = withPrevious;
      }
      // Else it has the previous name's character where that one differs from the link's: as many.
      const id = names.ids[k] as number;
      if (skip.size > 0 && skip.has(id)) continue;
      weighed++;
      const rank = similarRankOfKey(link, name, podium.ceiling(), shared);
      if (rank) {
        ranked.push([id, rank]);
        podium.add(rank);
      }
    }
  }
  return weighed;
}

/** How many similar-name lookups rehearseNearNames runs. */
export const REHEARSED_LOOKUPS = 5;

/**
 * Runs REHEARSED_LOOKUPS similar-name weighings, in memory, over the kept names of the scope with
 * the most, for names one edit from some of its names of its most common length, and drops what
 * they rank. lantern serve runs it once the names are read ahead: the weighing code is then
 * compiled for names like those its requests weigh, and a process's first lookup of a scope of
 * 50 000 names of one length took 10 ms instead of 36–72 (issue 17). Yields to other work between lookups;
 * stops once `signal` is aborted. Returns the scope and how many lookups and names it weighed.
 */
export async function rehearseNearNames(signal?: AbortSignal): Promise<{ scope: string | undefined; lookups: number; weighed: number }> {
  let largest: [string, KeptScope] | undefined;
  for (const entry of kept) if (largest === undefined || entry[1].names > largest[1].names) largest = entry;
  const done = { scope: largest?.[0], lookups: 0, weighed: 0 };
  if (largest === undefined) return done;
  const [scope, entry] = largest;
  let common: NamesOfLength | undefined;
  for (const names of entry.byLength.values()) if (common === undefined || names.ids.length > common.ids.length) common = names;
  if (common === undefined || common.ids.length === 0) return done;
  const lists = [...entry.byLength.values()];
  for (let k = 0; k < REHEARSED_LOOKUPS && !signal?.aborted; k++) {
    const name = common.keys[Math.floor(((k + 0.5) * common.keys.length) / REHEARSED_LOOKUPS)] as string;
    const similarityKey = `${name.slice(0, -1)}${name.endsWith('~') ? '}' : '~'}`;
    done.weighed += weighNearNames({ nameKey: similarityKey, similarityKey, lastSegment: undefined, scope }, lists, NOTHING, [], new SimilarPodium());
    done.lookups++;
    keptNamesUse.rehearsed++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done;
}

const NOTHING: ReadonlyMap<number, unknown> = new Map();

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

/**
 * Holds `entry` as the scope's names, used last. Counted anew when it is not the entry held: a
 * lookup or warm-up may have dropped or replaced it while another waited on the database.
 */
function hold(scope: string, entry: KeptScope): void {
  const held = kept.get(scope);
  if (held !== entry) keptNames += entry.names - (held?.names ?? 0);
  kept.delete(scope);
  kept.set(scope, entry);
}

/** Adds names to an entry, counted in all while it is the one held. */
function grow(scope: string, entry: KeptScope, names: number): void {
  entry.names += names;
  if (kept.get(scope) === entry) keptNames += names;
}

function noNames(length: number): NamesOfLength {
  return { length, ids: new Int32Array(0), keys: [], common: new Uint16Array(0) };
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
 * no longer goes back to the names kept (pruned; or their version given again, with another
 * stamp: on SQLite after a rollback, on either after a restore of the database or in another
 * schema) or holds more than MAX_PATCHED_CHANGES changes.
 */
async function changesSince(db: Db, scope: string, entry: KeptScope): Promise<{ version: number; stamp: string; targets: Map<number, string | null> } | undefined> {
  type Row = { version: string | number; stamp: string; target_id: number; similarity_key: string | null; base?: string | null };
  // SQLite logs a version for each changed target: the row of the version kept comes too, to show its stamp.
  const rows = isPostgres(db)
    ? (
        await sql<Row>`select m.version, m.stamp, c.target_id, t.similarity_key, (select b.stamp from target_name_commits b where b.scope = ${scope} and b.version = ${entry.version}) as base from target_name_commits m join target_name_changes c on c.scope = m.scope and c.txn = m.txn left join targets t on t.id = c.target_id and t.scope = m.scope where m.scope = ${scope} and m.version > ${entry.version} limit ${MAX_PATCHED_CHANGES + 1}`.execute(db)
      ).rows
    : (
        await sql<Row>`select c.version, c.stamp, c.target_id, t.similarity_key from target_name_changes c left join targets t on t.id = c.target_id and t.scope = c.scope where c.scope = ${scope} and c.version >= ${entry.version} limit ${MAX_PATCHED_CHANGES + 2}`.execute(db)
      ).rows;
  if (rows.length > MAX_PATCHED_CHANGES + (isPostgres(db) ? 0 : 1)) return undefined;
  let last: Row | undefined;
  let base = false;
  const targets = new Map<number, string | null>();
  for (const row of rows) {
    const version = Number(row.version);
    if (last === undefined || version > Number(last.version)) last = row;
    if (version === entry.version) base ||= row.stamp === entry.stamp;
    else targets.set(row.target_id, row.similarity_key);
    // PostgreSQL's rows carry the stamp of the commit of the version kept, when the log holds it.
    if (row.base !== undefined) base ||= row.base === entry.stamp;
  }
  if (last === undefined) return undefined;
  // The log must hold the version kept with the stamp kept: names read in a database restored to
  // an earlier state (or in another schema) are not patched with changes that do not follow them.
  // Pruning drops the oldest versions first, so while the one kept is logged every later one is.
  if (!base) return undefined;
  return { version: Number(last.version), stamp: last.stamp, targets };
}

/**
 * Takes the changed targets out of the names kept and puts those of a kept length back where
 * their keys sort, in new arrays (a lookup may still hold the old ones). Taking a target out first
 * makes a patch that brings nothing new (names read after the version kept) change nothing.
 */
function patch(scope: string, entry: KeptScope, changed: ReadonlyMap<number, string | null>): void {
  const added = new Map<number, Array<{ id: number; key: string }>>();
  for (const [id, key] of changed) {
    if (key === null || !(entry.complete || entry.byLength.has(key.length))) continue;
    const list = added.get(key.length);
    if (list) list.push({ id, key });
    else added.set(key.length, [{ id, key }]);
  }
  // Names held whole gain a length none had.
  for (const length of added.keys()) if (!entry.byLength.has(length)) entry.byLength.set(length, noNames(length));
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
    grow(scope, entry, size - names.ids.length);
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
  return namesOfLengths(sorted, ids, keys);
}

/**
 * Every name of the scope, by length, in one statement over the covering index; undefined when it
 * has more than `most` (the statement reads one more at most).
 */
async function readScope(db: Db, scope: string, most: number): Promise<Map<number, NamesOfLength> | undefined> {
  const rows = await db.selectFrom('targets').select(['id', 'similarity_key']).where('scope', '=', scope).orderBy('similarity_length').orderBy('similarity_key').limit(most + 1).execute();
  if (rows.length > most) return undefined;
  const ids = new Map<number, number[]>();
  const keys = new Map<number, string[]>();
  for (const row of rows) {
    const key = row.similarity_key;
    if (key === null) continue;
    let list = keys.get(key.length);
    if (!list) {
      list = [];
      keys.set(key.length, list);
      ids.set(key.length, []);
    }
    list.push(key);
    ids.get(key.length)?.push(row.id);
  }
  return namesOfLengths(keys.keys(), ids, keys);
}

/** The names of each of `lengths` as a lookup holds them, from their ids and keys in index order. */
function namesOfLengths(lengths: Iterable<number>, ids: ReadonlyMap<number, number[]>, keys: ReadonlyMap<number, string[]>): Map<number, NamesOfLength> {
  return new Map(
    [...lengths].map((length) => {
      const list = keys.get(length) ?? [];
      return [length, { length, ids: Int32Array.from(ids.get(length) ?? []), keys: list, common: commonPrefixes(list) }];
    }),
  );
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
