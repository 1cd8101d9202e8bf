import { type Insertable, type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import { batches } from './batches.js';
import { type Upsert, updateByKey, upsertRows } from './bulk.js';
import type { Store } from './database.js';
import { recordScorecardTrendChanges } from './scorecard-trend.js';
import type { Database, ScorecardHistoryTable, ScorecardResultTable, ScorecardTable } from './schema.js';
import type { FacetSource } from './trend-facets.js';

type Db = Kysely<Database>;

export type ScorecardRow = Selectable<ScorecardTable>;
export type ScorecardResultRow = Selectable<ScorecardResultTable>;
export type NewScorecardResult = Insertable<ScorecardResultTable>;
export type NewScorecardHistory = Insertable<ScorecardHistoryTable>;

export function storedScorecards(db: Db): Promise<ScorecardRow[]> {
  return db.selectFrom('scorecards').selectAll().orderBy('id').execute();
}

/** Stores a scorecard defined through the API; true when it is new, false when it replaced one. */
export async function saveScorecard(db: Db, id: string, definition: string, now: string): Promise<boolean> {
  const existing = await db.selectFrom('scorecards').select('id').where('id', '=', id).executeTakeFirst();
  if (existing) await db.updateTable('scorecards').set({ definition, updated_at: now }).where('id', '=', id).execute();
  else await db.insertInto('scorecards').values({ id, definition, created_at: now, updated_at: now }).execute();
  return !existing;
}

/** Removes a scorecard's definition (if stored), results and history. */
export async function deleteScorecard(db: Db, id: string): Promise<void> {
  await db.deleteFrom('scorecard_history').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecard_trend_changes').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecard_trend_facet_changes').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecard_results').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecard_check_tallies').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecard_tallies').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecard_evaluations').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecards').where('id', '=', id).execute();
}

/** Records that these scorecards were evaluated over every entity at `at` (migrations/0031-scorecard-observed.ts). */
export async function recordScorecardEvaluations(db: Db, scorecardIds: readonly string[], at: string): Promise<void> {
  if (scorecardIds.length === 0) return;
  await db
    .insertInto('scorecard_evaluations')
    .values([...scorecardIds].sort().map((id) => ({ scorecard_id: id, evaluated_at: at })))
    .onConflict((oc) => oc.column('scorecard_id').doUpdateSet({ evaluated_at: (eb) => eb.ref('excluded.evaluated_at') }))
    .execute();
}

/** When these scorecards were last evaluated over every entity, of those that were: scorecard id → time. */
export async function scorecardEvaluations(db: Db, scorecardIds: readonly string[]): Promise<Map<string, string>> {
  if (scorecardIds.length === 0) return new Map();
  const rows = await db.selectFrom('scorecard_evaluations').select(['scorecard_id', 'evaluated_at']).where('scorecard_id', 'in', scorecardIds).execute();
  return new Map(rows.map((r) => [r.scorecard_id, r.evaluated_at]));
}

/** What an evaluation compares a new result with. */
export type StoredResult = Pick<ScorecardResultRow, 'entity_id' | 'score' | 'checks' | 'updated_at' | 'tally_group'>;

/** Entities with ids from `from` to `to`, both included: a batch of a pass over every entity in id order. */
export interface EntityRange {
  from: number;
  to: number;
}

/** Every entity's id, ascending, in batches of `size`: each batch's range holds its ids and no other. */
export async function entityRanges(db: Db, size: number): Promise<EntityRange[]> {
  const ids = (await db.selectFrom('entities').select('id').orderBy('id').execute()).map((e) => e.id);
  const ranges: EntityRange[] = [];
  for (let i = 0; i < ids.length; i += size) ranges.push({ from: ids[i] as number, to: ids[Math.min(ids.length, i + size) - 1] as number });
  return ranges;
}

/** A scorecard's stored results, of these entities (ids, or a range of them) or of all. */
export async function scorecardResults(db: Db, scorecardId: string, entityIds?: readonly number[] | EntityRange): Promise<StoredResult[]> {
  const query = db.selectFrom('scorecard_results').select(['entity_id', 'score', 'checks', 'updated_at', 'tally_group']).where('scorecard_id', '=', scorecardId);
  if (entityIds === undefined) return query.execute();
  if (!Array.isArray(entityIds)) {
    const range = entityIds as EntityRange;
    return query.where('entity_id', '>=', range.from).where('entity_id', '<=', range.to).execute();
  }
  const rows: StoredResult[] = [];
  for (const batch of batches(entityIds)) rows.push(...(await query.where('entity_id', 'in', batch).execute()));
  return rows;
}

const RESULTS: Upsert<keyof NewScorecardResult & string> = {
  table: 'scorecard_results',
  columns: [
    ['scorecard_id', 'text'],
    ['entity_id', 'integer'],
    ['score', 'double precision'],
    ['passed', 'integer'],
    ['failed', 'integer'],
    ['unknown', 'integer'],
    ['checks', 'text'],
    ['updated_at', 'text'],
    ['entity_ref', 'text'],
    ['score_missing', 'integer'],
    ['score_order', 'double precision'],
    ['tally_group', 'text'],
  ],
  key: ['scorecard_id', 'entity_id'],
  update: ['score', 'passed', 'failed', 'unknown', 'checks', 'updated_at', 'entity_ref', 'score_missing', 'score_order', 'tally_group'],
};

/** A result to store: its sort keys follow from the score. */
export type ResultWrite = Omit<NewScorecardResult, 'score_missing' | 'score_order' | 'entity_ref' | 'tally_group'> & { entity_ref: string; tally_group: string };

export async function writeScorecardResults(store: Store, trx: Db, rows: readonly ResultWrite[]): Promise<void> {
  await upsertRows(
    store,
    trx,
    RESULTS,
    rows.map((r) => ({ ...r, score: r.score ?? null, score_missing: r.score === null || r.score === undefined ? 1 : 0, score_order: r.score ?? 0 })),
  );
}

/** Records that these results, unchanged, are now counted in another group of entities. */
export async function moveScorecardResults(db: Db, scorecardId: string, rows: ReadonlyArray<{ entity_id: number; tally_group: string }>): Promise<void> {
  await updateByKey(db, 'scorecard_results', [['entity_id', 'integer']], [['tally_group', 'text']], rows, { scorecard_id: scorecardId });
}

/** What a result adds to its group's tallies. */
export interface TalliedResult {
  score: number | null;
  /** Check id → status. */
  statuses: Record<string, string>;
}

type GroupTally = { entities: number; scored: number; score_tenths: number; passing: number; checks: Map<string, { pass: number; fail: number }> };

/**
 * Changes to a scorecard's tallies (scorecard_tallies, scorecard_check_tallies), gathered in
 * memory per group of entities and written as a few additions.
 */
export class TallyChanges {
  readonly #groups = new Map<string, GroupTally>();

  /** Counts a result in a group (`sign` 1) or takes it out (-1). */
  add(group: string, sign: 1 | -1, result: TalliedResult): void {
    let tally = this.#groups.get(group);
    if (!tally) this.#groups.set(group, (tally = { entities: 0, scored: 0, score_tenths: 0, passing: 0, checks: new Map() }));
    tally.entities += sign;
    let failed = false;
    for (const [checkId, status] of Object.entries(result.statuses)) {
      if (status !== 'pass' && status !== 'fail') continue;
      failed ||= status === 'fail';
      let check = tally.checks.get(checkId);
      if (!check) tally.checks.set(checkId, (check = { pass: 0, fail: 0 }));
      check[status] += sign;
    }
    if (result.score === null) return;
    tally.scored += sign;
    tally.score_tenths += sign * Math.round(result.score * 10);
    if (!failed) tally.passing += sign;
  }

  /** Adds the changes to the stored tallies of the scorecard, in key order (concurrent writers lock rows in one order). */
  async write(db: Db, scorecardId: string): Promise<void> {
    const groups = [...this.#groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const tallies = groups
      .filter(([, t]) => t.entities !== 0 || t.scored !== 0 || t.score_tenths !== 0 || t.passing !== 0)
      .map(([group, t]) => ({ scorecard_id: scorecardId, entity_group: group, entities: t.entities, scored: t.scored, score_tenths: t.score_tenths, passing: t.passing }));
    const checks = groups.flatMap(([group, t]) =>
      [...t.checks.entries()]
        .filter(([, c]) => c.pass !== 0 || c.fail !== 0)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([checkId, c]) => ({ scorecard_id: scorecardId, entity_group: group, check_id: checkId, pass: c.pass, fail: c.fail })),
    );
    const added = <C extends string>(table: string, columns: readonly C[]) =>
      Object.fromEntries(columns.map((c) => [c, sql<number>`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`])) as Record<C, RawBuilder<number>>;
    // A few rows per group of entities, not per entity: plain multi-row statements.
    for (const batch of batches(tallies, 500)) {
      await db
        .insertInto('scorecard_tallies')
        .values(batch)
        .onConflict((oc) => oc.columns(['scorecard_id', 'entity_group']).doUpdateSet(added('scorecard_tallies', ['entities', 'scored', 'score_tenths', 'passing'])))
        .execute();
    }
    for (const batch of batches(checks, 500)) {
      await db
        .insertInto('scorecard_check_tallies')
        .values(batch)
        .onConflict((oc) => oc.columns(['scorecard_id', 'entity_group', 'check_id']).doUpdateSet(added('scorecard_check_tallies', ['pass', 'fail'])))
        .execute();
    }
    this.#groups.clear();
  }
}

/** Takes the results of entities about to be deleted out of their scorecards' tallies (the results go with the entities). */
export async function forgetScorecardResults(db: Db, entityIds: readonly number[]): Promise<void> {
  const changes = new Map<string, TallyChanges>();
  for (const batch of batches(entityIds)) {
    const rows = await db.selectFrom('scorecard_results').select(['scorecard_id', 'score', 'checks', 'tally_group']).where('entity_id', 'in', batch).where('tally_group', 'is not', null).execute();
    for (const row of rows) {
      let change = changes.get(row.scorecard_id);
      if (!change) changes.set(row.scorecard_id, (change = new TallyChanges()));
      change.add(row.tally_group as string, -1, { score: row.score, statuses: statusesOf(row.checks) });
    }
  }
  for (const [scorecardId, change] of [...changes.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) await change.write(db, scorecardId);
}

/** scorecard_results.checks (check id → [status, …]) to check id → status. */
function statusesOf(checks: string): Record<string, string> {
  const parsed = JSON.parse(checks) as Record<string, [string, ...unknown[]]>;
  return Object.fromEntries(Object.entries(parsed).map(([id, [status]]) => [id, status]));
}

/** A scorecard's stored tallies per group of entities. */
export async function scorecardTallyRows(db: Db, scorecardIds: readonly string[]) {
  if (scorecardIds.length === 0) return { groups: [], checks: [] };
  const groups = await db.selectFrom('scorecard_tallies').selectAll().where('scorecard_id', 'in', scorecardIds).where('entities', '>', 0).execute();
  const checks = await db.selectFrom('scorecard_check_tallies').selectAll().where('scorecard_id', 'in', scorecardIds).execute();
  return { groups, checks };
}

export async function deleteScorecardResults(db: Db, scorecardId: string, entityIds: readonly number[]): Promise<void> {
  for (const batch of batches(entityIds)) await db.deleteFrom('scorecard_results').where('scorecard_id', '=', scorecardId).where('entity_id', 'in', batch).execute();
}

const HISTORY: Upsert<keyof NewScorecardHistory & string> = {
  table: 'scorecard_history',
  columns: [
    ['scorecard_id', 'text'],
    ['entity_id', 'integer'],
    ['day', 'text'],
    ['applies', 'integer'],
    ['score', 'double precision'],
    ['statuses', 'text'],
  ],
  key: ['scorecard_id', 'entity_id', 'day'],
  update: ['applies', 'score', 'statuses'],
};

/**
 * Records results as they stand at the end of `day`. History after that day, which an evaluation
 * dated earlier supersedes, is dropped first. The scorecard's stored trend follows (store/scorecard-trend.ts).
 */
export async function writeScorecardHistory(
  store: Store,
  trx: Db,
  scorecardId: string,
  day: string,
  rows: readonly Omit<NewScorecardHistory, 'scorecard_id' | 'day'>[],
  known?: ReadonlyMap<number, FacetSource>,
): Promise<void> {
  if (rows.length === 0) return;
  const afterDay = await recordScorecardTrendChanges(store, trx, scorecardId, day, rows.map((r) => ({ entity_id: r.entity_id, day, applies: r.applies, score: r.score ?? null, statuses: r.statuses })), known);
  // By these entities' keys: a look for any later row of the scorecard read all its history (no
  // index leads with the day), once per batch of an evaluation. Only those that have one (the trend
  // read them, with the entities locked): most evaluations are of today, and have none.
  for (const batch of batches([...afterDay])) {
    await trx.deleteFrom('scorecard_history').where('scorecard_id', '=', scorecardId).where('entity_id', 'in', batch).where('day', '>', day).execute();
  }
  await upsertRows(store, trx, HISTORY, rows.map((r) => ({ scorecard_id: scorecardId, entity_id: r.entity_id, day, applies: r.applies, score: r.score ?? null, statuses: r.statuses })));
}
