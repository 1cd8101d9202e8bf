import type { Kysely } from 'kysely';
import type { EntitySource } from '../catalog/entity.js';
import type { SearchRow } from '../catalog/served-entity.js';
import { batches } from './batches.js';
import { bulkRun } from './bulk.js';
import type { Store } from './database.js';
import type { Database, EntityRow, NewEntity } from './schema.js';
import { forgetScorecardResults } from './scorecards.js';

type Db = Kysely<Database>;

/** What a refresh compares a new read with. */
export interface StoredEntityState {
  id: number;
  ref_key: string;
  content_hash: string;
  source_file: string;
  source_document: number;
}

export function entitiesOfLocation(db: Db, locationId: number): Promise<StoredEntityState[]> {
  return db
    .selectFrom('entities')
    .select(['id', 'ref_key', 'content_hash', 'source_file', 'source_document'])
    .where('location_id', '=', locationId)
    .orderBy('id')
    .execute();
}

/** The entity rows a location holds, in the order they were first stored. */
export function entityRowsOfLocation(db: Db, locationId: number): Promise<EntityRow[]> {
  return db.selectFrom('entities').selectAll().where('location_id', '=', locationId).orderBy('id').execute();
}

/** The entities among `refKeys` that a location other than `locationId` holds. */
export async function definedElsewhere(db: Db, locationId: number, refKeys: readonly string[]): Promise<Map<string, EntitySource>> {
  const found = new Map<string, EntitySource>();
  for (const batch of batches(refKeys)) {
    const rows = await db
      .selectFrom('entities')
      .innerJoin('locations', 'locations.id', 'entities.location_id')
      .select(['entities.ref_key', 'locations.target', 'entities.source_file', 'entities.source_document', 'entities.source_line'])
      .where('entities.location_id', '<>', locationId)
      .where('entities.ref_key', 'in', batch)
      .execute();
    for (const r of rows) found.set(r.ref_key, { location: r.target, file: r.source_file, document: r.source_document, line: r.source_line });
  }
  return found;
}

export type EntityUpsert = Required<Omit<NewEntity, 'id'>>;

/**
 * Inserts new entities and rewrites changed ones of the same location (same ref_key), keeping
 * their id and created_at. Returns ids by ref_key; a ref another location holds has none.
 */
export async function upsertEntities(store: Store, trx: Db, rows: EntityUpsert[]): Promise<Map<string, number>> {
  const returned = await bulkRun<EntityUpsert, { id: number; ref_key: string }>(
    store,
    trx,
    rows.length,
    (i) => rows[i] as EntityUpsert,
    (db, batch) =>
      db
        .insertInto('entities')
        .values(batch)
        .onConflict((oc) =>
          oc.column('ref_key').doUpdateSet((eb) => ({
            ref: eb.ref('excluded.ref'),
            kind: eb.ref('excluded.kind'),
            namespace: eb.ref('excluded.namespace'),
            name: eb.ref('excluded.name'),
            title: eb.ref('excluded.title'),
            description: eb.ref('excluded.description'),
            type: eb.ref('excluded.type'),
            owner_ref: eb.ref('excluded.owner_ref'),
            system_ref: eb.ref('excluded.system_ref'),
            domain_ref: eb.ref('excluded.domain_ref'),
            lifecycle: eb.ref('excluded.lifecycle'),
            tags: eb.ref('excluded.tags'),
            scope: eb.ref('excluded.scope'),
            format: eb.ref('excluded.format'),
            location_id: eb.ref('excluded.location_id'),
            repository_url: eb.ref('excluded.repository_url'),
            envelope: eb.ref('excluded.envelope'),
            problems: eb.ref('excluded.problems'),
            content_hash: eb.ref('excluded.content_hash'),
            source_file: eb.ref('excluded.source_file'),
            source_document: eb.ref('excluded.source_document'),
            source_line: eb.ref('excluded.source_line'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          // Never take over another location's entity: the row is then not returned (a conflict).
          .whereRef('entities.location_id', '=', 'excluded.location_id'),
        )
        .returning(['id', 'ref_key']),
    { returning: true },
  );
  return new Map(returned.filter((r) => r !== undefined).map((r) => [r.ref_key, r.id]));
}

/** Moves an entity that is read again unchanged to where it is now written (its lines moved). */
export async function updateEntitySource(db: Db, id: number, source: { file: string; document: number; line: number }): Promise<void> {
  await db.updateTable('entities').set({ source_file: source.file, source_document: source.document, source_line: source.line }).where('id', '=', id).execute();
}

/** Deletes entities with their search rows, references, relations, links and scorecard results. */
export async function deleteEntities(db: Db, ids: readonly number[]): Promise<void> {
  await forgetScorecardResults(db, ids);
  for (const batch of batches(ids)) await db.deleteFrom('entities').where('id', 'in', batch).execute();
}

/** Clears what is derived from an entity's content, before it is written again. */
export async function clearEntityContent(db: Db, ids: readonly number[]): Promise<void> {
  for (const batch of batches(ids)) {
    await db.deleteFrom('entity_search').where('entity_id', 'in', batch).execute();
    await db.deleteFrom('entity_references').where('entity_id', 'in', batch).execute();
    await db.deleteFrom('entity_links').where('entity_id', 'in', batch).execute();
  }
}

export type SearchInsert = SearchRow & { entity_id: number };

export async function insertSearchRows(store: Store, trx: Db, rows: SearchInsert[]): Promise<void> {
  const ordered = rows.map((r) => ({ entity_id: r.entity_id, key: r.key, value: r.value, original_value: r.original_value }));
  await bulkRun(store, trx, ordered.length, (i) => ordered[i] as (typeof ordered)[number], (db, batch) => db.insertInto('entity_search').values(batch));
}

export interface ReferenceInsert {
  entity_id: number;
  type: string;
  target_ref: string;
  field: string;
}

export async function insertReferences(store: Store, trx: Db, rows: ReferenceInsert[]): Promise<void> {
  const ordered = rows.map((r) => ({ entity_id: r.entity_id, type: r.type, target_ref: r.target_ref, field: r.field }));
  await bulkRun(store, trx, ordered.length, (i) => ordered[i] as (typeof ordered)[number], (db, batch) => db.insertInto('entity_references').values(batch));
}

/** The refs the given entities' declared references point at. */
export async function referencedRefs(db: Db, ids: readonly number[]): Promise<string[]> {
  const found = new Set<string>();
  for (const batch of batches(ids)) {
    const rows = await db.selectFrom('entity_references').select('target_ref').distinct().where('entity_id', 'in', batch).execute();
    for (const r of rows) found.add(r.target_ref);
  }
  return [...found];
}

/**
 * Rebuilds entity_relations for every entity whose relations can differ after the entities with
 * `changedRefs` were added, rewritten or deleted: those entities, the ones their old and new
 * references point at (`referencedRefs`), and the ones that refer to them. Each entity's rows
 * are its own references, and the reverse of every reference made to it.
 */
export async function rebuildRelations(store: Store, trx: Db, changedRefs: ReadonlySet<string>, referencedRefs: ReadonlySet<string>): Promise<number> {
  const affected = new Set<number>();
  for (const batch of batches(new Set([...changedRefs, ...referencedRefs]))) {
    for (const r of await trx.selectFrom('entities').select('id').where('ref_key', 'in', batch).execute()) affected.add(r.id);
  }
  for (const batch of batches(changedRefs)) {
    for (const r of await trx.selectFrom('entity_references').select('entity_id').distinct().where('target_ref', 'in', batch).execute()) affected.add(r.entity_id);
  }
  if (affected.size === 0) return 0;

  // Loaded here, not at import: what ingest reads from this module must not load catalog-model.
  const { REVERSE_RELATION } = await import('../catalog/relations.js');
  const rows = new Map<string, { entity_id: number; type: string; target_ref: string; target_exists: number }>();
  const add = (entityId: number, type: string, targetRef: string, exists: boolean) => {
    const key = `${entityId} ${type} ${targetRef}`;
    const current = rows.get(key);
    if (!current) rows.set(key, { entity_id: entityId, type, target_ref: targetRef, target_exists: exists ? 1 : 0 });
    else if (exists) current.target_exists = 1;
  };
  for (const batch of batches(affected)) {
    await trx.deleteFrom('entity_relations').where('entity_id', 'in', batch).execute();
    const forward = await trx
      .selectFrom('entity_references as r')
      .leftJoin('entities as t', 't.ref_key', 'r.target_ref')
      .select(['r.entity_id', 'r.type', 'r.target_ref', 't.id as target_id'])
      .where('r.entity_id', 'in', batch)
      .execute();
    for (const r of forward) add(r.entity_id, r.type, r.target_ref, r.target_id !== null);
    const reverse = await trx
      .selectFrom('entity_references as r')
      .innerJoin('entities as t', 't.ref_key', 'r.target_ref')
      .innerJoin('entities as s', 's.id', 'r.entity_id')
      .select(['t.id as entity_id', 'r.type', 's.ref_key as source_ref'])
      .where('t.id', 'in', batch)
      .execute();
    for (const r of reverse) add(r.entity_id, REVERSE_RELATION[r.type] ?? r.type, r.source_ref, true);
  }
  const relations = [...rows.values()];
  await bulkRun(store, trx, relations.length, (i) => relations[i] as (typeof relations)[number], (db, batch) => db.insertInto('entity_relations').values(batch));
  return affected.size;
}

export interface RelationRow {
  entity_id: number;
  type: string;
  target_ref: string;
  target_exists: number;
}

/** The relations of the given entities, ordered by type and other side. */
export async function relationsOf(db: Db, ids: readonly number[]): Promise<Map<number, RelationRow[]>> {
  const out = new Map<number, RelationRow[]>();
  for (const batch of batches(ids)) {
    const rows = await db.selectFrom('entity_relations').selectAll().where('entity_id', 'in', batch).orderBy('entity_id').orderBy('type').orderBy('target_ref').execute();
    for (const r of rows) {
      const list = out.get(r.entity_id);
      if (list) list.push(r);
      else out.set(r.entity_id, [r]);
    }
  }
  return out;
}

let catalogModel: Promise<typeof import('@backstage/catalog-model')> | undefined;

/** The entities' ref_key of `kind:namespace/name`: compared case-insensitively (Backstage refs are). */
export async function refKeyOf(kind: string, namespace: string, name: string): Promise<string> {
  // Loaded on the first call and kept: each import() asks the module loader again, which costs
  // 2 ms a call under a loader hook such as tsx's (0.02 ms under plain node).
  catalogModel ??= import('@backstage/catalog-model');
  const { stringifyEntityRef } = await catalogModel;
  return stringifyEntityRef({ kind, namespace, name }).toLowerCase();
}

/** The entity `kind:namespace/name`, compared case-insensitively (Backstage refs are). */
export async function findEntityByRef(db: Db, kind: string, namespace: string, name: string): Promise<EntityRow | undefined> {
  return db.selectFrom('entities').selectAll().where('ref_key', '=', await refKeyOf(kind, namespace, name)).executeTakeFirst();
}

export function findEntityByUid(db: Db, uid: string): Promise<EntityRow | undefined> {
  return db.selectFrom('entities').selectAll().where('uid', '=', uid).executeTakeFirst();
}

/** The entities with these lower-cased refs, by ref. */
export async function entitiesByRefKeys(db: Db, refKeys: readonly string[]): Promise<Map<string, EntityRow>> {
  const out = new Map<string, EntityRow>();
  for (const batch of batches(new Set(refKeys))) {
    for (const row of await db.selectFrom('entities').selectAll().where('ref_key', 'in', batch).execute()) out.set(row.ref_key, row);
  }
  return out;
}

/** How many entities the catalog holds. */
export async function countAllEntities(db: Db): Promise<number> {
  const row = await db.selectFrom('entities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
