import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { batches } from './batches.js';
import { bulkRun } from './bulk.js';
import type { Store } from './database.js';
import type { Database, EntityRow, SummaryHistoryTable } from './schema.js';
import { scopeAllowed } from './scope-filter.js';
import { type FacetValue, entityFacets, facetSourceOf, inFacetValues } from './trend-facets.js';

type Db = Kysely<Database>;

/** The sums trend_changes keeps (migrations/0019-dashboard-rollups.ts), in this order. */
export const TREND_COUNTS = ['with_data', 'critical', 'high', 'medium', 'low', 'info', 'total'] as const;
export type TrendCounts = Record<(typeof TREND_COUNTS)[number], number>;

/** Rows per scope and day: an entity's steps go to the shard of its id. */
const SHARDS = 16;

type HistoryRow = Pick<SummaryHistoryTable, 'entity_id' | 'day' | 'has_data' | 'critical' | 'high' | 'medium' | 'low' | 'info' | 'total'>;

/** What a history row adds to the trend of the days it stands for: the entity with data and its counts, or nothing. */
function contribution(row: HistoryRow | undefined): number[] {
  if (row?.has_data !== 1) return TREND_COUNTS.map(() => 0);
  return TREND_COUNTS.map((c) => (c === 'with_data' ? 1 : row[c]));
}

const minus = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x - (b[i] ?? 0));

/**
 * Records in trend_changes how the trend changes when each of these entities' history is cut after
 * `day` and its row of `day` becomes the one in `written` (insights/summaries.ts writes history so).
 * Call it before that write, with the entities locked: it reads the rows the write replaces.
 * Returns the entities that have history after `day`, which the write cuts: it has read them.
 */
export async function recordTrendChanges(store: Store, db: Db, entities: readonly EntityRow[], day: string, written: readonly HistoryRow[]): Promise<Set<number>> {
  const afterDay = new Set<number>();
  const scopeOf = new Map(entities.map((e) => [e.id, e.scope]));
  const later = new Map<number, HistoryRow[]>();
  const before = new Map<number, HistoryRow>();
  for (const ids of batches(written.map((r) => r.entity_id))) {
    const columns = ['h.entity_id', 'h.day', 'h.has_data', 'h.critical', 'h.high', 'h.medium', 'h.low', 'h.info', 'h.total'] as const;
    // The rows from `day` on, and each entity's latest row before it, in one round trip: the latter
    // have an earlier day, so in (entity, day) order each entity's row before comes first.
    const latest = db.selectFrom('summary_history').select((eb) => ['entity_id', eb.fn.max('day').as('day')]).where('entity_id', 'in', ids).where('day', '<', day).groupBy('entity_id');
    const rows = await db
      .selectFrom('summary_history as h')
      .select(columns)
      .where('h.entity_id', 'in', ids)
      .where('h.day', '>=', day)
      .unionAll(db.selectFrom('summary_history as h').innerJoin(latest.as('p'), (join) => join.onRef('p.entity_id', '=', 'h.entity_id').onRef('p.day', '=', 'h.day')).select(columns))
      .orderBy('entity_id')
      .orderBy('day')
      .execute();
    splitAtDay(rows, day, before, later);
  }
  for (const [entityId, list] of later) if (list.some((r) => r.day > day)) afterDay.add(entityId);

  // Each entity's steps, then summed per scope and per facet value of the entity.
  const steps: Array<{ entityId: number; day: string; counts: number[] }> = [];
  const add = (entityId: number, on: string, step: readonly number[]) => {
    if (!step.every((x) => x === 0)) steps.push({ entityId, day: on, counts: [...step] });
  };
  for (const row of written) {
    const now = contribution(row);
    const old = later.get(row.entity_id) ?? [];
    // The entity's contribution from `day` on was its row of `day` (else the one before), changing
    // at each later row; from now on it is the new row's throughout.
    let difference = minus(now, old[0]?.day === day ? contribution(old[0]) : contribution(before.get(row.entity_id)));
    add(row.entity_id, day, difference);
    for (const next of old) {
      if (next.day === day) continue;
      const after = minus(now, contribution(next));
      add(row.entity_id, next.day, minus(after, difference));
      difference = after;
    }
  }
  if (steps.length === 0) return afterDay;
  // The rows were read (and locked) by the caller: their facets need no other read.
  const facets = await entityFacets(db, [...new Set(steps.map((s) => s.entityId))], new Map(entities.map((e) => [e.id, facetSourceOf(e)])));
  const byScope = new Map<string, { scope: string; day: string; shard: number; counts: number[] }>();
  const byFacet = new Map<string, { facet: string; value: string; scope: string; day: string; shard: number; counts: number[] }>();
  const sum = <T extends { counts: number[] }>(into: Map<string, T>, key: string, make: () => T, counts: readonly number[]) => {
    const change = into.get(key);
    if (change) change.counts = change.counts.map((x, i) => x + (counts[i] ?? 0));
    else into.set(key, make());
  };
  for (const step of steps) {
    const scope = scopeOf.get(step.entityId) as string;
    const shard = step.entityId % SHARDS;
    sum(byScope, `${scope}\n${step.day}\n${shard}`, () => ({ scope, day: step.day, shard, counts: [...step.counts] }), step.counts);
    for (const { facet, value } of facets.get(step.entityId)?.facets ?? []) {
      sum(byFacet, `${facet}\n${value}\n${step.day}\n${scope}\n${shard}`, () => ({ facet, value, scope, day: step.day, shard, counts: [...step.counts] }), step.counts);
    }
  }
  const counts = (c: { counts: number[] }) => Object.fromEntries(TREND_COUNTS.map((name, i) => [name, c.counts[i] ?? 0])) as TrendCounts;
  // In key order, so that concurrent writers take the rows' locks in one order.
  const rows = [...byScope.values()]
    .sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : a.shard - b.shard))
    .map((c) => ({ scope: c.scope, day: c.day, shard: c.shard, ...counts(c) }));
  await bulkRun(store, db, rows.length, (i) => rows[i] as (typeof rows)[number], (q, batch) =>
    q
      .insertInto('trend_changes')
      .values(batch)
      .onConflict((oc) => oc.columns(['scope', 'day', 'shard']).doUpdateSet(Object.fromEntries(TREND_COUNTS.map((c) => [c, sql<number>`trend_changes.${sql.ref(c)} + excluded.${sql.ref(c)}`])) as Record<(typeof TREND_COUNTS)[number], RawBuilder<number>>)),
  );
  const facetRows = [...byFacet.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, c]) => ({ facet: c.facet, value: c.value, day: c.day, scope: c.scope, shard: c.shard, ...counts(c) }));
  await bulkRun(store, db, facetRows.length, (i) => facetRows[i] as (typeof facetRows)[number], (q, batch) =>
    q
      .insertInto('trend_facet_changes')
      .values(batch)
      .onConflict((oc) => oc.columns(['facet', 'value', 'day', 'scope', 'shard']).doUpdateSet(Object.fromEntries(TREND_COUNTS.map((c) => [c, sql<number>`trend_facet_changes.${sql.ref(c)} + excluded.${sql.ref(c)}`])) as Record<(typeof TREND_COUNTS)[number], RawBuilder<number>>)),
  );
  return afterDay;
}

/**
 * The sums of the entities' history at the end of each of `dates` (ascending), over the scopes the
 * filter allows: each entity's latest row on or before the date, entities with data and their counts.
 * With `facets`, of the entities with one of these facet values (read from trend_facet_changes).
 */
export async function storedTrendSums(db: Db, dates: readonly string[], scopes: ScopeFilter, facets?: readonly FacetValue[]): Promise<TrendCounts[]> {
  const last = dates.at(-1);
  if (last === undefined) return [];
  const first = dates[0] as string;
  const perScope = db.selectFrom('trend_changes');
  // The facet rows under the same name: they have the same columns, and two more.
  const rows = facets ? (db.selectFrom('trend_facet_changes as trend_changes').where(inFacetValues(facets)) as unknown as typeof perScope) : perScope;
  const base = rows.where((eb) => scopeAllowed(eb, 'trend_changes.scope', scopes));
  // Each day's changes in the range, after the changes before it added up.
  const earlier = await base.select((eb) => TREND_COUNTS.map((c) => eb.fn.sum<number>(c).as(c))).where('day', '<', first).executeTakeFirst();
  const byDay = await base.select((eb) => ['day', ...TREND_COUNTS.map((c) => eb.fn.sum<number>(c).as(c))]).where('day', '>=', first).where('day', '<=', last).groupBy('day').orderBy('day').execute();
  const running = TREND_COUNTS.map((c) => Number(earlier?.[c] ?? 0));
  let k = 0;
  return dates.map((date) => {
    for (; k < byDay.length && (byDay[k]?.day as string) <= date; k++) {
      const row = byDay[k] as Record<string, unknown>;
      TREND_COUNTS.forEach((c, i) => (running[i] = (running[i] ?? 0) + Number(row[c] ?? 0)));
    }
    return Object.fromEntries(TREND_COUNTS.map((c, i) => [c, running[i] ?? 0])) as TrendCounts;
  });
}

/**
 * History rows read in (entity, day) order, each entity's latest row before `day` and then its rows
 * from `day` on (one UNION ALL read), put apart: the row before into `before`, the others into
 * `later` in day order.
 */
export function splitAtDay<T extends { entity_id: number; day: string }>(rows: readonly T[], day: string, before: Map<number, T>, later: Map<number, T[]>): void {
  for (const row of rows) {
    if (row.day < day) {
      before.set(row.entity_id, row);
      continue;
    }
    const list = later.get(row.entity_id);
    if (list) list.push(row);
    else later.set(row.entity_id, [row]);
  }
}
