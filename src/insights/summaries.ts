import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { entityState } from './entity-state.js';
import { summarise } from './summary.js';

type Db = Kysely<Database>;

/** The entities with a link that found this target (matched or not, since a new scan may change that). */
export async function entitiesShowingTarget(db: Db, targetIds: readonly number[]): Promise<number[]> {
  if (targetIds.length === 0) return [];
  const rows = await db.selectFrom('entity_links').select('entity_id').distinct().where('target_id', 'in', targetIds).execute();
  return rows.map((r) => r.entity_id);
}

/**
 * Recomputes and stores the summaries of these entities, and their history for the day of `asOf`
 * (an ingest's scan time, else now). A change dated earlier than stored history, as when scans are
 * ingested with past dates, supersedes the history after it: that history was computed without it.
 */
export async function refreshSummaries(db: Db, entityIds: readonly number[], asOf: string, now: string): Promise<void> {
  const day = asOf.slice(0, 10);
  for (const id of new Set(entityIds)) {
    const entity = await db.selectFrom('entities').selectAll().where('id', '=', id).executeTakeFirst();
    if (!entity) continue;
    const summary = summarise(await entityState(db, entity), now);
    const counts = summary.counts;
    const row = {
      entity_id: id,
      has_data: summary.hasData ? 1 : 0,
      ...counts,
      fixable: summary.fixable,
      new_count: summary.new,
      exempted: summary.exempted,
      last_scan_at: summary.lastScanAt,
      unmatched_links: summary.unmatchedLinks,
      breakdown: JSON.stringify(summary.breakdown),
      updated_at: now,
    };
    const { entity_id: _id, ...changes } = row;
    await db.insertInto('entity_summaries').values(row).onConflict((oc) => oc.column('entity_id').doUpdateSet(changes)).execute();
    await db.deleteFrom('summary_history').where('entity_id', '=', id).where('day', '>', day).execute();
    const history = { entity_id: id, day, has_data: row.has_data, ...counts };
    const { entity_id: _e, day: _d, ...historyChanges } = history;
    await db.insertInto('summary_history').values(history).onConflict((oc) => oc.columns(['entity_id', 'day']).doUpdateSet(historyChanges)).execute();
  }
}
