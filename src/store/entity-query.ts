import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import type { EntityCondition, EntityFilter, EntityOrder, FullTextFilter } from '../catalog/entity-filter.js';
import type { ScopeFilter } from '../access/roles.js';
import { batches } from './batches.js';
import { scopeAllowed } from './scope-filter.js';
import type { Database, EntityRow } from './schema.js';
import { containsText } from './text-search.js';

/**
 * Backstage's catalog queries in SQL, written once for SQLite and PostgreSQL: filters and
 * full-text terms become `id IN (…)` over entity_search (and entity_relations for
 * `relations.*` keys); ordering reads the same rows, entities without the field last.
 */

type Db = Kysely<Database>;
type Eb = ExpressionBuilder<Database, 'entities'>;

export interface EntitySelection {
  filter: EntityFilter;
  fullTextFilter?: FullTextFilter | undefined;
  /** Empty: by metadata.name. Ties are broken by the entity's id, so pages never overlap. */
  order: EntityOrder[];
  /** Only entities in these scopes (the caller's readable ones); all without it. */
  scopes?: ScopeFilter | undefined;
}

export const DEFAULT_ORDER: EntityOrder[] = [{ field: 'metadata.name', order: 'asc' }];
const RELATIONS = 'relations.';

function conditionMatches(eb: Eb, condition: EntityCondition): Expression<SqlBool> {
  if (condition.key.startsWith(RELATIONS)) {
    const type = condition.key.slice(RELATIONS.length);
    let related = eb.selectFrom('entity_relations').select('entity_relations.entity_id').where(sql<string>`lower(entity_relations.type)`, '=', type);
    if (condition.values) related = related.where('entity_relations.target_ref', 'in', condition.values);
    return eb('entities.id', 'in', related);
  }
  let found = eb.selectFrom('entity_search').select('entity_search.entity_id').where('entity_search.key', '=', condition.key);
  if (condition.values) found = found.where('entity_search.value', 'in', condition.values);
  return eb('entities.id', 'in', found);
}

function selectionMatches(eb: Eb, selection: Pick<EntitySelection, 'filter' | 'fullTextFilter' | 'scopes'>, order: EntityOrder[]): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (selection.scopes && !selection.scopes.all) parts.push(scopeAllowed(eb, 'entities.scope', selection.scopes));
  if (selection.filter.length > 0) parts.push(eb.or(selection.filter.map((set) => eb.and(set.map((c) => conditionMatches(eb, c))))));
  const text = selection.fullTextFilter;
  if (text) {
    const fields = text.fields.length > 0 ? text.fields : [order[0]?.field ?? 'metadata.name'];
    parts.push(
      eb(
        'entities.id',
        'in',
        eb.selectFrom('entity_search').select('entity_search.entity_id').where('entity_search.key', 'in', fields).where(containsText('entity_search.value', text.term)),
      ),
    );
  }
  return eb.and(parts);
}

/**
 * The ids of the selected entities, in order. Each order field's values are read once (one
 * indexed query per field) and the ids sorted here: a sort key per row in SQL makes SQLite probe
 * the search rows once per entity, and sorting here orders the same on both dialects whatever
 * the database's collation.
 */
export async function selectEntityIds(db: Db, selection: EntitySelection): Promise<number[]> {
  const order = selection.order.length > 0 ? selection.order : DEFAULT_ORDER;
  const rows = await db
    .selectFrom('entities')
    .select('entities.id')
    .where((eb) => selectionMatches(eb, selection, order))
    .execute();
  const ids = rows.map((r) => r.id);
  if (ids.length < 2) return ids;
  const keys: Array<{ values: Map<number, string>; direction: number }> = [];
  for (const { field, order: direction } of order) {
    const values = await db
      .selectFrom('entity_search')
      .select(['entity_id', (eb) => eb.fn.min<string>('value').as('value')])
      .where('key', '=', field)
      .where('value', 'is not', null)
      .groupBy('entity_id')
      .execute();
    keys.push({ values: new Map(values.map((v) => [v.entity_id, v.value])), direction: direction === 'asc' ? 1 : -1 });
  }
  return ids.sort((a, b) => {
    for (const { values, direction } of keys) {
      const x = values.get(a);
      const y = values.get(b);
      if (x === y) continue;
      // Entities without the field come last, whichever the direction.
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      return x < y ? -direction : direction;
    }
    return a - b;
  });
}

/** The rows of these entity ids, in the same order. */
export async function entityRowsByIds(db: Db, ids: readonly number[]): Promise<EntityRow[]> {
  const byId = new Map<number, EntityRow>();
  for (const batch of batches(ids)) for (const row of await db.selectFrom('entities').selectAll().where('id', 'in', batch).execute()) byId.set(row.id, row);
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Ids of the given entities that the filter keeps (an empty filter keeps all). */
export async function keptByFilter(db: Db, ids: readonly number[], filter: EntityFilter, scopes?: ScopeFilter): Promise<Set<number>> {
  if (filter.length === 0 && (!scopes || scopes.all)) return new Set(ids);
  if (ids.length === 0) return new Set(ids);
  const rows = await db
    .selectFrom('entities')
    .select('entities.id')
    .where('entities.id', 'in', ids)
    .where((eb) => selectionMatches(eb, { filter, scopes }, DEFAULT_ORDER))
    .execute();
  return new Set(rows.map((r) => r.id));
}

export interface FacetCount {
  value: string;
  count: number;
}

/**
 * For each facet (a field such as `kind`, `spec.type`, `metadata.tags` or `relations.ownedBy`),
 * its values among the filtered entities and how many entities have each, most common first.
 */
export async function facetCounts(db: Db, facets: readonly string[], filter: EntityFilter, scopes?: ScopeFilter): Promise<Record<string, FacetCount[]>> {
  const out: Record<string, FacetCount[]> = {};
  const filtered = db
    .selectFrom('entities')
    .select('entities.id')
    .where((eb) => selectionMatches(eb, { filter, scopes }, DEFAULT_ORDER));
  for (const facet of facets) {
    const key = facet.toLowerCase();
    const rows = key.startsWith(RELATIONS)
      ? await db
          .selectFrom('entity_relations')
          .select(['target_ref as value', (eb) => eb.fn.count<number>('entity_id').distinct().as('count')])
          .where(sql<string>`lower(type)`, '=', key.slice(RELATIONS.length))
          .where('entity_id', 'in', filtered)
          .groupBy('target_ref')
          .execute()
      : await db
          .selectFrom('entity_search')
          .select(['original_value as value', (eb) => eb.fn.count<number>('entity_id').distinct().as('count')])
          .where('key', '=', key)
          .where('original_value', 'is not', null)
          .where('entity_id', 'in', filtered)
          .groupBy('original_value')
          .execute();
    out[facet] = rows
      .map((r) => ({ value: String(r.value), count: Number(r.count) }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  }
  return out;
}
