import { type Kysely, sql } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * The software catalog: registered locations, the entities read from them, their references and
 * relations, the rows the Backstage-compatible filters search, and their resolved target links.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await t
    .id(db.schema.createTable('locations'))
    .addColumn('target', 'text', (c) => c.notNull().unique())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('last_read_at', 'text')
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable('entities'))
    .addColumn('uid', 'text', (c) => c.notNull().unique())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('ref_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('description', 'text')
    .addColumn('type', 'text')
    .addColumn('owner_ref', 'text')
    .addColumn('system_ref', 'text')
    .addColumn('domain_ref', 'text')
    .addColumn('lifecycle', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('location_id', 'integer', (c) => c.notNull().references('locations.id'))
    .addColumn('repository_url', 'text')
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('source_file', 'text', (c) => c.notNull())
    .addColumn('source_document', 'integer', (c) => c.notNull())
    .addColumn('source_line', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('entities_location').on('entities').column('location_id').execute();
  // Insights and scorecards group entities by owner, system and scope.
  await db.schema.createIndex('entities_owner').on('entities').column('owner_ref').execute();
  await db.schema.createIndex('entities_system').on('entities').column('system_ref').execute();
  await db.schema.createIndex('entities_scope_kind').on('entities').columns(['scope', 'kind']).execute();

  // The references an entity declares in its own spec: the source from which relations are derived.
  await db.schema
    .createTable('entity_references')
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('target_ref', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('entity_references_entity').on('entity_references').column('entity_id').execute();
  await db.schema.createIndex('entity_references_target').on('entity_references').column('target_ref').execute();

  // Relations both ways, as the API serves them: one row per entity, type and other side.
  await db.schema
    .createTable('entity_relations')
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('target_ref', 'text', (c) => c.notNull())
    .addColumn('target_exists', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('entity_relations_pk', ['entity_id', 'type', 'target_ref'])
    .execute();
  // `relations.ownedBy=group:default/team-a` filters, and "what points at this entity".
  await db.schema.createIndex('entity_relations_target').on('entity_relations').columns(['target_ref', 'type']).execute();

  // Backstage's search table: every leaf of the served entity as a lower-cased key and value.
  await db.schema
    .createTable('entity_search')
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('original_value', 'text')
    .execute();
  await db.schema.createIndex('entity_search_key_value').on('entity_search').columns(['key', 'value']).execute();
  await db.schema.createIndex('entity_search_entity').on('entity_search').columns(['entity_id', 'key']).execute();

  await t
    .id(db.schema.createTable('entity_links'))
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entities.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('entry', 'integer')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('similarity_key', 'text', (c) => c.notNull())
    .addColumn('last_segment', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('variant', 'text')
    .addColumn('matched', 'integer', (c) => c.notNull())
    .addColumn('target_id', 'integer', (c) => c.references('targets.id'))
    .addColumn('variant_id', 'integer', (c) => c.references('variants.id'))
    .addColumn('variant_name', 'text')
    .addColumn('variant_reason', 'text')
    .addColumn('diagnostics', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('entity_links_entity').on('entity_links').columns(['entity_id', 'position']).execute();
  await db.schema.createIndex('entity_links_target').on('entity_links').column('target_id').execute();
  // A new target can only change links that found no target: these find the few it concerns
  // (same name, similar name, same last path segment, or the same scope) without a full scan.
  for (const column of ['name_key', 'similarity_key', 'last_segment', 'scope']) {
    await db.schema
      .createIndex(`entity_links_unmatched_${column}`)
      .on('entity_links')
      .column(column)
      .where(sql.ref('target_id'), 'is', null)
      .execute();
  }
}
