import { type Kysely, sql } from 'kysely';

/**
 * The entities that show each target, among the matched links: what target_sharing's triggers
 * (0010, 0039) count whenever a link finds or loses a target. They counted through
 * entity_links_target, whose statistics on SQLite average in the links that wait for a target
 * (target_id null): in a catalog whose 20 550 links were mostly waiting, ANALYZE saw 20 550 rows
 * per target, and the trigger's count walked the whole entity_links_entity index instead, for every
 * link matched. Matching the 8 links a first scan's name had took 13–47 ms of its ingest
 * (bench:catalog, issue 17). This index holds the matched links alone, covers the count, and
 * orders its entities: 0.4 ms for the same 8.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('entity_links_shown_by_target')
    .on('entity_links')
    .columns(['target_id', 'entity_id'])
    .where(sql.ref('matched'), '=', 1)
    .execute();
}
