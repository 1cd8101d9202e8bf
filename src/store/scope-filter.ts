import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';

/**
 * A WHERE condition keeping the rows whose `column` (an `account` / `ORG.PROJECT` / `ORG` scope)
 * a ScopeFilter allows. Org prefixes are compared with substr, not LIKE: identifiers may hold `_`,
 * a LIKE wildcard.
 */
export function scopeAllowed<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, column: string, filter: ScopeFilter): Expression<SqlBool> {
  if (filter.all) return sql<SqlBool>`1 = 1`;
  const ref = sql.ref(column);
  const parts: Expression<SqlBool>[] = [];
  if (filter.projects.length > 0) parts.push(sql<SqlBool>`${ref} in (${sql.join(filter.projects)})`);
  for (const org of filter.orgs) {
    parts.push(sql<SqlBool>`(${ref} = ${org} or substr(${ref}, 1, ${org.length + 1}) = ${`${org}.`})`);
  }
  if (parts.length === 0) return sql<SqlBool>`1 = 0`;
  return eb.or(parts);
}
