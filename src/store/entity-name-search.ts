import type { Kysely } from 'kysely';
import { isPostgres } from './row-locks.js';
import type { Database } from './schema.js';
import { containsText, inTrigrams } from './text-search.js';

type Db = Kysely<Database>;

/**
 * Ids of the entities whose name or title contains the text, case-insensitively and literally
 * (containsText). On SQLite the trigram table (migrations/0032-entity-name-search.ts) gives the
 * candidates and the LIKE decides among them; on PostgreSQL the LIKE itself reads the pg_trgm
 * indexes where the migration could make them. Either way the LIKE has the last word, so the
 * index changes how many entities are read, never which match.
 */
export function entitiesNamed(db: Db, text: string) {
  const named = db.selectFrom('entities as e').select('e.id').where((eb) => eb.or([containsText('e.name', text), containsText('e.title', text)]));
  const candidates = isPostgres(db) ? null : inTrigrams('e.id', 'entity_name_search', text);
  return candidates ? named.where(candidates) : named;
}
