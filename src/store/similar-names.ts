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
  /** The scope's target_name_versions stamp when its names were read (migration 0036). */
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

/** The names read, by scope, in the order they were last used (a Map keeps insertion order). */
const kept = new Map<string, KeptScope>();
let keptNames = 0;

/**
 * The targets of a scope whose similarity keys have a length in one of `ranges`: what the
 * similar-name hint weighs (store/target-links.ts similarCandidates). Those this process read
 * before are reused while the scope's stamp is unchanged — one indexed row read — so that any
 * target created or deleted since, by this process or another replica, has them read again.
 * A transaction that changed targets itself on PostgreSQL, whose stamp is set only as it commits,
 * reads them from the table (migration 0036).
 */
export async function scopeNamesOfLengths(db: Db, scope: string, ranges: ReadonlyArray<{ min: number; max: number }>): Promise<NamesOfLength[]> {
  const { stamp, ownChanges } = await scopeStamp(db, scope);
  const lengths = ranges.flatMap(({ min, max }) => Array.from({ length: max - min + 1 }, (_, k) => min + k));
  if (stamp === undefined || ownChanges) return [...(await readLengths(db, scope, lengths)).values()];
  let entry = kept.get(scope);
  if (entry && entry.stamp !== stamp) {
    forget(scope);
    entry = undefined;
  }
  entry ??= { stamp, byLength: new Map(), names: 0 };
  kept.delete(scope);
  kept.set(scope, entry);
  const missing = lengths.filter((length) => !entry.byLength.has(length));
  if (missing.length > 0) {
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

/** The scope's stamp (undefined when it never had a target), and whether this transaction changed targets unseen by it. */
async function scopeStamp(db: Db, scope: string): Promise<{ stamp: string | undefined; ownChanges: boolean }> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ stamp: string | null; changed: string | null }>`select (select stamp from target_name_versions where scope = ${scope}) as stamp, current_setting('lantern.target_names_changed', true) as changed`.execute(db);
    const row = rows[0];
    return { stamp: row?.stamp ?? undefined, ownChanges: row?.changed === '1' };
  }
  const row = await db.selectFrom('target_name_versions').select('stamp').where('scope', '=', scope).executeTakeFirst();
  return { stamp: row?.stamp, ownChanges: false };
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
  for (let k = 1; k < keys.length; k++) {
    const a = keys[k - 1] as string;
    const b = keys[k] as string;
    let n = 0;
    while (n < a.length && n < b.length && n < 0xffff && a.charCodeAt(n) === b.charCodeAt(n)) n++;
    common[k] = n;
  }
  return common;
}
