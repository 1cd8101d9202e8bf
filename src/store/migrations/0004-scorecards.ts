import type { Kysely } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * What scorecards keep: the scorecards defined through the API (YAML ones are read from their
 * files), each entity's current results per scorecard, and their history, one row per day a result
 * changed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .createTable('scorecards')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scorecard_results')
    .addColumn('scorecard_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
    .addColumn('score', t.real)
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('unknown', 'integer', (c) => c.notNull())
    .addColumn('checks', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scorecard_results_pk', ['scorecard_id', 'entity_id'])
    .execute();
  await db.schema.createIndex('scorecard_results_entity').on('scorecard_results').column('entity_id').execute();

  await db.schema
    .createTable('scorecard_history')
    .addColumn('scorecard_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('applies', 'integer', (c) => c.notNull())
    .addColumn('score', t.real)
    .addColumn('statuses', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scorecard_history_pk', ['scorecard_id', 'entity_id', 'day'])
    .execute();
  await db.schema.createIndex('scorecard_history_entity').on('scorecard_history').column('entity_id').execute();
}
