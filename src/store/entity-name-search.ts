import { type Kysely, sql } from 'kysely';
import { isPostgres } from './row-locks.js';
import type { Database } from './schema.js';
import { containsText } from './text-search.js';

type Db = Kysely<Database>;

/** The shortest text the trigram index narrows: a shorter one has no trigram, and the LIKE reads every entity. */
export const MIN_INDEXED_NAME_SEARCH = 3;

/**
 * Ids of the entities whose name or title contains the text, case-insensitively and literally
 * (containsText). On SQLite the trigram table (migrations/0032-entity-name-search.ts) gives the
 * candidates and the LIKE decides among them; on PostgreSQL the LIKE itself reads the pg_trgm
 * indexes where the migration could make them. Either way the LIKE has the last word, so the
 * index changes how many entities are read, never which match.
 */
export function entitiesNamed(db: Db, text: string) {
  const named = db.selectFrom('entities as e').select('e.id').where((eb) => eb.or([containsText('e.name', text), containsText('e.title', text)]));
  if (isPostgres(db) || [...text].length < MIN_INDEXED_NAME_SEARCH) return named;
  // One quoted phrase: its trigrams in a row, each character literal (a `"` doubled).
  const phrase = `"${text.replaceAll('"', '""')}"`;
  return named.where(sql<boolean>`${sql.ref('e.id')} in (select rowid from entity_name_search where entity_name_search match ${phrase})`);
}
