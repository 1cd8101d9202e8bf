import { type Expression, type JoinBuilder, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { InputError } from '../domain/errors.js';
import { emptyCounts, SEVERITIES, type SeverityCounts } from '../domain/severity.js';
import type { Database } from '../store/schema.js';
import { entitiesNamed } from '../store/entity-name-search.js';
import type { ScopeFilter } from '../access/roles.js';
import { scopeAllowed } from '../store/scope-filter.js';
import { batches, inValues } from '../store/batches.js';
import { isPostgres } from '../store/row-locks.js';
import { type CountedEntity, distinctCounts } from './rollup.js';
import { MIN_ISSUE_SEARCH } from './issue-search.js';
import { byCatalogFacet, byData, facetConditions, facetExploitation, facetGroups, type PagePlan, pagePlan } from './overview-facets.js';
import { entitiesShowingTerm } from './overview-search.js';

type Db = Kysely<Database>;

export interface OverviewQuery {
  kind?: string[] | undefined;
  type?: string[] | undefined;
  /** Full refs (`group:default/team-a`) or bare names (`team-a`). */
  owner?: string[] | undefined;
  system?: string[] | undefined;
  lifecycle?: string[] | undefined;
  tag?: string[] | undefined;
  hasData?: boolean | undefined;
  q?: string | undefined;
  sort?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Where the page starts: the nextCursor of the page before (keyset paging, at any depth as fast as the first page). */
  cursor?: string | undefined;
  /** The scorecard whose score each row shows; none without one. */
  scorecard?: string | undefined;
  /** Only entities in these scopes (the caller's readable ones); all without it. */
  scopes?: ScopeFilter | undefined;
  /** When exemptions are judged for the distinct totals; default the current time. */
  now?: string | undefined;
}

/** The catalog columns of an entity row, in the overview and in a scorecard's results. */
export interface EntityColumns {
  entityRef: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  type: string | null;
  owner: string | null;
  system: string | null;
  lifecycle: string | null;
}

export interface OverviewRow extends EntityColumns {
  tags: string[];
  hasData: boolean;
  /** null when hasData is false: "no data", not zero. */
  counts: SeverityCounts | null;
  fixable: number | null;
  new: number | null;
  exempted: number | null;
  lastScanAt: string | null;
  /** Links that show nothing: an entity without data but with such links is not one with no link at all. */
  unmatchedLinks: number;
  /** The score on the query's scorecard; null when the scorecard does not apply or decided no check. */
  score: number | null;
  /** Active issues in CISA KEV, as stored with the summary; null when unknown (no data, no KEV feed, no CVE ids): never 0 for an unknown. */
  knownExploited: number | null;
  /** Active issues past their SLA due date, as stored with the summary (kept right as days pass: Lantern.refreshSlaDue); null without data. */
  slaBreached: number | null;
}

export interface Rollup {
  entities: number;
  withData: number;
  counts: SeverityCounts;
}

/** Known-exploited and SLA-breached issues of the entities picked, summed from their stored counts. */
export interface ExploitationTotals {
  /** null when no picked entity's count is known (no data, no KEV feed, no CVE ids): unknown, not 0. */
  knownExploited: number | null;
  /** null when no picked entity has data. */
  slaBreached: number | null;
}

export interface Overview {
  items: OverviewRow[];
  /** The cursor of the page after this one, in the same sort; null on the last page. */
  nextCursor: string | null;
  total: number;
  totals: Rollup & ExploitationTotals;
  byOwner: Array<Rollup & { owner: string }>;
  bySystem: Array<Rollup & { system: string }>;
  byDomain: Array<Rollup & { domain: string }>;
}

const COUNT_SORTS = [...SEVERITIES, 'total'] as const;
const TEXT_SORTS = ['name', 'kind', 'type', 'owner', 'system', 'lifecycle'] as const;
/** Stored counts that may be unknown (null): unknown last either way round (0014-exploitation-sort-keys.ts). */
const EXPLOITATION_SORTS = ['knownExploited', 'slaBreached'] as const;
export const OVERVIEW_SORTS = [...COUNT_SORTS, ...TEXT_SORTS, 'lastScanAt', 'score', ...EXPLOITATION_SORTS] as const;

export { lowerIn, refIn } from './overview-facets.js';

/**
 * The entities the query picks, from their sort rows (entity_sort_keys, kept by triggers) with the
 * entity and its stored summary joined: filters and sorts read the sort row, so that a page is
 * read in index order. Every sort row has its entity and at most one summary: the joins are outer
 * so that a query reading neither (a page without `q`) drops them and reads the sort rows alone.
 */
function filtered(db: Db, query: OverviewQuery, read: RowsRead = {}) {
  return withEntityRows(sortRows(db, query, read));
}

/** The sort rows with their entities and stored summaries beside them (outer joins: the rows decide). */
function withEntityRows(rows: ReturnType<typeof sortRows>) {
  return rows.leftJoin('entities as e', 'e.id', 'o.entity_id').leftJoin('entity_summaries as s', 's.entity_id', 'o.entity_id');
}

/** How filtered() and sortRows() read the picked rows. */
interface RowsRead {
  /** The page's plan (overview-facets.ts: pagePlan); the planner's choice without one. */
  plan?: PagePlan | undefined;
  /** The page's count key, if its sort is a count's (overview-facets.ts: dataRange). */
  dataKey?: string | undefined;
  /** Whether the rows make a page read along its sort's index (a `q` text's found entities may then be walked, not looked up), not groups or totals. */
  page?: boolean | undefined;
}

/** The sort rows of the entities the query picks, alone: SQLite keeps unread outer joins in an aggregate. */
function sortRows(db: Db, query: OverviewQuery, { plan = 'planner', dataKey, page = false }: RowsRead = {}) {
  return db
    .selectFrom('entity_sort_keys as o')
    .where((eb) => {
      const all: Expression<SqlBool>[] = [];
      if (query.scopes && !query.scopes.all) all.push(scopeAllowed(eb, 'o.scope', query.scopes));
      // The facets and tags, in the form the page's plan reads them (overview-facets.ts).
      all.push(...facetConditions(eb, query, plan, dataKey, isPostgres(db)));
      const text = query.q?.trim().toLowerCase();
      if (text) {
        // overview() looked the text's entities up once (withTextEntities).
        const found = (query as FoundQuery).found;
        if (found === undefined) throw new Error('An overview query with a text reached the page without its entities looked up.');
        if (found.length === 0) all.push(sql<SqlBool>`1 = 0`);
        else if (page && (query as FoundQuery).dense && !isPostgres(db)) {
          // Most entities match: walk the sort's index and keep the found ones (the `+` keeps SQLite
          // from looking each found row up and sorting them all), a page after a few rows.
          all.push(sql<SqlBool>`+${sql.ref('o.entity_id')} in (select value from json_each(${JSON.stringify(found)}))`);
        } else all.push(inValues(db, 'o.entity_id', found));
      }
      return eb.and(all);
    });
}

/** One term of an overview order: a never-null expression and its direction. */
interface OrderTerm {
  expression: RawBuilder<unknown>;
  direction: 'asc' | 'desc';
}

/** The key column of each sort read by index (migrations/0010-overview-sort.ts, 0014-exploitation-sort-keys.ts); `score` reads entity_score_keys (0017-score-sort-keys.ts). */
const KEY_COLUMNS: Record<string, string> = {
  ...Object.fromEntries(COUNT_SORTS.map((k) => [k, k])),
  ...Object.fromEntries(TEXT_SORTS.map((k) => [k, k])),
  lastScanAt: 'last_scan',
  knownExploited: 'known_exploited',
  slaBreached: 'sla_breached',
};
/** Sorts whose key orders ascending whichever the direction (the count is inverted in the descending key). */
const ASCENDING_KEYS: readonly string[] = [...COUNT_SORTS, ...EXPLOITATION_SORTS];

/**
 * How a page is read: `terms` are the page's keyset (selected with each row, a cursor's values),
 * `orderBy` the order the query reads, `seek` the rows after a cursor's. They differ only for
 * `score` on a scorecard without results, where every entity has no score and the ref alone orders.
 * `dataKey` is the key column of a count sort, whose index holds the entities with data first.
 */
interface PageOrder {
  terms: OrderTerm[];
  orderBy: OrderTerm[];
  seek: (values: readonly unknown[]) => RawBuilder<SqlBool>;
  dataKey?: string;
  /**
   * For a sort read from one index of the sort rows (a key column and the ref): the condition that
   * finds the sort row `o` of the keys `k0`, `k1` of the rows `keys` again, through that index.
   */
  refind?: (keys: string) => RawBuilder<SqlBool>;
}

/**
 * The overview's order for a sort, ending with the ref so that every row has one place. Every term
 * is never null, so a row's terms are a keyset cursor. Counts and ascending sorts read a key that
 * orders ascending whichever the direction; descending catalog fields and scan times read theirs
 * from an index kept descending (0010-overview-sort.ts says how the keys are made). `score` reads
 * (missing, score or its negation, ref) of entity_score_keys, in the order of one of its indexes:
 * no score is not a low score, those entities come last either way round.
 */
function orderOf(key: string, direction: 'asc' | 'desc', scored: boolean): PageOrder {
  const ref = (column: string) => sql.ref(column);
  const column = KEY_COLUMNS[key];
  const plain = (terms: OrderTerm[]): PageOrder => ({ terms, orderBy: terms, seek: (values) => after(terms, values) });
  if (column !== undefined) {
    const ascending = direction === 'asc' || ASCENDING_KEYS.includes(key);
    const order: PageOrder = {
      ...plain([
        { expression: sql`${ref(`o.${direction}_${column}`)}`, direction: ascending ? 'asc' : 'desc' },
        { expression: sql`${ref('o.ref_key')}`, direction: 'asc' },
      ]),
      // ref_key is unique: the two keys are one row's.
      refind: (keys) => sql<SqlBool>`${ref(`o.${direction}_${column}`)} = ${ref(`${keys}.k0`)} and ${ref('o.ref_key')} = ${ref(`${keys}.k1`)}`,
    };
    return (COUNT_SORTS as readonly string[]).includes(key) ? { ...order, dataKey: `${direction}_${column}` } : order;
  }
  if (scored) {
    return plain([
      { expression: sql`${ref('k.missing')}`, direction: 'asc' },
      { expression: sql`${ref(direction === 'asc' ? 'k.score' : 'k.neg_score')}`, direction: 'asc' },
      { expression: sql`${ref('k.ref_key')}`, direction: 'asc' },
    ]);
  }
  // No entity has a score: each row's keys are (1, 0, ref), read in the order of the refs.
  const byRef: OrderTerm = { expression: sql`${ref('e.ref_key')}`, direction: 'asc' };
  return {
    terms: [
      { expression: sql`${sql.lit(1)} + 0`, direction: 'asc' },
      { expression: sql`${sql.lit(0)} + 0`, direction: 'asc' },
      byRef,
    ],
    orderBy: [byRef],
    seek: ([missing, score, refKey]) => {
      // A cursor from a row with a score (missing 0, or a lower negated score) comes before every row without.
      if (Number(missing) < 1 || (Number(missing) === 1 && Number(score) < 0)) return sql<SqlBool>`1 = 1`;
      if (Number(missing) === 1 && Number(score) === 0) return sql<SqlBool>`${byRef.expression} > ${refKey}`;
      return sql<SqlBool>`1 = 0`;
    },
  };
}

/**
 * Rows after the cursor's row in this order: (t0, t1, …) after (v0, v1, …), term by term. One
 * direction throughout is a row-value comparison, which an index seeks to; otherwise the first term
 * bounds the range so that the index still starts near the cursor.
 */
function after(terms: readonly OrderTerm[], values: readonly unknown[]): RawBuilder<SqlBool> {
  const beyond = (term: OrderTerm, or: '' | '=') => sql.raw(`${term.direction === 'asc' ? '>' : '<'}${or}`);
  if (terms.every((t) => t.direction === terms[0]?.direction)) {
    return sql<SqlBool>`(${sql.join(terms.map((t) => t.expression))}) ${beyond(terms[0] as OrderTerm, '')} (${sql.join(values.map((v) => sql`${v}`))})`;
  }
  const alternatives = terms.map((term, i) => {
    const equal = terms.slice(0, i).map((t, j) => sql`${t.expression} = ${values[j]}`);
    return sql.join([...equal, sql`${term.expression} ${beyond(term, '')} ${values[i]}`], sql` and `);
  });
  const first = terms[0] as OrderTerm;
  return sql<SqlBool>`(${first.expression} ${beyond(first, '=')} ${values[0]} and (${sql.join(alternatives.map((a) => sql`(${a})`), sql` or `)}))`;
}

function writeOverviewCursor(sort: string, values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify({ sort, after: values })).toString('base64url');
}

function readOverviewCursor(cursor: string, sort: string, terms: number): unknown[] {
  let parsed: { sort?: unknown; after?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const values = parsed?.after;
  if (typeof parsed?.sort !== 'string' || !Array.isArray(values) || !values.every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw new InputError(`Invalid cursor ${JSON.stringify(cursor.slice(0, 60))}: pass the nextCursor of the previous page.`);
  }
  if (parsed.sort !== sort) throw new InputError(`The cursor was made for sort ${JSON.stringify(parsed.sort)}, not ${JSON.stringify(sort)}: pass the same sort as the page before, or no cursor.`);
  if (values.length !== terms) throw new InputError(`Invalid cursor ${JSON.stringify(cursor.slice(0, 60))}: pass the nextCursor of the previous page.`);
  return values;
}

/**
 * Whether the query picks entities by more than the caller's scopes, the facets and tags (whose
 * stored rollups overview-facets.ts sums): a `q` text matches entities one by one, and then rollups
 * are computed from the picked ones.
 */
function pickedOneByOne(query: OverviewQuery): boolean {
  return Boolean(query.q?.trim());
}

/**
 * The entities a `q` text finds: by name or title, or by an issue they show now (a CVE, an alias, a
 * package, a rule). A union, so that each part reads its own index (the names' trigrams, the terms),
 * and so that an entity found by both, or through several of its links, comes once. The links'
 * entity ids are taken as they are: a link's entity exists (its foreign key deletes the link with
 * it), and looking each up again read a wide entity row for every one found.
 */
function textEntities(db: Db, text: string) {
  const named = entitiesNamed(db, text);
  if (text.length < MIN_ISSUE_SEARCH) return named;
  return named.union(entitiesShowingTerm(db, text));
}

/**
 * A query whose text's entities are looked up once: the page, its groups, its exploitation totals
 * and the shared-target correction each filter by them, and each would otherwise match every
 * entity's name and title and search the issue terms again.
 */
interface FoundQuery extends OverviewQuery {
  found?: readonly number[];
  /** Whether the text found at least a share of the estate (DENSE_SHARE) that a page is read along the sort's index. */
  dense?: boolean;
}

/** Found entities make a page by walking the sort's index when they are at least one in this many of the estate's: about this many rows read per row shown. */
const DENSE_SHARE = 8;

async function withTextEntities(db: Db, query: OverviewQuery): Promise<FoundQuery> {
  const text = query.q?.trim().toLowerCase();
  if (!text) return query;
  const found = (await textEntities(db, text).execute()).map((r) => r.id);
  // A thousand rows looked up and sorted cost little whatever the estate: no need to ask its size.
  // PostgreSQL reads a page of found entities one way whatever their share (sortRows): nor there.
  if (found.length < 1000 || isPostgres(db)) return { ...query, found };
  const estate = await db.selectFrom('entity_rollups').select((eb) => eb.fn.sum<number>('entities').as('n')).executeTakeFirst();
  return { ...query, found, dense: found.length * DENSE_SHARE >= Number(estate?.n ?? 0) };
}

/** The catalog, one row per entity, with its stored summary (docs/insights-api.md: overview). */
export async function overview(db: Db, asked: OverviewQuery): Promise<Overview> {
  const query = await withTextEntities(db, asked);
  const sort = query.sort ?? '-critical';
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  if (!(OVERVIEW_SORTS as readonly string[]).includes(key)) {
    throw new InputError(`Invalid sort ${JSON.stringify(sort)}: expected one of ${OVERVIEW_SORTS.join(', ')}, with a leading "-" for descending.`);
  }
  if (query.cursor !== undefined && query.offset) throw new InputError('Pass either cursor or offset, not both: a cursor already says where the page starts.');
  // The score sort reads entity_score_keys, which has rows for a scorecard once it has results.
  const scorecard = query.scorecard ?? '';
  const scored = key === 'score' && (await db.selectFrom('score_key_scorecards').select('scorecard_id').where('scorecard_id', '=', scorecard).executeTakeFirst()) !== undefined;
  const order = orderOf(key, descending ? 'desc' : 'asc', scored);
  const { terms } = order;
  const from = query.cursor === undefined ? undefined : readOverviewCursor(query.cursor, sort, terms.length);
  const limit = query.limit ?? 50;
  const withScore = (join: JoinBuilder<Database & { sr: Database['scorecard_results'] }, 'sr'>, entityId: string) =>
    join.onRef('sr.entity_id', '=', sql.ref(entityId)).on('sr.scorecard_id', '=', scorecard);
  // The page's entities first, from their sort rows alone, then their rows: with the other tables
  // joined in the same query SQLite may read every matching entity and sort them.
  const offset = from ? 0 : (query.offset ?? 0);
  // A deep offset steps over the sort's index alone: its keys, which PostgreSQL reads from the index
  // without the rows, as long as no column of the sort rows but the keys is named (the outer joins
  // of filtered() name the entity's id even when they are dropped); only the page's rows are then
  // found again by their keys, through the same index.
  const refind = offset > 0 ? order.refind : undefined;
  const rowsRead: RowsRead = { plan: await pagePlan(db, query, order.dataKey), dataKey: order.dataKey, page: true };
  let matching = sortRows(db, query, rowsRead).$if(!refind, withEntityRows);
  if (scored) matching = matching.innerJoin('entity_score_keys as k', (join) => join.onRef('k.entity_id', '=', 'o.entity_id').on('k.scorecard_id', '=', scorecard));
  if (from) matching = matching.where(order.seek(from));
  for (const term of order.orderBy) matching = matching.orderBy(term.expression, term.direction);
  const keys = terms.map((t, i) => t.expression.as(`k${i}`));
  // One row more than the page: whether another page follows. The entity's id is the score keys'
  // own (their index holds it), or the sort row's.
  const picked = refind
    ? db
        .selectFrom(matching.select(keys).limit(limit + 1).offset(offset).as('pk'))
        .innerJoin('entity_sort_keys as o', (join) => join.on(refind('pk')))
        .select(['o.entity_id', ...terms.map((_, i) => sql.ref(`pk.k${i}`).as(`k${i}`))])
    : matching
        .select([scored ? sql<number>`${sql.ref('k.entity_id')}`.as('entity_id') : sql<number>`${sql.ref('o.entity_id')}`.as('entity_id'), ...keys])
        .limit(limit + 1)
        .offset(offset);
  let rows = db
    .selectFrom(picked.as('p'))
    .innerJoin('entities as e', 'e.id', 'p.entity_id')
    .leftJoin('entity_summaries as s', 's.entity_id', 'p.entity_id')
    .leftJoin('scorecard_results as sr', (join) => withScore(join, 'p.entity_id'))
    .select([
      'e.ref',
      'e.kind',
      'e.namespace',
      'e.name',
      'e.title',
      'e.type',
      'e.owner_ref',
      'e.system_ref',
      'e.lifecycle',
      'e.tags',
      's.has_data',
      's.critical',
      's.high',
      's.medium',
      's.low',
      's.info',
      's.total',
      's.fixable',
      's.new_count',
      's.exempted',
      's.last_scan_at',
      's.unmatched_links',
      's.known_exploited',
      's.sla_breached',
      'sr.score',
      ...terms.map((_, i) => sql.ref(`p.k${i}`).as(`k${i}`)),
    ]);
  for (const [i, term] of terms.entries()) rows = rows.orderBy(sql.ref(`p.k${i}`), term.direction);
  // The page, its groups, the systems' domains, the exploitation totals and whether any target is
  // shared do not wait for each other: on PostgreSQL each is read on its own connection, at once.
  const oneByOne = pickedOneByOne(query);
  const [read, groups, systems, stored, shared] = await Promise.all([
    rows.execute(),
    oneByOne ? pickedGroups(db, query) : byCatalogFacet(query) || query.tag?.length ? facetGroups(db, query) : storedGroups(db, query.scopes ?? { all: true }).then((rows) => byData(rows, query.hasData)),
    db
      .selectFrom('entities')
      .select(['ref_key', 'domain_ref'])
      .where(sql`lower(kind)`, '=', 'system')
      .where((eb) => scopeAllowed(eb, 'entities.scope', query.scopes ?? { all: true }))
      .execute(),
    oneByOne ? undefined : exploitationTotals(db, query),
    anyTargetShared(db),
  ]);
  const page = read.slice(0, limit);
  const last = page.at(-1) as Record<string, unknown> | undefined;
  const nextCursor = read.length > limit && last ? writeOverviewCursor(sort, terms.map((_, i) => last[`k${i}`] as unknown)) : null;

  const domainOfSystem = new Map(systems.map((s) => [s.ref_key, s.domain_ref]));
  const domainOf = (group: { system_ref: string | null; domain_ref: string | null }) =>
    // A domain rolls up the members of its systems, and whatever names it directly.
    (group.system_ref ? domainOfSystem.get(group.system_ref.toLowerCase()) : undefined) ?? group.domain_ref;

  const totals = rollup();
  const byOwner = new Map<string, Rollup>();
  const bySystem = new Map<string, Rollup>();
  const byDomain = new Map<string, Rollup>();
  for (const group of groups) {
    const part: Rollup = { entities: Number(group.entities), withData: Number(group.with_data ?? 0), counts: emptyCounts() };
    for (const s of SEVERITIES) {
      part.counts[s] = Number(group[s] ?? 0);
      part.counts.total += part.counts[s];
    }
    add(totals, part);
    if (group.owner_ref) add(entry(byOwner, group.owner_ref), part);
    if (group.system_ref) add(entry(bySystem, group.system_ref), part);
    const domain = domainOf(group);
    if (domain) add(entry(byDomain, domain), part);
  }
  if (shared) await countSharedOnce(db, query, domainOf, { totals, byOwner, bySystem, byDomain });
  const exploitation = stored ?? pickedExploitation(query, groups as PickedGroup[]);
  const ranked = <K extends string>(map: Map<string, Rollup>, name: K) =>
    [...map.entries()]
      .map(([value, r]) => ({ [name]: value, ...r }) as Rollup & Record<K, string>)
      .sort((a, b) => b.counts.critical - a.counts.critical || b.counts.high - a.counts.high || b.counts.total - a.counts.total || a[name].localeCompare(b[name]));

  return {
    items: page.map((r) => {
      const hasData = r.has_data === 1;
      return {
        entityRef: r.ref,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        title: r.title,
        type: r.type,
        owner: r.owner_ref,
        system: r.system_ref,
        lifecycle: r.lifecycle,
        tags: JSON.parse(r.tags) as string[],
        hasData,
        counts: hasData ? { critical: r.critical ?? 0, high: r.high ?? 0, medium: r.medium ?? 0, low: r.low ?? 0, info: r.info ?? 0, total: r.total ?? 0 } : null,
        fixable: hasData ? r.fixable : null,
        new: hasData ? r.new_count : null,
        exempted: hasData ? r.exempted : null,
        lastScanAt: hasData ? r.last_scan_at : null,
        unmatchedLinks: r.unmatched_links ?? 0,
        score: r.score,
        knownExploited: hasData ? r.known_exploited : null,
        slaBreached: hasData ? r.sla_breached : null,
      };
    }),
    nextCursor,
    total: totals.entities,
    totals: { ...totals, knownExploited: exploitation.known > 0 ? exploitation.exploited : null, slaBreached: totals.withData > 0 ? exploitation.breached : null },
    byOwner: ranked(byOwner, 'owner'),
    bySystem: ranked(bySystem, 'system'),
    byDomain: ranked(byDomain, 'domain'),
  };
}

/**
 * The rollup rows of the entities the caller may read (entity_rollups, kept by triggers), in the
 * shape of the live grouping: a few rows per owner and system, however many entities there are.
 */
async function storedGroups(db: Db, scopes: ScopeFilter) {
  const rows = await db
    .selectFrom('entity_rollups')
    .select(['owner_ref', 'system_ref', 'domain_ref', 'entities', 'with_data', ...SEVERITIES])
    .where('entities', '>', 0)
    .where((eb) => scopeAllowed(eb, 'entity_rollups.scope', scopes))
    .execute();
  return rows.map((r) => ({ ...r, owner_ref: r.owner_ref || null, system_ref: r.system_ref || null, domain_ref: r.domain_ref || null }));
}

/**
 * The picked entities (a `q` text's) grouped by owner, system and domain with their counts and
 * their stored known-exploited and SLA-breached sums: one pass over their sort rows, which carry
 * every column read (0010-overview-sort.ts), for the groups and the exploitation totals both.
 */
async function pickedGroups(db: Db, query: OverviewQuery) {
  return sortRows(db, query)
    .select((eb) => [
      'o.owner_ref',
      'o.system_ref',
      'o.domain_ref',
      eb.fn.countAll<number>().as('entities'),
      eb.fn.sum<number>('o.has_data').as('with_data'),
      ...SEVERITIES.map((s) => eb.fn.sum<number>(`o.${s}`).as(s)),
      eb.fn.count<number>('o.known_exploited').as('known'),
      eb.fn.sum<number>(eb.fn.coalesce('o.known_exploited', sql.lit(0))).as('exploited'),
      eb.fn.sum<number>(eb.fn.coalesce('o.sla_breached', sql.lit(0))).as('breached'),
    ])
    .groupBy(['o.owner_ref', 'o.system_ref', 'o.domain_ref'])
    .execute();
}

type PickedGroup = Awaited<ReturnType<typeof pickedGroups>>[number];

/** exploitationTotals of the entities a text picked, summed from their groups (pickedGroups). */
function pickedExploitation(query: OverviewQuery, groups: readonly PickedGroup[]): { known: number; exploited: number; breached: number } {
  const totals = { known: 0, exploited: 0, breached: 0 };
  if (query.hasData === false) return totals;
  for (const group of groups) {
    totals.known += Number(group.known ?? 0);
    totals.exploited += Number(group.exploited ?? 0);
    totals.breached += Number(group.breached ?? 0);
  }
  return totals;
}

/**
 * The sums of the picked entities' stored known-exploited and SLA-breached counts, and how many of
 * them have a known known-exploited count: from entity_exploitation_rollups (a few rows, kept by
 * triggers, per tag entity_tag_exploitation_rollups); a `q` text's come with its groups
 * (pickedExploitation). Each entity adds its own counts: an issue of a target that two entities
 * show is counted by both.
 */
async function exploitationTotals(db: Db, query: OverviewQuery): Promise<{ known: number; exploited: number; breached: number }> {
  if (query.hasData === false) return { known: 0, exploited: 0, breached: 0 };
  const row = await facetExploitation(db, query);
  return { known: Number(row?.known ?? 0), exploited: Number(row?.exploited ?? 0), breached: Number(row?.breached ?? 0) };
}

function rollup(): Rollup {
  return { entities: 0, withData: 0, counts: emptyCounts() };
}

function entry(map: Map<string, Rollup>, key: string): Rollup {
  let found = map.get(key);
  if (!found) map.set(key, (found = rollup()));
  return found;
}

function add(into: Rollup, part: Rollup): void {
  into.entities += part.entities;
  into.withData += part.withData;
  for (const s of [...SEVERITIES, 'total'] as const) into.counts[s] += part.counts[s];
}

/**
 * Whether any target is shown by two entities or more: one look at target_sharing (kept by
 * triggers), read beside the page, since most catalogs have none and countSharedOnce is then skipped.
 */
async function anyTargetShared(db: Db): Promise<boolean> {
  return (await db.selectFrom('target_sharing').select('target_id').where('entities', '>', 1).limit(1).executeTakeFirst()) !== undefined;
}

/**
 * Totals across entities count each issue once. The sums above add every entity's own counts,
 * which counts a target shown by several entities again for each: for the entities showing such a
 * target (anyTargetShared), replace their sum in each total by their distinct count.
 */
async function countSharedOnce(
  db: Db,
  query: OverviewQuery,
  domainOf: (entity: { system_ref: string | null; domain_ref: string | null }) => string | null | undefined,
  rollups: { totals: Rollup; byOwner: Map<string, Rollup>; bySystem: Map<string, Rollup>; byDomain: Map<string, Rollup> },
): Promise<void> {
  const shown = () => filtered(db, query).innerJoin('entity_links as l', 'l.entity_id', 'o.entity_id').where('l.matched', '=', 1).where('s.has_data', '=', 1);
  const shared = shown()
    .select('l.target_id')
    .groupBy('l.target_id')
    .having((eb) => eb(eb.fn.count('l.entity_id').distinct(), '>', 1));
  const sharers = await shown()
    .where('l.target_id', 'in', shared)
    .select(['o.entity_id as id', 'e.owner_ref', 'e.system_ref', 'e.domain_ref', ...SEVERITIES.map((s) => `s.${s}` as const)])
    .distinct()
    .execute();
  if (sharers.length === 0) return;
  const targetsOf = new Map<number, number[]>();
  for (const ids of batches(sharers.map((m) => m.id))) {
    const links = await db.selectFrom('entity_links').select(['entity_id', 'target_id']).where('entity_id', 'in', ids).where('matched', '=', 1).execute();
    for (const link of links) if (link.target_id !== null) targetsOf.set(link.entity_id, [...(targetsOf.get(link.entity_id) ?? []), link.target_id]);
  }
  const sets: Array<{ into: Rollup; members: CountedEntity[] }> = [{ into: rollups.totals, members: [] }];
  const setOf = new Map<Rollup, { into: Rollup; members: CountedEntity[] }>([[rollups.totals, sets[0] as { into: Rollup; members: CountedEntity[] }]]);
  const join = (into: Rollup | undefined, entity: CountedEntity) => {
    if (!into) return;
    let set = setOf.get(into);
    if (!set) {
      set = { into, members: [] };
      setOf.set(into, set);
      sets.push(set);
    }
    set.members.push(entity);
  };
  for (const m of sharers) {
    const counts = emptyCounts();
    for (const s of SEVERITIES) {
      counts[s] = Number(m[s] ?? 0);
      counts.total += counts[s];
    }
    const entity: CountedEntity = { id: m.id, hasData: true, counts, targetIds: targetsOf.get(m.id) ?? [] };
    join(rollups.totals, entity);
    if (m.owner_ref) join(rollups.byOwner.get(m.owner_ref), entity);
    if (m.system_ref) join(rollups.bySystem.get(m.system_ref), entity);
    const domain = domainOf(m);
    if (domain) join(rollups.byDomain.get(domain), entity);
  }
  const distinct = await distinctCounts(
    db,
    sets.map((set) => set.members),
    query.now ?? new Date().toISOString(),
  );
  sets.forEach((set, i) => {
    for (const s of [...SEVERITIES, 'total'] as const) {
      const own = set.members.reduce((sum, e) => sum + e.counts[s], 0);
      set.into.counts[s] += (distinct[i] as SeverityCounts)[s] - own;
    }
  });
}
