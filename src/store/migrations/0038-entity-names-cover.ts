import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The overview's `q` reads every entity's name and title when its text is too short for the
 * trigram indexes (0032-entity-name-search.ts), or when pg_trgm could not be installed. On
 * PostgreSQL that was a scan of the entities table, whose rows carry the whole catalog entry: at
 * 50 000 entities 66 MB, read from outside PostgreSQL's buffers each time (a scan of a table larger
 * than a quarter of them goes through a small ring of buffers), 27–99 ms for `q=42` (issue 17).
 *
 * An index of the entity ids that carries their names and titles lets the same LIKE read those
 * alone, in an index-only scan of a few MB (6–14 ms there). SQLite already reads them from the
 * narrow content table FTS5 keeps (0032). The index changes what is read, never what matches.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`create index entities_names_cover on entities (id) include (name, title)`.execute(db);
}
