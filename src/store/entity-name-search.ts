import { type Kysely, sql, type SqlBool } from 'kysely';
import { isPostgres } from './row-locks.js';
import type { Database } from './schema.js';
import { containsPattern, containsText, inTrigrams, MIN_TRIGRAM_SEARCH } from './text-search.js';

type Db = Kysely<Database>;

/**
 * Ids of the entities whose name or title contains the text, case-insensitively and literally
 * (containsText). On PostgreSQL the LIKE reads the pg_trgm indexes where the migration could make
 * them; a text too short for them reads every name and title, without lower() where the text has
 * no letter (caseless). On SQLite the names and titles are read from the content table that FTS5 keeps beside the
 * trigram table (migrations/0032-entity-name-search.ts: the same values under the entity's id, kept
 * by its triggers), a few narrow rows a page where an entity's row spans most of one: a text too
 * short for trigrams reads every name (at 50 000 entities 4–5× faster than reading the entities),
 * a longer one only the trigram table's candidates. Either way the LIKE has the last word, so the
 * index changes how many entities are read, never which match.
 */
export function entitiesNamed(db: Db, text: string) {
  if (isPostgres(db)) {
    const contains = caseless(text) ? plainContains : containsText;
    return db.selectFrom('entities as e').select('e.id').where((eb) => eb.or([contains('e.name', text), contains('e.title', text)]));
  }
  const named = db.selectFrom('entity_name_search_content as e').select('e.id').where((eb) => eb.or([foldedContains('e.c0', text), foldedContains('e.c1', text)]));
  const candidates = inTrigrams('e.id', 'entity_name_search', text);
  return candidates ? named.where(candidates) : named;
}

/**
 * SQLite's `lower(column) like pattern` without the lower(): SQLite's LIKE already folds ASCII
 * letters, and its lower() folds only those (no ICU), so for a lowered text the two match the same
 * values; the lower() copied every value read and took half the time of a scan of every name.
 */
function foldedContains(column: string, text: string) {
  return sql<SqlBool>`${sql.ref(column)} like ${containsPattern(text.toLowerCase())} escape '\\'`;
}

/**
 * Whether a text too short for trigrams has no letter: ASCII digits, punctuation and spaces only.
 * Lowering changes none of those characters and turns no other character into one of them (what it
 * changes becomes letters and marks), so a value contains such a text exactly when its lowered value does, and
 * PostgreSQL's lower(), half the time of a scan of every name and title, can be left out. A longer
 * text keeps it: the trigram indexes are of the lowered values.
 */
function caseless(text: string): boolean {
  return [...text].length < MIN_TRIGRAM_SEARCH && /^[\x20-\x40\x5b-\x60\x7b-\x7e]*$/.test(text);
}

/** `column` contains the (caseless) text, compared as it is. */
function plainContains(column: string, text: string) {
  return sql<SqlBool>`${sql.ref(column)} like ${containsPattern(text)} escape '\\'`;
}
