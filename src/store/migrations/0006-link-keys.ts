import { type Kysely, sql } from 'kysely';

/**
 * What linking a new target needs to stay off a pass over every entity and every target (issue 17):
 *
 * - each link that found no target keeps the ids of the similar-named targets its diagnostic
 *   offers, so a new target is compared with those few instead of every target of its scope;
 * - the links that found no target are found by scope and similarity key from one covering index,
 *   read without their rows, so the ones within a few edits of a new name are picked cheaply.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // JSON array of target ids, nearest first; null where not known (links resolved before this).
  await db.schema.alterTable('entity_links').addColumn('similar_targets', 'text').execute();
  await db.schema.dropIndex('entity_links_unmatched_scope').execute();
  await db.schema
    .createIndex('entity_links_unmatched_scope_keys')
    .on('entity_links')
    .columns(['scope', 'similarity_key', 'name_key', 'last_segment', 'id'])
    .where(sql.ref('target_id'), 'is', null)
    .execute();
}
