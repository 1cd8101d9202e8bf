import { sql, type RawBuilder } from 'kysely';

/**
 * `column LIKE '%text%'` with the user's text taken literally (its `%`, `_` and `\` escaped),
 * written once for both dialects: SQLite has no default LIKE escape character.
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
