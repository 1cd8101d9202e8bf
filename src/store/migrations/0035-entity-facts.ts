import type { Kysely } from 'kysely';

/**
 * A scorecard evaluation reads which entities declare the test-target annotation
 * (scorecards/data-points.ts readEntityFacts: the annotation's keys in entity_search, over a range
 * of entity ids). The existing indexes serve that read badly: (entity_id, key) makes it read every
 * search row of every entity in the range (about twenty each), and (key, value) every annotated
 * row of the estate for each range. With (key, entity_id) it reads, for each of the four keys,
 * only the range's annotated rows, from the index alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('entity_search_key_entity').on('entity_search').columns(['key', 'entity_id']).execute();
}
