import type { Insertable, Kysely, Selectable } from 'kysely';
import { batches } from './batches.js';
import { type Upsert, upsertRows } from './bulk.js';
import type { Store } from './database.js';
import type { Database, ScorecardHistoryTable, ScorecardResultTable, ScorecardTable } from './schema.js';

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
  await db.deleteFrom('scorecard_results').where('scorecard_id', '=', id).execute();
  await db.deleteFrom('scorecards').where('id', '=', id).execute();
}

/** What an evaluation compares a new result with. */
export type StoredResult = Pick<ScorecardResultRow, 'entity_id' | 'score' | 'checks' | 'updated_at'>;

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
  const query = db.selectFrom('scorecard_results').select(['entity_id', 'score', 'checks', 'updated_at']).where('scorecard_id', '=', scorecardId);
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
  ],
  key: ['scorecard_id', 'entity_id'],
  update: ['score', 'passed', 'failed', 'unknown', 'checks', 'updated_at'],
};

export async function writeScorecardResults(store: Store, trx: Db, rows: readonly NewScorecardResult[]): Promise<void> {
  await upsertRows(store, trx, RESULTS, rows.map((r) => ({ ...r, score: r.score ?? null })));
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
 * dated earlier supersedes, is dropped first.
 */
export async function writeScorecardHistory(store: Store, trx: Db, scorecardId: string, day: string, rows: readonly Omit<NewScorecardHistory, 'scorecard_id' | 'day'>[]): Promise<void> {
  if (rows.length === 0) return;
  const later = await trx.selectFrom('scorecard_history').select('entity_id').where('scorecard_id', '=', scorecardId).where('day', '>', day).limit(1).executeTakeFirst();
  if (later) {
    for (const batch of batches(rows.map((r) => r.entity_id))) {
      await trx.deleteFrom('scorecard_history').where('scorecard_id', '=', scorecardId).where('day', '>', day).where('entity_id', 'in', batch).execute();
    }
  }
  await upsertRows(store, trx, HISTORY, rows.map((r) => ({ scorecard_id: scorecardId, entity_id: r.entity_id, day, applies: r.applies, score: r.score ?? null, statuses: r.statuses })));
}
