import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { bulkRun } from './bulk.js';
import type { Store } from './database.js';
import { isPostgres } from './row-locks.js';
import type { Database, IssueTable } from './schema.js';
import { containsPattern, inTrigrams } from './text-search.js';

type Db = Kysely<Database>;

/** The columns of an issue that a search reads its terms from. */
export type SearchedColumns = Pick<IssueTable, 'vulnerability_id' | 'package' | 'rule_id' | 'details'>;

/** One term of an issue: its lowered vulnerability id, package or rule id (alias 0), or a lowered alias (alias 1). */
export interface IssueTerm {
  term: string;
  alias: 0 | 1;
}

function aliasesOf(details: string): string[] {
  try {
    const parsed = JSON.parse(details) as { aliases?: unknown };
    return Array.isArray(parsed.aliases) ? parsed.aliases.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * The search terms of an issue, each once: a search matches the first kind when the term contains
 * its text and an alias when the term is its text (insights/issue-search.ts).
 */
export function issueTerms(issue: SearchedColumns): IssueTerm[] {
  const seen = new Set<string>();
  const out: IssueTerm[] = [];
  const add = (value: string | null | undefined, alias: 0 | 1) => {
    if (!value) return;
    const term = value.toLowerCase();
    const key = `${alias}:${term}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ term, alias });
  };
  add(issue.vulnerability_id, 0);
  add(issue.package, 0);
  add(issue.rule_id, 0);
  for (const alias of aliasesOf(issue.details)) add(alias, 1);
  return out;
}

/**
 * Records the terms of issues just written (migrations/0020-search-terms.ts): each distinct term
 * once in search_terms, and each (term, issue) in issue_search_terms. Rows are only ever added: a
 * term whose issues changed or are no longer current finds them no more at search time, because the
 * search checks the issue's current columns through the scans that have it now. Terms are written
 * in sorted order so that concurrent ingests take their row locks in one order.
 */
export async function recordSearchTerms(store: Store | undefined, trx: Db, issues: ReadonlyArray<{ id: number } & SearchedColumns>): Promise<void> {
  if (issues.length === 0) return;
  const pairs: Array<{ term: string; issue_id: number; alias: number }> = [];
  const terms = new Set<string>();
  for (const issue of issues) {
    for (const t of issueTerms(issue)) {
      pairs.push({ term: t.term, issue_id: issue.id, alias: t.alias });
      terms.add(t.term);
    }
  }
  const sorted = [...terms].sort();
  pairs.sort((a, b) => (a.term < b.term ? -1 : a.term > b.term ? 1 : a.alias - b.alias || a.issue_id - b.issue_id));
  const termRows = sorted.map((term) => ({ term }));
  if (!store) {
    // Without the store (a migration's backfill): plain multi-row statements, small enough for either dialect.
    for (let i = 0; i < termRows.length; i += 300) await trx.insertInto('search_terms').values(termRows.slice(i, i + 300)).onConflict((oc) => oc.column('term').doNothing()).execute();
    for (let i = 0; i < pairs.length; i += 300) {
      await trx.insertInto('issue_search_terms').values(pairs.slice(i, i + 300)).onConflict((oc) => oc.columns(['term', 'alias', 'issue_id']).doNothing()).execute();
    }
    return;
  }
  await bulkRun(store, trx, termRows.length, (i) => termRows[i] as { term: string }, (db, batch) => db.insertInto('search_terms').values(batch).onConflict((oc) => oc.column('term').doNothing()));
  await bulkRun(store, trx, pairs.length, (i) => pairs[i] as (typeof pairs)[number], (db, batch) =>
    db.insertInto('issue_search_terms').values(batch).onConflict((oc) => oc.columns(['term', 'alias', 'issue_id']).doNothing()),
  );
}

/**
 * `st.term` (of search_terms) contains the lowered text: a LIKE over the distinct terms, which on
 * SQLite reads only the candidates of the terms' trigram table (migrations/0032-entity-name-search.ts)
 * and on PostgreSQL reads the pg_trgm index where there is one.
 */
export function termContains(db: Db, text: string): RawBuilder<SqlBool> {
  const like = sql<SqlBool>`${sql.ref('st.term')} like ${containsPattern(text)} escape '\\'`;
  const candidates = isPostgres(db) ? null : inTrigrams('st.term', 'search_term_trigrams', text);
  return candidates ? sql<SqlBool>`${candidates} and ${like}` : like;
}

/**
 * The condition that `column` (the term of issue_search_terms or scan_search_terms) is one of the
 * distinct terms containing the lowered text (termContains). On PostgreSQL the terms are read once,
 * through their trigram index, and the column's rows then by index: written as a join PostgreSQL
 * planned a parallel scan of every term (100 000 at 50 000 entities) against each row's, 14 ms and
 * two worker start-ups for a text no term has, against about 1 ms. SQLite reads them in the same
 * order, the terms' trigram table first, with `in (…)`.
 */
export function termColumnContains(db: Db, column: string, text: string): RawBuilder<SqlBool> {
  const terms = db.selectFrom('search_terms as st').select('st.term').where(termContains(db, text));
  return isPostgres(db) ? sql<SqlBool>`${sql.ref(column)} = any(array(${terms}))` : sql<SqlBool>`${sql.ref(column)} in (${terms})`;
}

/**
 * Ids of issues that have, or had, a term matching the lowered text: a term containing it, or an
 * alias equal to it. The match reads the distinct terms (far fewer than issues: termColumnContains);
 * the issues come from the index on issue_search_terms. A caller checks that the issue still has the
 * term where that matters (an issue's columns can change on a rescan): see issueStillMatches.
 */
export function issuesWithTerm(db: Db, text: string) {
  return db
    .selectFrom('issue_search_terms as ist')
    .select('ist.issue_id')
    .where(termColumnContains(db, 'ist.term', text))
    .where((eb) => eb.or([eb('ist.alias', '=', 0), eb('ist.term', '=', text)]));
}
