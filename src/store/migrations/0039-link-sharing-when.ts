import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * target_sharing (0010-overview-sort.ts) is kept by a trigger on the links' target, entity and
 * matched columns. "after update of" fires for every row whose update names one of them, changed or
 * not, and rewriting a link (catalog/link-resolution.ts) names them all: a new target that
 * concerns many unmatched links, each rewritten for its similar-name hint, ran the recount for each,
 * to no effect. On PostgreSQL, with 992 such links, the trigger took 130 ms of the 163 ms the
 * rewrite did (issue 17). Now it runs only when one of them changes; what it counts is the same.
 */
const SQLITE_CHANGED = 'old.target_id is not new.target_id or old.entity_id is not new.entity_id or old.matched is not new.matched';
const POSTGRES_CHANGED = SQLITE_CHANGED.replaceAll(' is not ', ' is distinct from ');

/** Per target, how many entities show it: the recount of 0010, unchanged. */
const recount = (row: 'new' | 'old') =>
  `insert into target_sharing (target_id, entities) select ${row}.target_id, (select count(distinct entity_id) from entity_links where target_id = ${row}.target_id and matched = 1) where ${row}.target_id is not null
    on conflict (target_id) do update set entities = excluded.entities`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // The function target_sharing_update() of 0010 stays; only when it is called changes.
    await sql`drop trigger target_sharing_update on entity_links`.execute(db);
    await sql
      .raw(`create trigger target_sharing_update after update of target_id, entity_id, matched on entity_links for each row when (${POSTGRES_CHANGED}) execute function target_sharing_update()`)
      .execute(db);
    return;
  }
  await sql`drop trigger target_sharing_update`.execute(db);
  await sql
    .raw(`create trigger target_sharing_update after update of target_id, entity_id, matched on entity_links when ${SQLITE_CHANGED} begin ${recount('old')}; ${recount('new')}; end`)
    .execute(db);
}
