import type { Kysely } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { entitiesByRefKeys, findEntityByRef, findEntityByUid, relationsOf } from '../store/catalog-entities.js';
import { type EntitySelection, entityRowsByIds, keptByFilter, selectEntityIds } from '../store/entity-query.js';
import type { Database, EntityRow } from '../store/schema.js';
import { linksOfEntities, type TargetLinkView } from '../store/target-links.js';
import type { CatalogProblem } from './entity.js';
import type { EntityFilter } from './entity-filter.js';
import { type ServedEntity, servedEntity, type StoredEnvelope } from './served-entity.js';

/**
 * Reading the catalog as the API and the CLI show it: stored envelopes with their relations and
 * target links, assembled in three queries per page whatever its size.
 */

type Db = Kysely<Database>;

export interface CatalogEntry {
  row: EntityRow;
  entity: ServedEntity;
  links: TargetLinkView[];
}

/** The served form of stored entity rows, in the same order. */
export async function catalogEntries(db: Db, rows: readonly EntityRow[]): Promise<CatalogEntry[]> {
  const ids = rows.map((r) => r.id);
  const [relations, links] = await Promise.all([relationsOf(db, ids), linksOfEntities(db, ids)]);
  return rows.map((row) => {
    const entityLinks = links.get(row.id) ?? [];
    const entity = servedEntity(
      JSON.parse(row.envelope) as StoredEnvelope,
      (relations.get(row.id) ?? []).map((r) => ({ type: r.type, targetRef: r.target_ref, targetExists: r.target_exists === 1 })),
      entityLinks,
      JSON.parse(row.problems) as CatalogProblem[],
    );
    return { row, entity, links: entityLinks };
  });
}

export interface EntityPage {
  entries: CatalogEntry[];
  totalItems: number;
}

/** One page of the entities a selection keeps, and how many it keeps in all. */
export async function queryCatalog(db: Db, selection: EntitySelection, page: { offset: number; limit?: number | undefined }): Promise<EntityPage> {
  const ids = await selectEntityIds(db, selection);
  const pageIds = ids.slice(page.offset, page.limit === undefined ? undefined : page.offset + page.limit);
  return { entries: await catalogEntries(db, await entityRowsByIds(db, pageIds)), totalItems: ids.length };
}

export async function catalogEntryByRef(db: Db, kind: string, namespace: string, name: string): Promise<CatalogEntry | undefined> {
  const row = await findEntityByRef(db, kind, namespace, name);
  return row ? (await catalogEntries(db, [row]))[0] : undefined;
}

export async function catalogEntryByUid(db: Db, uid: string): Promise<CatalogEntry | undefined> {
  const row = await findEntityByUid(db, uid);
  return row ? (await catalogEntries(db, [row]))[0] : undefined;
}

/** The entities with these lower-cased refs, in the same order; undefined for a ref not found or not kept by the filter. */
export async function catalogEntriesByRefs(db: Db, refKeys: readonly string[], filter: EntityFilter, scopes?: ScopeFilter): Promise<Array<CatalogEntry | undefined>> {
  const found = await entitiesByRefKeys(db, refKeys);
  const kept = await keptByFilter(db, [...found.values()].map((r) => r.id), filter, scopes);
  const rows = [...found.values()].filter((r) => kept.has(r.id));
  const entries = new Map((await catalogEntries(db, rows)).map((e) => [e.row.ref_key, e]));
  return refKeys.map((key) => entries.get(key));
}
