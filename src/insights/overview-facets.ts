import { type Expression, type ExpressionBuilder, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { SEVERITIES } from '../domain/severity.js';
import { refNameKey } from '../store/migrations/0025-overview-facets.js';
import type { Database } from '../store/schema.js';
import { scopeAllowed } from '../store/scope-filter.js';
import type { ScopeFilter } from '../access/roles.js';
import type { OverviewQuery } from './overview.js';

type Db = Kysely<Database>;

/** The filters of an overview query that this file serves by index: the facets and the tags (and what bounds a page). */
export type FacetQuery = Pick<OverviewQuery, 'kind' | 'type' | 'owner' | 'system' | 'lifecycle' | 'tag' | 'hasData' | 'q' | 'limit' | 'offset'>;

/** With the caller's scopes, for the totals. */
export interface ScopedFacetQuery extends FacetQuery {
  scopes?: ScopeFilter | undefined;
}

/** The caller's scopes on the rows `alias`, when not all. */
function scoped(eb: ExpressionBuilder<any, any>, query: ScopedFacetQuery, alias: string): Expression<SqlBool>[] {
  return query.scopes && !query.scopes.all ? [scopeAllowed(eb, `${alias}.scope`, query.scopes)] : [];
}

/**
 * How a page finds the entities its filters pick:
 * - `planner`: the database chooses (no facet or tag, or a `q` text, which weighs in too);
 * - `along`: walk the sort's index and check each row's facets (on the row itself) and tags (one
 *   probe of entity_tags by (entity, tag)), until the page is full;
 * - `byTag`: read the tags' entities by (tag, entity), check their facets, and sort them;
 * - `byFacet`: read the facets' entities through an index on one of them (0025-overview-facets.ts),
 *   check the rest and the tags, and sort them.
 */
export type PagePlan = 'planner' | 'along' | 'byTag' | 'byFacet';

/** Whether the query picks entities by a facet (kind, type, lifecycle, owner, system, data or not). */
export function byFacet(query: FacetQuery): boolean {
  return byCatalogFacet(query) || query.hasData !== undefined;
}

/** Whether the query picks entities by a catalog field (kind, type, lifecycle, owner, system). */
export function byCatalogFacet(query: FacetQuery): boolean {
  return Boolean(query.kind?.length || query.type?.length || query.lifecycle?.length || query.owner?.length || query.system?.length);
}

/**
 * Data or not as a range of the sort row `o`'s count key `key` (`desc_critical`, …): a count key's
 * first character says whether the entity has data ('0') or not ('1'), so that along its index the
 * entities with data are one range and those without the next (0010-overview-sort.ts), and neither
 * is read to find where the other starts. The callers' `dataKey` is that key when the page's sort is
 * a count's, else undefined.
 */
function dataRange(key: string, hasData: boolean): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(`o.${key}`)} ${sql.raw(hasData ? '<' : '>=')} ${'1'}`;
}

/**
 * The plan of a page, from stored counts (a few rollup rows): walking the sort's index costs about
 * (rows up to the page's end) × (entities / matching), reading the matching entities costs them
 * (from the rarer of the tags and the facets): the first when the filters keep many, the second when
 * they keep few, so that either way a page reads at most about √(rows to the page's end × entities)
 * rows. SQLite cannot weigh a value's frequency itself; PostgreSQL weighs it as well, from the
 * indexable forms facetConditions gives it whatever the plan.
 *
 * Along a count sort (`dataKey`) data or not is a range of the sort's index, not a facet: alone it
 * is walked without counts, and with other filters the walk's rows are those of the range.
 */
export async function pagePlan(db: Db, query: FacetQuery, dataKey: string | undefined): Promise<PagePlan> {
  const tags = query.tag?.map((t) => t.toLowerCase()) ?? [];
  const facets = byFacet(query);
  if (query.q?.trim() || (!facets && tags.length === 0)) return 'planner';
  const ranged = dataKey !== undefined && query.hasData !== undefined;
  if (ranged && !byCatalogFacet(query) && tags.length === 0) return 'along';
  const counts = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('entity_rollups')
        .select((e) => e.fn.sum<number>(!ranged ? 'entities' : query.hasData ? 'with_data' : sql<number>`entities - with_data`).as('n'))
        .as('estate'),
      // With tags, an entity with two of them is in two tags' rows: an upper bound, good enough to choose by.
      eb
        .selectFrom('entity_tag_rollups as f')
        .select((e) => e.fn.sum<number>('f.entities').as('n'))
        .where('f.tag', 'in', tags.length > 0 ? tags : [''])
        .as('tagged'),
      eb
        .selectFrom((tags.length > 0 ? 'entity_tag_rollups as f' : 'entity_facet_rollups as f') as 'entity_facet_rollups as f')
        .select((e) => e.fn.sum<number>(query.hasData === undefined ? 'f.entities' : query.hasData ? 'f.with_data' : sql<number>`f.entities - f.with_data`).as('n'))
        .where((e) => e.and([...(tags.length > 0 ? [lowerIn(sql.ref('f.tag'), tags)] : []), ...rollupFacets(e, query)]))
        .as('matching'),
      eb
        .selectFrom('entity_facet_rollups as f')
        .select((e) => e.fn.sum<number>(query.hasData === undefined ? 'f.entities' : query.hasData ? 'f.with_data' : sql<number>`f.entities - f.with_data`).as('n'))
        .where((e) => e.and(rollupFacets(e, query)))
        .as('faceted'),
    ])
    .executeTakeFirst();
  const [estate, tagged, matching, faceted] = [counts?.estate, counts?.tagged, counts?.matching, counts?.faceted].map((n) => Number(n ?? 0)) as [number, number, number, number];
  const rows = (query.offset ?? 0) + (query.limit ?? 50) + 1;
  if (matching * matching >= rows * estate) return 'along';
  if (tags.length === 0) return 'byFacet';
  if (!facets) return 'byTag';
  return tagged <= faceted ? 'byTag' : 'byFacet';
}

/** A facet's conditions on the rollup rows (entity_facet_rollups, entity_tag_rollups: ref columns as written, '' for none). */
function rollupFacets(eb: ExpressionBuilder<any, any>, query: FacetQuery): Expression<SqlBool>[] {
  const all: Expression<SqlBool>[] = [];
  if (query.kind?.length) all.push(lowerIn(sql.ref('f.kind_key'), query.kind));
  if (query.type?.length) all.push(lowerIn(sql.ref('f.type_key'), query.type));
  if (query.lifecycle?.length) all.push(lowerIn(sql.ref('f.lifecycle_key'), query.lifecycle));
  if (query.owner?.length) all.push(refIn(sql<string>`lower(${sql.ref('f.owner_ref')})`, query.owner));
  if (query.system?.length) all.push(refIn(sql<string>`lower(${sql.ref('f.system_ref')})`, query.system));
  return all.length > 0 ? all : [eb.lit(true) as unknown as Expression<SqlBool>];
}

/** `column in (values)` over a lowered key column: catalog fields compare case-insensitively, as Backstage's do. */
export function lowerIn(column: string | RawBuilder<unknown>, values: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`${typeof column === 'string' ? sql.ref(column) : column} in (${sql.join(values.map((v) => v.toLowerCase()))})`;
}

/** A lowered ref matching full refs or bare names (`team-a` matches `group:default/team-a`). */
export function refIn(lowered: RawBuilder<string>, values: readonly string[]): RawBuilder<SqlBool> {
  const full = values.filter((v) => v.includes(':')).map((v) => v.toLowerCase());
  const names = values.filter((v) => !v.includes(':')).map((v) => v.toLowerCase());
  const parts = [
    ...(full.length > 0 ? [sql`${lowered} in (${sql.join(full)})`] : []),
    ...names.map((name) => sql`${lowered} like ${`%/${name.replace(/[\\%_]/g, (c) => `\\${c}`)}`} escape '\\'`),
  ];
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/**
 * The lowered ref key `column` of the sort row `alias` matching full refs or bare names. Indexed, a
 * bare name without `/` compares the ref's last part (the expression 0025-overview-facets.ts
 * indexes) and checks that there is a `/`: the same rows as `like '%/name'`. Checked row by row,
 * the column is made an expression that no index matches.
 */
function refKeyIn(alias: string, column: string, indexed: boolean, values: readonly string[]): RawBuilder<SqlBool> {
  const key = sql<string>`${sql.ref(`${alias}.${column}`)}`;
  if (!indexed) return refIn(sql<string>`(${key} || '')`, values);
  const full = values.filter((v) => v.includes(':')).map((v) => v.toLowerCase());
  const names = values.filter((v) => !v.includes(':') && !v.includes('/')).map((v) => v.toLowerCase());
  const paths = values.filter((v) => !v.includes(':') && v.includes('/'));
  const parts = [
    ...(full.length > 0 ? [sql`${key} in (${sql.join(full)})`] : []),
    // Aliases and columns are this file's own names, never input.
    ...(names.length > 0 ? [sql`(${sql.raw(refNameKey(`${alias}.${column}`))} in (${sql.join(names)}) and ${key} like '%/%')`] : []),
    ...(paths.length > 0 ? [refIn(key, paths)] : []),
  ];
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/**
 * The conditions of the query's facets and tags on the sort rows `o` (entity_sort_keys), in the
 * form the plan reads them: by an index (`planner`, `byFacet`), or checked row by row with each
 * column made an expression so that no index over it is chosen instead of the sort's (`along`, and
 * the facets of `byTag`). Walked along a count sort (`dataKey`), data or not is the range of the
 * sort's index that holds them. PostgreSQL (`postgres`) gets the indexable forms in every plan: it
 * weighs each value from its statistics, while an expression's it guesses rare, and then read and
 * sorted every sort row rather than walk the sort's index for a filter that keeps most of them.
 */
export function facetConditions(eb: ExpressionBuilder<any, any>, query: FacetQuery, plan: PagePlan, dataKey: string | undefined, postgres: boolean): Expression<SqlBool>[] {
  const all: Expression<SqlBool>[] = [];
  const tags = query.tag?.map((t) => t.toLowerCase()) ?? [];
  if (plan === 'byFacet') {
    // The facets' entities through their index, as a set of ids the page's rows are looked up by.
    const facets = eb.selectFrom('entity_sort_keys as fo').select('fo.entity_id').where((e) => e.and(onSortRow(e, query, 'fo', true)));
    all.push(eb('o.entity_id', 'in', facets));
  } else if (plan === 'along' && dataKey !== undefined && query.hasData !== undefined) {
    all.push(...onSortRow(eb, { ...query, hasData: undefined }, 'o', postgres), dataRange(dataKey, query.hasData));
  } else {
    all.push(...onSortRow(eb, query, 'o', postgres || plan === 'planner'));
  }
  if (tags.length > 0) {
    // entity_tags (an entity's distinct lowered tags): read by (tag, entity), or probed by (entity, tag).
    const tagged = eb.selectFrom('entity_tags as t').select('t.entity_id').where('t.tag', 'in', tags);
    all.push(plan === 'byTag' || plan === 'planner' ? eb('o.entity_id', 'in', tagged) : eb.exists(tagged.whereRef('t.entity_id', '=', 'o.entity_id')));
  }
  return all;
}

/** The facet conditions on one sort row `alias`, indexable or not. */
function onSortRow(eb: ExpressionBuilder<any, any>, query: FacetQuery, alias: string, indexed: boolean): Expression<SqlBool>[] {
  const text = (column: string) => (indexed ? sql<string>`${sql.ref(`${alias}.${column}`)}` : sql<string>`(${sql.ref(`${alias}.${column}`)} || '')`);
  const all: Expression<SqlBool>[] = [];
  if (query.kind?.length) all.push(lowerIn(text('kind_key'), query.kind));
  if (query.type?.length) all.push(lowerIn(text('type_key'), query.type));
  if (query.lifecycle?.length) all.push(lowerIn(text('lifecycle_key'), query.lifecycle));
  if (query.owner?.length) all.push(refKeyIn(alias, 'owner_key', indexed, query.owner));
  if (query.system?.length) all.push(refKeyIn(alias, 'system_key', indexed, query.system));
  if (query.hasData !== undefined) all.push(indexed ? eb(`${alias}.has_data`, '=', query.hasData ? 1 : 0) : sql<SqlBool>`${sql.ref(`${alias}.has_data`)} + 0 = ${query.hasData ? 1 : 0}`);
  return all;
}

/** One rollup row in the shape of the live grouping: per owner, system and domain, the entities, those with data and their sums. */
export interface GroupRow {
  owner_ref: string | null;
  system_ref: string | null;
  domain_ref: string | null;
  entities: number;
  with_data: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
}

/**
 * The rollup rows of the entities a facet filter picks (entity_facet_rollups, kept by triggers),
 * or with tags those of the entities with any of the tags (entity_tag_rollups, the same sums per
 * tag), in the shape of the live grouping. With several tags an entity with k of them is in k
 * tags' sums: k − 1 of its sort row are taken away again, read from the entities of every tag but
 * the most common one (an entity with two of the tags has one of those), each probed for the others
 * by (entity, tag). Data or not narrows the groups (byData).
 */
export async function facetGroups(db: Db, query: ScopedFacetQuery): Promise<GroupRow[]> {
  const tags = [...new Set(query.tag?.map((t) => t.toLowerCase()) ?? [])];
  // What several tags count again is read at the same time as the sums (on PostgreSQL, on a connection of its own).
  const [rows, again] = await Promise.all([
    (tags.length === 0 ? db.selectFrom('entity_facet_rollups as f') : db.selectFrom('entity_tag_rollups as f').where('f.tag', 'in', tags))
    .select((eb) => [
      'f.owner_ref',
      'f.system_ref',
      'f.domain_ref',
      eb.fn.sum<number>('f.entities').as('entities'),
      eb.fn.sum<number>('f.with_data').as('with_data'),
      ...SEVERITIES.map((s) => eb.fn.sum<number>(`f.${s}`).as(s)),
    ])
    .where('f.entities', '>', 0)
    .where((eb) => eb.and([...scoped(eb, query, 'f'), ...rollupFacets(eb, query)]))
    .groupBy(['f.owner_ref', 'f.system_ref', 'f.domain_ref'])
    .execute(),
    tags.length > 1 ? countedAgain(db, query) : [],
  ]);
  const groups = new Map<string, GroupRow>();
  const keyOf = (r: { owner_ref: string | null; system_ref: string | null; domain_ref: string | null }) => JSON.stringify([r.owner_ref || '', r.system_ref || '', r.domain_ref || '']);
  for (const r of rows) {
    groups.set(keyOf(r), {
      owner_ref: r.owner_ref || null,
      system_ref: r.system_ref || null,
      domain_ref: r.domain_ref || null,
      entities: Number(r.entities),
      with_data: Number(r.with_data),
      ...(Object.fromEntries(SEVERITIES.map((s) => [s, Number(r[s] ?? 0)])) as Record<(typeof SEVERITIES)[number], number>),
    });
  }
  for (const extra of again) {
    const group = groups.get(keyOf(extra));
    if (!group) continue;
    group.entities -= Number(extra.entities);
    group.with_data -= Number(extra.with_data);
    for (const s of SEVERITIES) group[s] -= Number(extra[s] ?? 0);
  }
  return byData([...groups.values()], query.hasData);
}

/**
 * Rollup rows narrowed to the entities with data (`true`) or those without (`false`): an entity
 * without data has no issues, so "with data" takes a group's entities with data and its sums,
 * "without" the rest and none of its sums. Groups left without entities are dropped.
 */
export function byData(rows: readonly GroupRow[], hasData: boolean | undefined): GroupRow[] {
  return rows
    .map((r) => (hasData === undefined ? r : hasData ? { ...r, entities: r.with_data } : { ...r, entities: r.entities - r.with_data, with_data: 0, critical: 0, high: 0, medium: 0, low: 0, info: 0 }))
    .filter((r) => r.entities > 0);
}

/**
 * The picked entities' known-exploited and SLA-breached counts summed, and how many of them have a
 * known known-exploited count: from entity_exploitation_rollups (per facet) or with tags
 * entity_tag_exploitation_rollups (per tag and facet), less what several tags count again.
 */
export async function facetExploitation(db: Db, query: ScopedFacetQuery): Promise<{ known: number; exploited: number; breached: number }> {
  const tags = [...new Set(query.tag?.map((t) => t.toLowerCase()) ?? [])];
  const [row, again] = await Promise.all([
    (tags.length === 0 ? db.selectFrom('entity_exploitation_rollups as f') : db.selectFrom('entity_tag_exploitation_rollups as f').where('f.tag', 'in', tags))
      .select((eb) => [eb.fn.sum<number>('f.entities_known').as('known'), eb.fn.sum<number>('f.known_exploited').as('exploited'), eb.fn.sum<number>('f.sla_breached').as('breached')])
      .where((eb) => eb.and([...scoped(eb, query, 'f'), ...rollupFacets(eb, query)]))
      .executeTakeFirst(),
    tags.length > 1 ? countedAgain(db, query) : [],
  ]);
  const sums = { known: Number(row?.known ?? 0), exploited: Number(row?.exploited ?? 0), breached: Number(row?.breached ?? 0) };
  for (const extra of again) {
    sums.known -= Number(extra.known);
    sums.exploited -= Number(extra.exploited);
    sums.breached -= Number(extra.breached);
  }
  return sums;
}

/** countedAgain's answer per query: the groups and the exploitation totals of one overview read it once. */
const countedAgainOf = new WeakMap<ScopedFacetQuery, ReturnType<typeof readCountedAgain>>();

function countedAgain(db: Db, query: ScopedFacetQuery): ReturnType<typeof readCountedAgain> {
  let answer = countedAgainOf.get(query);
  if (!answer) countedAgainOf.set(query, (answer = readCountedAgain(db, query)));
  return answer;
}

/**
 * What the tags' summed rows count more than once: per owner, system and domain, the sort rows of
 * the entities with two or more of the tags, each k − 1 times for k of them. Read from the entities
 * of every tag but the most common one (stored counts say which).
 */
async function readCountedAgain(db: Db, query: ScopedFacetQuery) {
  const tags = [...new Set(query.tag?.map((t) => t.toLowerCase()) ?? [])];
  const sizes = await db.selectFrom('entity_tag_rollups').select(['tag', (eb) => eb.fn.sum<number>('entities').as('n')]).where('tag', 'in', tags).groupBy('tag').execute();
  const size = new Map(sizes.map((r) => [r.tag, Number(r.n)]));
  const commonest = [...tags].sort((a, b) => (size.get(b) ?? 0) - (size.get(a) ?? 0))[0] as string;
  const rarer = tags.filter((t) => t !== commonest);
  // Each entity of the rarer tags with how many of the tags it has, by (tag, entity) probes of
  // entity_tags (grouped, so computed once); then the sort rows of those with two or more.
  const rare = db.selectFrom('entity_tags as t').select('t.entity_id').distinct().where('t.tag', 'in', rarer);
  const counted = db
    .selectFrom(rare.as('r'))
    .innerJoin('entity_tags as t2', (join) => join.onRef('t2.entity_id', '=', 'r.entity_id').on('t2.tag', 'in', tags))
    .select(['r.entity_id', sql<number>`count(*) - 1`.as('extra')])
    .groupBy('r.entity_id');
  const extra = sql.ref('m.extra');
  return db
    .selectFrom(counted.as('m'))
    .innerJoin('entity_sort_keys as o', 'o.entity_id', 'm.entity_id')
    .where('m.extra', '>', 0)
    .where((eb) => eb.and([...scoped(eb, query, 'o'), ...onSortRow(eb, query, 'o', false)]))
    .select((eb) => [
      'o.owner_ref',
      'o.system_ref',
      'o.domain_ref',
      eb.fn.sum<number>('m.extra').as('entities'),
      eb.fn.sum<number>(sql`${extra} * o.has_data`).as('with_data'),
      ...SEVERITIES.map((s) => eb.fn.sum<number>(sql`${extra} * ${sql.ref(`o.${s}`)}`).as(s)),
      eb.fn.sum<number>(sql`${extra} * (case when o.known_exploited is null then 0 else 1 end)`).as('known'),
      eb.fn.sum<number>(sql`${extra} * coalesce(o.known_exploited, 0)`).as('exploited'),
      eb.fn.sum<number>(sql`${extra} * coalesce(o.sla_breached, 0)`).as('breached'),
    ])
    .groupBy(['o.owner_ref', 'o.system_ref', 'o.domain_ref'])
    .execute();
}
