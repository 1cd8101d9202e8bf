import { type ExpressionBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { batches } from './batches.js';
import { type Upsert, upsertRows } from './bulk.js';
import type { Store } from './database.js';
import type { Database, ScorecardHistoryTable } from './schema.js';
import { scopeAllowed } from './scope-filter.js';
import { splitAtDay } from './trend-changes.js';
import { type FacetSource, type FacetValue, entityFacets, inFacetValues } from './trend-facets.js';

type Db = Kysely<Database>;

/** The sums scorecard_trend_changes keeps (migrations/0021-scorecard-trend.ts), in this order. */
export const SCORECARD_TREND_SUMS = ['entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail'] as const;
type Sums = number[];

type HistoryRow = Pick<ScorecardHistoryTable, 'entity_id' | 'day' | 'applies' | 'score' | 'statuses'>;

/** History statuses: check id → status (or [status, …], as results keep them). */
function statusesOf(json: string): Record<string, string> {
  const parsed = JSON.parse(json) as Record<string, string | [string, ...unknown[]]>;
  return Object.fromEntries(Object.entries(parsed).map(([id, value]) => [id, Array.isArray(value) ? value[0] : value]));
}

/** What a history row adds on the days it stands for: check id ('' for the scorecard's counts) → sums. */
function contribution(row: HistoryRow): Map<string, Sums> {
  const out = new Map<string, Sums>();
  if (row.applies !== 1) return out;
  const statuses = Object.entries(statusesOf(row.statuses));
  const failed = statuses.some(([, s]) => s === 'fail');
  const scored = row.score === null ? 0 : 1;
  out.set('', [1, scored, row.score === null ? 0 : Math.round(row.score * 10), scored === 1 && !failed ? 1 : 0, 0, 0]);
  for (const [id, status] of statuses) if (status === 'pass' || status === 'fail') out.set(id, [0, 0, 0, 0, status === 'pass' ? 1 : 0, status === 'fail' ? 1 : 0]);
  return out;
}

/**
 * Records in scorecard_trend_changes how the scorecard's trend changes when these entities' history
 * is cut after `day` and their row of `day` becomes the one written (store/scorecards.ts:
 * writeScorecardHistory). Call it before that write, in its transaction: it reads the rows it replaces.
 * `known`: the entities' facet sources as the evaluation read them (their facts), so that their
 * facets need no other read (store/trend-facets.ts: entityFacets). Returns the entities that have
 * history after `day`, which the write cuts: it has read them.
 */
export async function recordScorecardTrendChanges(store: Store, db: Db, scorecardId: string, day: string, written: readonly HistoryRow[], known?: ReadonlyMap<number, FacetSource>): Promise<Set<number>> {
  const afterDay = new Set<number>();
  // Entities of one scope and the same facet values add to the same rows: their steps (key: day,
  // check) are summed per such group, and each group's once per scope and per facet value at the
  // end — where adding each entity's steps to its scope's and to each of its facet values' rows
  // built and looked up eight keys per step, most of an evaluation's time in this function.
  const groups = new Map<string, { scope: string; facets: readonly FacetValue[]; steps: Map<string, { day: string; check_id: string; sums: Sums }> }>();
  // A row is added on its day and taken away on its successor's: its statuses are read once.
  const contributions = new Map<HistoryRow, Map<string, Sums>>();
  const add = (steps: Map<string, { day: string; check_id: string; sums: Sums }>, on: string, sign: 1 | -1, row: HistoryRow) => {
    let parts = contributions.get(row);
    if (!parts) contributions.set(row, (parts = contribution(row)));
    for (const [checkId, sums] of parts) {
      const key = `${on}\n${checkId}`;
      let step = steps.get(key);
      if (!step) steps.set(key, (step = { day: on, check_id: checkId, sums: SCORECARD_TREND_SUMS.map(() => 0) }));
      for (let i = 0; i < sums.length; i++) step.sums[i] = (step.sums[i] ?? 0) + sign * (sums[i] ?? 0);
    }
  };
  const columns = ['h.entity_id', 'h.day', 'h.applies', 'h.score', 'h.statuses'] as const;
  for (const ids of batches(written.map((r) => r.entity_id))) {
    const entities = await entityFacets(db, ids, known);
    const later = new Map<number, HistoryRow[]>();
    const before = new Map<number, HistoryRow>();
    // The rows from `day` on, and each entity's latest row before it, in one round trip: the latter
    // have an earlier day, so in (entity, day) order each entity's row before comes first.
    const latest = db.selectFrom('scorecard_history').select((eb) => ['entity_id', eb.fn.max('day').as('day')]).where('scorecard_id', '=', scorecardId).where('entity_id', 'in', ids).where('day', '<', day).groupBy('entity_id');
    const rows = await db
      .selectFrom('scorecard_history as h')
      .select(columns)
      .where('h.scorecard_id', '=', scorecardId)
      .where('h.entity_id', 'in', ids)
      .where('h.day', '>=', day)
      .unionAll(
        db
          .selectFrom('scorecard_history as h')
          .innerJoin(latest.as('p'), (join) => join.onRef('p.entity_id', '=', 'h.entity_id').onRef('p.day', '=', 'h.day'))
          .select(columns)
          .where('h.scorecard_id', '=', scorecardId),
      )
      .orderBy('entity_id')
      .orderBy('day')
      .execute();
    splitAtDay(rows, day, before, later);
    for (const [entityId, list] of later) if (list.some((r) => r.day > day)) afterDay.add(entityId);
    const writtenHere = new Set(ids);
    for (const row of written) {
      if (!writtenHere.has(row.entity_id)) continue;
      const entity = entities.get(row.entity_id);
      if (entity === undefined) continue;
      const groupKey = JSON.stringify([entity.scope, entity.facets.map((f) => [f.facet, f.value])]);
      let group = groups.get(groupKey);
      if (!group) groups.set(groupKey, (group = { scope: entity.scope, facets: entity.facets, steps: new Map() }));
      const { steps } = group;
      const old = later.get(row.entity_id) ?? [];
      // Each row stands from its day to its successor's: take the old rows from `day` on away, with
      // the end of the row before them, and add the new row from `day` on with that row's new end.
      const previous = before.get(row.entity_id);
      if (previous) {
        if (old[0]) add(steps, old[0].day, 1, previous);
        add(steps, day, -1, previous);
      }
      old.forEach((r, i) => {
        add(steps, r.day, -1, r);
        const next = old[i + 1];
        if (next) add(steps, next.day, 1, r);
      });
      add(steps, day, 1, { ...row, day });
    }
  }
  // Summed per scope, and once more per facet value of the entities (key: facet, value, day, scope, check).
  const changes = new Map<string, { scope: string; day: string; check_id: string; sums: Sums }>();
  const facetChanges = new Map<string, { facet: string; value: string; scope: string; day: string; check_id: string; sums: Sums }>();
  const sum = <T extends { sums: Sums }>(into: Map<string, T>, key: string, make: () => T, sums: Sums) => {
    const change = into.get(key);
    if (!change) into.set(key, make());
    else for (let i = 0; i < sums.length; i++) change.sums[i] = (change.sums[i] ?? 0) + (sums[i] ?? 0);
  };
  for (const { scope, facets, steps } of groups.values()) {
    for (const { day: on, check_id: checkId, sums } of steps.values()) {
      if (sums.every((x) => x === 0)) continue;
      sum(changes, `${scope}\n${on}\n${checkId}`, () => ({ scope, day: on, check_id: checkId, sums: [...sums] }), sums);
      for (const { facet, value } of facets) {
        sum(facetChanges, `${facet}\n${value}\n${on}\n${scope}\n${checkId}`, () => ({ facet, value, scope, day: on, check_id: checkId, sums: [...sums] }), sums);
      }
    }
  }
  const named = (c: { sums: Sums }) => Object.fromEntries(SCORECARD_TREND_SUMS.map((name, i) => [name, c.sums[i] ?? 0])) as Record<(typeof SCORECARD_TREND_SUMS)[number], number>;
  // In key order, so that concurrent writers take the rows' locks in one order; steps of several
  // groups may cancel out (one entity leaves a scope's passing count as another joins it).
  const ordered = [...changes.values()]
    .filter((c) => c.sums.some((x) => x !== 0))
    .sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : a.check_id < b.check_id ? -1 : a.check_id > b.check_id ? 1 : 0))
    .map((c) => ({ scorecard_id: scorecardId, scope: c.scope, day: c.day, check_id: c.check_id, ...named(c) }));
  await upsertRows(store, db, TREND_CHANGES, ordered);
  const facetRows = [...facetChanges.entries()]
    .filter(([, c]) => c.sums.some((x) => x !== 0))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, c]) => ({ scorecard_id: scorecardId, facet: c.facet, value: c.value, day: c.day, scope: c.scope, check_id: c.check_id, ...named(c) }));
  await upsertRows(store, db, TREND_FACET_CHANGES, facetRows);
  return afterDay;
}

type SumColumn = (typeof SCORECARD_TREND_SUMS)[number];
const SUM_COLUMNS = SCORECARD_TREND_SUMS.map((c) => [c, 'integer'] as const);

/**
 * The steps are added to the stored ones; on PostgreSQL as arrays (unnest), one statement however
 * many rows, where a multi-row VALUES list of thousands of facet rows cost more to parse than to write.
 */
const TREND_CHANGES: Upsert<'scorecard_id' | 'scope' | 'day' | 'check_id' | SumColumn> = {
  table: 'scorecard_trend_changes',
  columns: [['scorecard_id', 'text'], ['scope', 'text'], ['day', 'text'], ['check_id', 'text'], ...SUM_COLUMNS],
  key: ['scorecard_id', 'scope', 'day', 'check_id'],
  update: [],
  add: SCORECARD_TREND_SUMS,
};

const TREND_FACET_CHANGES: Upsert<'scorecard_id' | 'facet' | 'value' | 'day' | 'scope' | 'check_id' | SumColumn> = {
  table: 'scorecard_trend_facet_changes',
  columns: [['scorecard_id', 'text'], ['facet', 'text'], ['value', 'text'], ['day', 'text'], ['scope', 'text'], ['check_id', 'text'], ...SUM_COLUMNS],
  key: ['scorecard_id', 'facet', 'value', 'day', 'scope', 'check_id'],
  update: [],
  add: SCORECARD_TREND_SUMS,
};

/** A scorecard's trend sums at the end of a day: check id ('' for the scorecard's counts) → sums. */
export type ScorecardTrendSums = Map<string, Record<(typeof SCORECARD_TREND_SUMS)[number], number>>;

/**
 * The sums of the scorecard's history at the end of each of `dates` (ascending), over the scopes the
 * filter allows: each entity's latest row on or before the date, when the scorecard applied then.
 * With `facets`, of the entities with one of these facet values (from scorecard_trend_facet_changes).
 */
export async function storedScorecardTrendSums(db: Db, scorecardId: string, dates: readonly string[], scopes: ScopeFilter, facets?: readonly FacetValue[]): Promise<ScorecardTrendSums[]> {
  const last = dates.at(-1);
  if (last === undefined) return [];
  const first = dates[0] as string;
  const perScope = db.selectFrom('scorecard_trend_changes');
  // The facet rows under the same name: they have the same columns, and two more.
  const rows = facets ? (db.selectFrom('scorecard_trend_facet_changes as scorecard_trend_changes').where(inFacetValues(facets)) as unknown as typeof perScope) : perScope;
  const base = rows.where('scorecard_id', '=', scorecardId).where((eb) => scopeAllowed(eb, 'scorecard_trend_changes.scope', scopes));
  const sums = (eb: ExpressionBuilder<Database, 'scorecard_trend_changes'>) => SCORECARD_TREND_SUMS.map((c) => eb.fn.sum<number>(c).as(c));
  const earlier = await base.select((eb) => ['check_id', ...sums(eb)]).where('day', '<', first).groupBy('check_id').execute();
  const byDay = await base.select((eb) => ['day', 'check_id', ...sums(eb)]).where('day', '>=', first).where('day', '<=', last).groupBy(['day', 'check_id']).orderBy('day').execute();
  const running = new Map<string, number[]>();
  const add = (row: Record<string, unknown>) => {
    const id = row.check_id as string;
    const current = running.get(id) ?? SCORECARD_TREND_SUMS.map(() => 0);
    running.set(id, current.map((x, i) => x + Number(row[SCORECARD_TREND_SUMS[i] as string] ?? 0)));
  };
  for (const row of earlier) add(row as Record<string, unknown>);
  let k = 0;
  return dates.map((date) => {
    for (; k < byDay.length && (byDay[k]?.day as string) <= date; k++) add(byDay[k] as Record<string, unknown>);
    return new Map([...running.entries()].map(([id, v]) => [id, Object.fromEntries(SCORECARD_TREND_SUMS.map((c, i) => [c, v[i] ?? 0])) as Record<(typeof SCORECARD_TREND_SUMS)[number], number>]));
  });
}

/**
 * Whether a check the scorecard no longer has failed in its history: the stored passing counts
 * (no failed check) then differ from counting against the current checks, so the trend is computed.
 */
export async function removedCheckFailed(db: Db, scorecardId: string, checkIds: readonly string[]): Promise<boolean> {
  let query = db.selectFrom('scorecard_trend_changes').select('check_id').where('scorecard_id', '=', scorecardId).where('check_id', '<>', '').where('fail', '<>', 0);
  if (checkIds.length > 0) query = query.where('check_id', 'not in', checkIds);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}
