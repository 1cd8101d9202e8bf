import type { CreateTableBuilder, Kysely } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * What the insights keep: each entity's summary (so the catalog overview sorts and filters 10 000
 * entities without computing each), a daily history of it (the trend), and exemptions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  const counts = <T extends string>(table: CreateTableBuilder<T, never>) =>
    table
      .addColumn('critical', 'integer', (c) => c.notNull())
      .addColumn('high', 'integer', (c) => c.notNull())
      .addColumn('medium', 'integer', (c) => c.notNull())
      .addColumn('low', 'integer', (c) => c.notNull())
      .addColumn('info', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull());

  await counts(db.schema.createTable('entity_summaries'))
    .addColumn('entity_id', 'integer', (c) => c.primaryKey().references('entities.id').onDelete('cascade'))
    .addColumn('has_data', 'integer', (c) => c.notNull())
    .addColumn('fixable', 'integer', (c) => c.notNull())
    .addColumn('new_count', 'integer', (c) => c.notNull())
    .addColumn('exempted', 'integer', (c) => c.notNull())
    .addColumn('last_scan_at', 'text')
    .addColumn('unmatched_links', 'integer', (c) => c.notNull())
    .addColumn('breakdown', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The overview's default order: criticals first, then highs …
  await db.schema.createIndex('entity_summaries_worst').on('entity_summaries').columns(['critical', 'high', 'medium', 'low', 'info']).execute();

  await counts(db.schema.createTable('summary_history'))
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('has_data', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('summary_history_pk', ['entity_id', 'day'])
    .execute();
  await db.schema.createIndex('summary_history_day').on('summary_history').columns(['day', 'entity_id']).execute();

  await t
    .id(db.schema.createTable('exemptions'))
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('target_id', 'integer', (c) => c.references('targets.id'))
    .addColumn('scope', 'text')
    .addColumn('issue_id', 'integer', (c) => c.references('issues.id'))
    .addColumn('key', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('exemptions_status').on('exemptions').columns(['status', 'level']).execute();
  await db.schema.createIndex('exemptions_target').on('exemptions').column('target_id').execute();
}
