import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * `column` contains `text`, case-insensitively and literally (the text's `%`, `_` and `\` are
 * escaped), written once for both dialects: SQLite has no default LIKE escape character and
 * PostgreSQL's LIKE is case-sensitive.
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${containsPattern(text.toLowerCase())} escape '\\'`;
}

/** `text` as a LIKE pattern (with escape '\\') that matches it literally anywhere in a value. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The shortest text a trigram index narrows: a shorter one has no trigram, and its LIKE reads every row. */
export const MIN_TRIGRAM_SEARCH = 3;

/** SQLite's trigram tables (migrations/0032-entity-name-search.ts) and the column each gives its candidates by. */
const TRIGRAM_TABLES = { entity_name_search: 'rowid', search_term_trigrams: 'term' } as const;

/**
 * On SQLite, `column` is one of the rows of the trigram table that contain the text, folding case
 * at least as far as LIKE does: a superset of the rows the caller's LIKE matches, which still
 * decides. Null where no index narrows the text (fewer than three characters). PostgreSQL's LIKE
 * reads its pg_trgm indexes itself.
 */
export function inTrigrams(column: string, table: keyof typeof TRIGRAM_TABLES, text: string): RawBuilder<SqlBool> | null {
  if ([...text].length < MIN_TRIGRAM_SEARCH) return null;
  // One quoted phrase: its trigrams in a row, each character literal (a `"` doubled).
  const phrase = `"${text.replaceAll('"', '""')}"`;
  return sql<SqlBool>`${sql.ref(column)} in (select ${sql.ref(TRIGRAM_TABLES[table])} from ${sql.table(table)} where ${sql.table(table)} match ${phrase})`;
}
