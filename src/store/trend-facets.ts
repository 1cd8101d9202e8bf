import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { batches } from './batches.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** The facets trend_facet_changes and scorecard_trend_facet_changes keep (migrations/0027-trend-facets.ts). */
export type TrendFacet = 'kind' | 'type' | 'lifecycle' | 'owner' | 'owner_name' | 'system' | 'system_name';

/** One facet value: the rows of a stored facet-filtered trend. */
export interface FacetValue {
  facet: TrendFacet;
  value: string;
}

/** The filters a stored facet trend answers: each a list of values, any of which matches. */
export interface FacetFilter {
  kind?: readonly string[] | undefined;
  type?: readonly string[] | undefined;
  lifecycle?: readonly string[] | undefined;
  /** Full refs, or bare names (`team-a` matches `group:default/team-a`). */
  owner?: readonly string[] | undefined;
  system?: readonly string[] | undefined;
}

const FILTERS = ['kind', 'type', 'lifecycle', 'owner', 'system'] as const;

/** The part of a lowered ref after its last '/', as the migration's SQL takes it: null without one. */
const namePart = (ref: string): string | null => (ref.includes('/') ? ref.slice(ref.lastIndexOf('/') + 1) : null);

/** What an entity's facet values are made of, as the caller holds it (an entity row or a scorecard's facts). */
export interface FacetSource {
  /** `account` or `ORG.PROJECT`. */
  scope: string;
  kind: string;
  type: string | null;
  lifecycle: string | null;
  owner: string | null;
  system: string | null;
}

type Facets = { scope: string; facets: FacetValue[] };

const ascii = (value: string) => /^[\x20-\x7e]*$/.test(value);

/** An entity row's facet source. */
export function facetSourceOf(row: { scope: string; kind: string; type: string | null; lifecycle: string | null; owner_ref: string | null; system_ref: string | null }): FacetSource {
  return { scope: row.scope, kind: row.kind, type: row.type, lifecycle: row.lifecycle, owner: row.owner_ref, system: row.system_ref };
}

/**
 * Each entity's facet values as the stored rows keep them, lowered by the database as the
 * migration's triggers lower them: entity id → scope and values. An entity in `known` (the rows an
 * ingest's refresh locked and read) whose values are all ASCII is lowered here instead, as the
 * database would; the others are read, one statement for a batch of them.
 */
export async function entityFacets(db: Db, ids: readonly number[], known?: ReadonlyMap<number, FacetSource>): Promise<Map<number, Facets>> {
  const out = new Map<number, Facets>();
  const unknown: number[] = [];
  for (const id of ids) {
    const source = known?.get(id);
    const values = source && [source.kind, source.type, source.lifecycle, source.owner, source.system];
    if (source && values?.every((v) => v === null || ascii(v))) {
      const lower = (v: string | null) => (v === null ? null : v.toLowerCase());
      out.set(id, facetsOf(source.scope, lower(source.kind) as string, lower(source.type), lower(source.lifecycle), lower(source.owner), lower(source.system)));
    } else unknown.push(id);
  }
  for (const batch of batches(unknown)) {
    const rows = await db
      .selectFrom('entities')
      .select(['id', 'scope', sql<string>`lower(kind)`.as('kind'), sql<string | null>`lower(type)`.as('type'), sql<string | null>`lower(lifecycle)`.as('lifecycle'), sql<string | null>`lower(owner_ref)`.as('owner'), sql<string | null>`lower(system_ref)`.as('system')])
      .where('id', 'in', batch)
      .execute();
    for (const row of rows) out.set(row.id, facetsOf(row.scope, row.kind, row.type, row.lifecycle, row.owner, row.system));
  }
  return out;
}

/** An entity's stored facet values, from its lowered columns. */
function facetsOf(scope: string, kind: string, type: string | null, lifecycle: string | null, owner: string | null, system: string | null): Facets {
  const values: Array<[TrendFacet, string | null]> = [
    ['kind', kind],
    ['type', type],
    ['lifecycle', lifecycle],
    ['owner', owner],
    ['owner_name', owner === null ? null : namePart(owner)],
    ['system', system],
    ['system_name', system === null ? null : namePart(system)],
  ];
  return { scope, facets: values.filter((v): v is [TrendFacet, string] => v[1] !== null).map(([facet, value]) => ({ facet, value })) };
}

/**
 * The stored facet values whose rows add up to exactly the entities the filter picks, or undefined
 * when they do not: no facet filtered, more than one (an entity counts in the rows of each of its
 * facets, so rows of two facets cannot be intersected), or values the database may lower otherwise
 * than JavaScript does (beyond ASCII), or a bare name holding a '/'. Each entity has one value per
 * facet, so distinct values pick disjoint entities; a full ref whose name is also asked for bare is
 * dropped (the name's rows hold it).
 */
export function facetSelection(filter: FacetFilter): FacetValue[] | undefined {
  const given = FILTERS.filter((f) => filter[f] !== undefined);
  if (given.length !== 1) return undefined;
  const facet = given[0] as (typeof FILTERS)[number];
  const values = filter[facet] ?? [];
  if (!values.every(ascii)) return undefined;
  const picked = facetValues(facet, values);
  return picked.some((v) => v.facet.endsWith('_name') && v.value.includes('/')) ? undefined : picked;
}

/** The values of one filter as facet values: lowered, each once; for refs, bare names apart from full refs. */
function facetValues(facet: (typeof FILTERS)[number], wanted: readonly string[]): FacetValue[] {
  const values = [...new Set(wanted.map((v) => v.toLowerCase()))];
  if (facet !== 'owner' && facet !== 'system') return values.map((value) => ({ facet, value }));
  const names = values.filter((v) => !v.includes(':'));
  const full = values.filter((v) => v.includes(':') && !names.includes(namePart(v) ?? ''));
  return [...full.map((value) => ({ facet, value })), ...names.map((value) => ({ facet: `${facet}_name` as const, value }))];
}

/** Entities (table `alias`) the filter picks: each facet filtered, and tagged with one of `tag` if given. */
export function entityMatches(alias: string, filter: FacetFilter & { tag?: readonly string[] | undefined }): RawBuilder<SqlBool> {
  const all = FILTERS.filter((f) => filter[f] !== undefined).map((f) => entityHasFacetValue(alias, facetValues(f, filter[f] ?? [])));
  if (filter.tag !== undefined) {
    const tags = [...new Set(filter.tag.map((t) => t.toLowerCase()))];
    all.push(tags.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`${sql.ref(`${alias}.id`)} in (select entity_id from entity_tags where tag in (${sql.join(tags)}))`);
  }
  return all.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`(${sql.join(all, sql` and `)})`;
}

/** Rows (of trend_facet_changes or scorecard_trend_facet_changes) of one of these facet values; none: no row. */
export function inFacetValues(values: readonly FacetValue[]): RawBuilder<SqlBool> {
  if (values.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`(${sql.join(
    values.map((v) => sql`(facet = ${v.facet} and value = ${v.value})`),
    sql` or `,
  )})`;
}

/** Entities (table `alias`) with one of these facet values, compared as the stored rows are. */
export function entityHasFacetValue(alias: string, values: readonly FacetValue[]): RawBuilder<SqlBool> {
  if (values.length === 0) return sql<SqlBool>`1 = 0`;
  const column: Record<TrendFacet, string> = { kind: 'kind', type: 'type', lifecycle: 'lifecycle', owner: 'owner_ref', owner_name: 'owner_ref', system: 'system_ref', system_name: 'system_ref' };
  const each = values.map((v) => {
    const lowered = sql`lower(${sql.ref(`${alias}.${column[v.facet]}`)})`;
    return v.facet.endsWith('_name') ? sql<SqlBool>`${lowered} like ${`%/${v.value.replace(/[\\%_]/g, (c) => `\\${c}`)}`} escape '\\'` : sql<SqlBool>`${lowered} = ${v.value}`;
  });
  return sql<SqlBool>`(${sql.join(each, sql` or `)})`;
}
