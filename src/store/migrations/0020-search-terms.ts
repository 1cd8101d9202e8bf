import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { recordSearchTerms } from '../search-terms.js';

/**
 * The overview's `q` filter found entities by an issue they show now with a LIKE over every issue's
 * vulnerability id, package, rule id and details (issue 17: 17 s at 10 000 entities on SQLite). The
 * distinct lowered terms of those columns and the issues' aliases are kept in search_terms, far
 * fewer than issues, and issue_search_terms maps each term to its issues: a search runs its LIKE over
 * the terms and reaches the issues through an index (store/search-terms.ts). Ingest adds the terms of
 * the issues it writes; rows are never deleted (a search checks the issue it reaches).
 *
 * Existing issues are backfilled here, a batch at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('search_terms').addColumn('term', 'text', (c) => c.primaryKey()).execute();
  await db.schema
    .createTable('issue_search_terms')
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('alias', 'integer', (c) => c.notNull())
    .addColumn('issue_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('issue_search_terms_pk', ['term', 'alias', 'issue_id'])
    .execute();

  await backfillSearchTerms(db as unknown as Kysely<Database>);
}

/** Records the search terms of every issue, a batch of issues at a time. */
export async function backfillSearchTerms(typed: Kysely<Database>): Promise<void> {
  const BATCH = 5000;
  for (let after = 0; ; ) {
    const rows = await typed.selectFrom('issues').select(['id', 'vulnerability_id', 'package', 'rule_id', 'details']).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    if (rows.length === 0) return;
    await recordSearchTerms(undefined, typed, rows);
    after = rows[rows.length - 1]?.id ?? after;
  }
}
