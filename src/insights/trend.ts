import type { Kysely, Selectable } from 'kysely';
import { emptyCounts, SEVERITIES, type SeverityCounts } from '../domain/severity.js';
import type { ScopeFilter } from '../access/roles.js';
import { batches } from '../store/batches.js';
import { type ScanIssueRow, scanIssueRows } from '../store/issues.js';
import type { Database, SummaryHistoryTable } from '../store/schema.js';
import { storedTrendSums } from '../store/trend-changes.js';
import { scopeAllowed } from '../store/scope-filter.js';
import { type FacetFilter, type FacetValue, entityHasFacetValue, entityMatches, facetSelection } from '../store/trend-facets.js';
import { type EntityState, entityStates } from './entity-state.js';
import { mergedState } from './rollup.js';
import { summarise } from './summary.js';

type Db = Kysely<Database>;

/** `withData`: entities with data that day; 0 means the day has no data, which is not zero issues. */
export type TrendPoint = { date: string; withData: number } & SeverityCounts;

/** The overview's entity filters, each a list of values any of which matches. */
export type TrendFilter = FacetFilter & { tag?: readonly string[] | undefined };

const DAY = 24 * 60 * 60 * 1000;

/**
 * Open issues per severity at the end of each of the last `days` days (UTC), over the whole
 * catalog or some entities, each issue counted once however many entities show it — the
 * dashboard's totals on the last day. An entity that shares no shown target with another entity
 * of the set adds its latest summary on or before each day (its issues are nobody else's); the
 * entities that do share are counted together — those of them with data that day — from the scans
 * each of their current links' variants had by the end of that day.
 *
 * Over the catalog (the caller's scopes of it) the sums of the latest summaries are read from
 * trend_changes, a few rows per day however many entities there are, and filtered by one facet
 * (kind, type, lifecycle, owner or system, any of several values) from trend_facet_changes, a few
 * rows per day and value; only the entities of the set that share a target are read one by one.
 * For given entities, and filters on several facets or on tags, they are read from their history.
 */
export async function trend(db: Db, options: TrendOptions): Promise<TrendPoint[]> {
  const dates = trendDates(options);
  if (options.entityIds) return computedTrend(db, options);
  const scopes = options.scopes ?? { all: true };
  const filter = options.filter ?? {};
  const filtered = Object.values(filter).some((f) => f !== undefined);
  const facets = filtered && filter.tag === undefined ? facetSelection(filter) : undefined;
  if (filtered && !facets) {
    const ids = await db.selectFrom('entities').select('id').where(entityMatches('entities', filter)).orderBy('id').execute();
    return computedTrend(db, { ...options, entityIds: ids.map((e) => e.id) });
  }
  const points: TrendPoint[] = (await storedTrendSums(db, dates, scopes, facets)).map((sums, i) => {
    const { with_data: withData, ...counts } = sums;
    return { date: dates[i] as string, withData, ...counts };
  });
  const shared = await readableSharers(db, scopes, dates.at(-1) as string, facets);
  if (shared.length === 0) return points;
  // The sharers' own counts are in the sums: take them out, and add theirs counted together.
  const rows: HistoryRow[] = [];
  for (const ids of batches(shared)) rows.push(...(await db.selectFrom('summary_history').selectAll().where('entity_id', 'in', ids).where('day', '<=', dates.at(-1) as string).orderBy('entity_id').orderBy('day').execute()));
  const sharersWithData = dates.map(() => new Set<number>());
  eachDayOfHistory(rows, dates, (d, row) => {
    const point = points[d] as TrendPoint;
    sharersWithData[d]?.add(row.entity_id);
    for (const s of [...SEVERITIES, 'total'] as const) point[s] -= row[s];
  });
  const together = await sharedCountsByDay(db, shared, dates, sharersWithData, options.now);
  points.forEach((point, i) => {
    const counts = together[i] as SeverityCounts;
    for (const s of [...SEVERITIES, 'total'] as const) point[s] += counts[s];
  });
  return points;
}

interface TrendOptions {
  days: number;
  entityIds?: readonly number[] | undefined;
  /** Only the entities the filter picks (as the overview's filters pick them). */
  filter?: TrendFilter | undefined;
  scopes?: ScopeFilter | undefined;
  now: string;
}

function trendDates(options: Pick<TrendOptions, 'days' | 'now'>): string[] {
  const end = options.now.slice(0, 10);
  const start = Date.parse(`${end}T00:00:00Z`) - (options.days - 1) * DAY;
  return Array.from({ length: options.days }, (_, i) => new Date(start + i * DAY).toISOString().slice(0, 10));
}

type HistoryRow = Selectable<SummaryHistoryTable>;

/**
 * Calls `visit` with each day's index and each entity's latest row on or before it, where that row
 * has data. `rows` are ordered by entity, then day.
 */
function eachDayOfHistory(rows: readonly HistoryRow[], dates: readonly string[], visit: (day: number, row: HistoryRow) => void): void {
  for (let i = 0; i < rows.length; ) {
    const entity = rows[i]?.entity_id;
    let j = i;
    while (j < rows.length && rows[j]?.entity_id === entity) j++;
    let k = i;
    for (const [d, date] of dates.entries()) {
      while (k + 1 < j && (rows[k + 1]?.day ?? '') <= date) k++;
      const row = rows[k];
      if (!row || row.day > date || row.has_data !== 1) continue;
      visit(d, row);
    }
    i = j;
  }
}

/**
 * The trend computed from every history row of the entities (all, or those given, in the caller's
 * scopes): what trend() reads from stored sums over the catalog, and how it reads given entities.
 */
export async function computedTrend(db: Db, options: TrendOptions): Promise<TrendPoint[]> {
  const dates = trendDates(options);
  const end = dates.at(-1) as string;
  let query = db.selectFrom('summary_history').selectAll().where('day', '<=', end);
  if (options.entityIds) {
    if (options.entityIds.length === 0) return dates.map((date) => ({ date, withData: 0, ...emptyCounts() }));
    query = query.where('entity_id', 'in', options.entityIds);
  }
  const scopes = options.scopes;
  if (scopes && !scopes.all) query = query.where('entity_id', 'in', db.selectFrom('entities').select('id').where((eb) => scopeAllowed(eb, 'entities.scope', scopes)));
  // Days before the range only matter through each entity's last one before it.
  const rows = await query.orderBy('entity_id').orderBy('day').execute();
  const shared = await sharingEntities(db, new Set(rows.map((r) => r.entity_id)));

  const points: TrendPoint[] = dates.map((date) => ({ date, withData: 0, ...emptyCounts() }));
  const sharersWithData = dates.map(() => new Set<number>());
  eachDayOfHistory(rows, dates, (d, row) => {
    const point = points[d] as TrendPoint;
    point.withData++;
    if (shared.has(row.entity_id)) {
      sharersWithData[d]?.add(row.entity_id);
      return;
    }
    for (const s of [...SEVERITIES, 'total'] as const) point[s] += row[s];
  });
  if (shared.size > 0) {
    const together = await sharedCountsByDay(db, [...shared], dates, sharersWithData, options.now);
    points.forEach((point, i) => {
      const counts = together[i] as SeverityCounts;
      for (const s of [...SEVERITIES, 'total'] as const) point[s] += counts[s];
    });
  }
  return points;
}

/**
 * The entities in these scopes (with one of `facets`, if given), with history by `end`, that show a
 * target another such entity shows: read from the links of the targets several entities show
 * (target_sharing, kept by triggers), none in most catalogs.
 */
async function readableSharers(db: Db, scopes: ScopeFilter, end: string, facets: readonly FacetValue[] | undefined): Promise<number[]> {
  const links = await db
    .selectFrom('entity_links as l')
    .innerJoin('entities as e', 'e.id', 'l.entity_id')
    .select(['l.entity_id', 'l.target_id'])
    .where('l.matched', '=', 1)
    .where('l.target_id', 'in', db.selectFrom('target_sharing').select('target_id').where('entities', '>', 1))
    .where((eb) => scopeAllowed(eb, 'e.scope', scopes))
    .$if(facets !== undefined, (q) => q.where(entityHasFacetValue('e', facets ?? [])))
    .where((eb) => eb.exists(eb.selectFrom('summary_history as h').select('h.entity_id').whereRef('h.entity_id', '=', 'l.entity_id').where('h.day', '<=', end)))
    .execute();
  const showing = new Map<number, Set<number>>();
  for (const link of links) {
    if (link.target_id === null) continue;
    const entities = showing.get(link.target_id) ?? new Set<number>();
    entities.add(link.entity_id);
    showing.set(link.target_id, entities);
  }
  return [...new Set([...showing.values()].filter((entities) => entities.size > 1).flatMap((entities) => [...entities]))].sort((a, b) => a - b);
}

/** The entities of the set that show a target another entity of the set shows too. */
async function sharingEntities(db: Db, entityIds: ReadonlySet<number>): Promise<Set<number>> {
  if (entityIds.size < 2) return new Set();
  // Most catalogs have few targets shown by two entities: read only the links to those.
  const links = await db
    .selectFrom('entity_links')
    .select(['entity_id', 'target_id'])
    .where('matched', '=', 1)
    .where('target_id', 'in', (eb) =>
      eb
        .selectFrom('entity_links')
        .select('target_id')
        .where('matched', '=', 1)
        .where('target_id', 'is not', null)
        .groupBy('target_id')
        .having((h) => h(h.fn.count('entity_id').distinct(), '>', 1)),
    )
    .execute();
  const showing = new Map<number, Set<number>>();
  for (const link of links) {
    if (link.target_id === null || !entityIds.has(link.entity_id)) continue;
    const entities = showing.get(link.target_id) ?? new Set<number>();
    entities.add(link.entity_id);
    showing.set(link.target_id, entities);
  }
  return new Set([...showing.values()].filter((entities) => entities.size > 1).flatMap((entities) => [...entities]));
}

/**
 * The distinct issues of these entities together at the end of each day, of those with data that
 * day (`withData[i]`): each variant their links show now, read as each scanner's latest scan of it
 * dated that day or before (the one with the highest id, as the current state reads it),
 * summarised as one entity; the last day at `now`.
 */
async function sharedCountsByDay(db: Db, entityIds: readonly number[], dates: readonly string[], withData: ReadonlyArray<ReadonlySet<number>>, now: string): Promise<SeverityCounts[]> {
  const states: EntityState[] = [];
  for (const ids of batches(entityIds, 200)) {
    const entities = await db.selectFrom('entities').selectAll().where('id', 'in', ids).execute();
    states.push(...(await entityStates(db, entities)));
  }
  if (states.length === 0) return dates.map(() => emptyCounts());
  const variantIds = [...new Set(states.flatMap((state) => state.targets.map((t) => t.variantId)))];
  const scans: Array<{ id: number; variant_id: number; scanner: string; scanned_at: string }> = [];
  for (const ids of batches(variantIds)) scans.push(...(await db.selectFrom('scans').select(['id', 'variant_id', 'scanner', 'scanned_at']).where('variant_id', 'in', ids).execute()));

  // For each day, each (variant, scanner)'s scan then.
  const perDay = dates.map((date) => {
    const latest = new Map<string, (typeof scans)[number]>();
    for (const scan of scans) {
      if (scan.scanned_at.slice(0, 10) > date) continue;
      const key = `${scan.variant_id}:${scan.scanner}`;
      const seen = latest.get(key);
      if (!seen || scan.id > seen.id) latest.set(key, scan);
    }
    return [...latest.values()];
  });
  const rowsByScan = new Map<number, ScanIssueRow[]>();
  for (const ids of batches([...new Set(perDay.flat().map((s) => s.id))])) {
    for (const row of await scanIssueRows(db, ids)) {
      const list = rowsByScan.get(row.scan_id);
      if (list) list.push(row);
      else rowsByScan.set(row.scan_id, [row]);
    }
  }
  const last = dates.length - 1;
  return perDay.map((dayScans, i) => {
    const showing = states.filter((state) => withData[i]?.has(state.entity.id));
    if (showing.length === 0) return emptyCounts();
    const merged = mergedState((showing[0] as EntityState).entity, showing);
    const targets = merged.targets.map((target) => {
      const current = dayScans.filter((s) => s.variant_id === target.variantId);
      return { ...target, scans: current.map((s) => ({ id: s.id, scanner: s.scanner, scannedAt: s.scanned_at })), rows: current.flatMap((s) => rowsByScan.get(s.id) ?? []) };
    });
    const at = i === last ? now : `${dates[i] as string}T23:59:59.999Z`;
    return summarise({ ...merged, targets }, at).counts;
  });
}
