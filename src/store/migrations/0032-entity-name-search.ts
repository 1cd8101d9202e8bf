import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The overview's `q` matches entity names and titles, and the distinct issue terms
 * (0020-search-terms.ts), through an index of their trigrams rather than a LIKE over every entity
 * and every term (issue 17: `q=svc-00420` 52–75 ms at 50 000 entities on SQLite). The index only
 * narrows the candidates: the query keeps its LIKE on them (store/entity-name-search.ts,
 * store/search-terms.ts: termContains), so that what matches is exactly what matched before.
 *
 * SQLite: FTS5 tables with the trigram tokenizer, one row per entity (its rowid the entity's id)
 * and one per term, kept in step by triggers whatever code path writes. It folds case at least as far as
 * SQLite's LIKE does (ASCII), so its candidates include every entity the LIKE matches.
 *
 * PostgreSQL: GIN indexes of pg_trgm on lower(name), lower(title) and the term, which the LIKEs use.
 * pg_trgm is used wherever it is installed; otherwise it is installed into `public`, or failing
 * that into the store's schema (a trusted extension: the database's CREATE privilege suffices). A
 * role that may not install it gets no index: the search scans as before (docs/deploy.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const schema = await trigramSchema(db);
    if (schema === null) return;
    for (const column of ['name', 'title']) {
      await sql`create index ${sql.id(`entities_${column}_trigrams`)} on entities using gin (lower(${sql.ref(column)}) ${sql.id(schema)}.gin_trgm_ops)`.execute(db);
    }
    await sql`create index search_terms_trigrams on search_terms using gin (term ${sql.id(schema)}.gin_trgm_ops)`.execute(db);
    await sql`analyze entities`.execute(db);
    await sql`analyze search_terms`.execute(db);
    return;
  }
  await sql`create virtual table entity_name_search using fts5(name, title, tokenize = 'trigram')`.execute(db);
  await sql`insert into entity_name_search (rowid, name, title) select id, name, title from entities`.execute(db);
  for (const statement of [
    'create trigger entity_name_search_insert after insert on entities begin insert into entity_name_search (rowid, name, title) values (new.id, new.name, new.title); end',
    'create trigger entity_name_search_update after update of id, name, title on entities begin delete from entity_name_search where rowid = old.id; insert into entity_name_search (rowid, name, title) values (new.id, new.name, new.title); end',
    'create trigger entity_name_search_delete after delete on entities begin delete from entity_name_search where rowid = old.id; end',
  ]) {
    await sql.raw(statement).execute(db);
  }
  // The distinct issue terms, by the term itself (search_terms has no stable integer key). Terms
  // are only ever added; one deleted (a test's reset) leaves a candidate that the join back to
  // search_terms drops, and one added again a second candidate that the IN reads once.
  await sql`create virtual table search_term_trigrams using fts5(term, tokenize = 'trigram')`.execute(db);
  await sql`insert into search_term_trigrams (term) select term from search_terms`.execute(db);
  await sql.raw('create trigger search_term_trigrams_insert after insert on search_terms begin insert into search_term_trigrams (term) values (new.term); end').execute(db);
}

/**
 * The schema pg_trgm is installed in, installing it if it is not; null when it cannot be. Each
 * attempt runs behind a savepoint, so that a refusal leaves the migration's transaction usable.
 * `extension` is pg_trgm but for the test of the refusal.
 */
export async function trigramSchema(db: Kysely<any>, extension = 'pg_trgm'): Promise<string | null> {
  const installed = async () =>
    (await sql<{ schema: string }>`select n.nspname as schema from pg_extension x join pg_namespace n on n.oid = x.extnamespace where x.extname = ${extension}`.execute(db)).rows[0]?.schema ?? null;
  const current = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
  for (const schema of new Set(['public', ...(current ? [current] : [])])) {
    // Asked again before each attempt: another store's migration may have installed it meanwhile.
    const found = await installed();
    if (found !== null) return found;
    await sql`savepoint entity_name_search`.execute(db);
    try {
      await sql`create extension if not exists ${sql.id(extension)} with schema ${sql.id(schema)}`.execute(db);
      await sql`release savepoint entity_name_search`.execute(db);
      return installed();
    } catch {
      // Not allowed here (no CREATE on the schema or the database, the extension not shipped, or
      // installed by another transaction at the same moment): try the next, or go without.
      await sql`rollback to savepoint entity_name_search`.execute(db);
      await sql`release savepoint entity_name_search`.execute(db);
    }
  }
  return installed();
}
