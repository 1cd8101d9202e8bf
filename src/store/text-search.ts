import { sql, type RawBuilder } from 'kysely';

/**
 * `column` contains `text`, case-insensitively and literally (the text's `%`, `_` and `\` are
 * escaped), written once for both dialects: SQLite has no default LIKE escape character and
 * PostgreSQL's LIKE is case-sensitive.
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
