import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import { targetKeyColumns } from '../targets.js';
import { updateById } from '../bulk.js';

/**
 * Registering or refreshing an entity resolved its links against every target (issue 17). Each
 * target now keeps the keys matching compares a link that found no target with (catalog/matching.ts:
 * similarityKey, lastSegment, and the similarity key's length), so a link reads only the targets
 * that can decide how it resolves (store/target-links.ts targetsForLinks):
 *
 * - its name in any scope, through targets_name_key (migration 0001);
 * - its similarity key and its last path segment in any scope, through one index each;
 * - the names of its scope within a few edits of it, from one covering index read by scope and
 *   length (an edit changes the length by at most one), without the targets' rows.
 *
 * Existing targets are backfilled from their names with the same functions that key new ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('targets').addColumn('similarity_key', 'text').execute();
  await db.schema.alterTable('targets').addColumn('last_segment', 'text').execute();
  await db.schema.alterTable('targets').addColumn('similarity_length', 'integer').execute();

  await backfillTargetKeys(db as unknown as Kysely<Database>);
  await db.schema.createIndex('targets_similarity_key').on('targets').column('similarity_key').execute();
  await db.schema.createIndex('targets_last_segment').on('targets').column('last_segment').where(sql.ref('last_segment'), 'is not', null).execute();
  await db.schema.createIndex('targets_scope_similarity').on('targets').columns(['scope', 'similarity_length', 'similarity_key', 'name_key', 'last_segment', 'id']).execute();
}

/** Sets every target's keys from its name, a batch of targets at a time. */
export async function backfillTargetKeys(db: Kysely<Database>): Promise<void> {
  const BATCH = 5000;
  for (let after = 0; ; ) {
    const rows = await db.selectFrom('targets').select(['id', 'name']).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    if (rows.length === 0) return;
    await updateById(
      db,
      'targets',
      [
        ['similarity_key', 'text'],
        ['last_segment', 'text'],
        ['similarity_length', 'integer'],
      ],
      rows.map((row) => ({ id: row.id, ...targetKeyColumns(row.name) })),
    );
    after = rows[rows.length - 1]?.id ?? after;
  }
}
