import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, EntityRow, EntitySummaryTable } from '../store/schema.js';
import { batches } from '../store/batches.js';
import { bulkRun } from '../store/bulk.js';
import { isPostgres, lockEntities } from '../store/row-locks.js';
import { recordTrendChanges } from '../store/trend-changes.js';
import type { Store } from '../store/database.js';
import { type EntityState, entityStates } from './entity-state.js';
import { exploitationCounts } from './exploitation-counts.js';
import { DEFAULT_SLA_POLICIES, type SlaPolicies } from './sla.js';
import { summarise } from './summary.js';

type Db = Kysely<Database>;

/** The entities with a link that found this target (matched or not, since a new scan may change that). */
export async function entitiesShowingTarget(db: Db, targetIds: readonly number[]): Promise<number[]> {
  if (targetIds.length === 0) return [];
  const rows = await db.selectFrom('entity_links').select('entity_id').distinct().where('target_id', 'in', targetIds).execute();
  return rows.map((r) => r.entity_id);
}

/** Entities an ingest read with their lock (entitiesShowingTargetLocked), to be refreshed. */
export interface LockedEntities {
  locked: readonly EntityRow[];
}

/** The ids of entities to refresh, given as ids or as locked rows. */
export function entityIdsOf(entities: readonly number[] | LockedEntities): readonly number[] {
  return 'locked' in entities ? entities.locked.map((e) => e.id) : entities;
}

/**
 * The entities with a link that found this target, locked and read in one round trip, in id order
 * (store/row-locks.ts: lockEntities): what refreshSummaries would lock and read of them.
 */
export async function entitiesShowingTargetLocked(db: Db, targetId: number): Promise<LockedEntities> {
  const query = db
    .selectFrom('entities')
    .selectAll()
    .where('id', 'in', (eb) => eb.selectFrom('entity_links').select('entity_id').where('target_id', '=', targetId))
    .orderBy('id');
  return { locked: await (isPostgres(db) ? query.forNoKeyUpdate() : query).execute() };
}

/**
 * Recomputes and stores the summaries of these entities, and their history for the day of `asOf`
 * (an ingest's scan time, else now). A change dated earlier than stored history, as when scans are
 * ingested with past dates, supersedes the history after it: that history was computed without it.
 * The entities are locked first (store/row-locks.ts): concurrent refreshes of one entity take turns;
 * entities given as locked rows were locked when they were read.
 */
export async function refreshSummaries(
  store: Store,
  db: Db,
  given: readonly number[] | LockedEntities,
  asOf: string,
  now: string,
  policies: SlaPolicies = DEFAULT_SLA_POLICIES,
): Promise<RefreshedEntities | undefined> {
  const day = asOf.slice(0, 10);
  const unique = [...new Set(entityIdsOf(given))];
  // The few entities of an ingest are locked and read in one round trip; more are locked first,
  // then read a batch at a time.
  const locked = 'locked' in given ? given.locked : unique.length <= SUMMARY_BATCH ? await lockEntities(db, unique, { read: true }) : await lockEntities(db, unique);
  const byId = locked && new Map(locked.map((e) => [e.id, e]));
  const refreshed: RefreshedEntities | undefined = unique.length <= SUMMARY_BATCH ? new Map() : undefined;
  for (const ids of batches(unique, SUMMARY_BATCH)) {
    const entities = byId ? ids.map((id) => byId.get(id) as EntityRow) : await db.selectFrom('entities').selectAll().where('id', 'in', ids).execute();
    const states = await entityStates(db, entities, { tallies: { mode: 'store', now } });
    const exploitation = await exploitationCounts(db, await withIssues(db, states), policies, now);
    const summaries = states.map((state) => {
      const summary = summarise(state, now);
      const counts = exploitation.get(state.entity.id);
      return {
        entity_id: state.entity.id,
        has_data: summary.hasData ? 1 : 0,
        ...summary.counts,
        fixable: summary.fixable,
        new_count: summary.new,
        exempted: summary.exempted,
        last_scan_at: summary.lastScanAt,
        unmatched_links: summary.unmatchedLinks,
        breakdown: JSON.stringify(summary.breakdown),
        updated_at: now,
        known_exploited: counts?.knownExploited ?? null,
        sla_breached: counts?.slaBreached ?? null,
        sla_due_soon: counts?.slaDueSoon ?? null,
        sla_next_change: counts?.nextChange ?? null,
      };
    });
    await bulkRun(store, db, summaries.length, (i) => summaries[i] as (typeof summaries)[number], (q, batch) =>
      q
        .insertInto('entity_summaries')
        .values(batch)
        .onConflict((oc) => oc.column('entity_id').doUpdateSet(excludedColumns(SUMMARY_COLUMNS))),
    );
    const history = summaries.map((r) => ({ entity_id: r.entity_id, day, has_data: r.has_data, critical: r.critical, high: r.high, medium: r.medium, low: r.low, info: r.info, total: r.total }));
    // The dashboard trend's stored sums move with the history, in the same transaction.
    const afterDay = await recordTrendChanges(store, db, entities, day, history);
    // Only entities with history after the day have any to cut (the trend read it, with the entities
    // locked): an ingest dated today has none.
    if (afterDay.size > 0) await db.deleteFrom('summary_history').where('entity_id', 'in', [...afterDay]).where('day', '>', day).execute();
    await bulkRun(store, db, history.length, (i) => history[i] as (typeof history)[number], (q, batch) =>
      q
        .insertInto('summary_history')
        .values(batch)
        .onConflict((oc) => oc.columns(['entity_id', 'day']).doUpdateSet(excludedColumns(HISTORY_COLUMNS))),
    );
    if (refreshed) summaries.forEach((summary: EntitySummaryTable, i) => refreshed.set(summary.entity_id, { entity: (states[i] as EntityState).entity, summary }));
  }
  return refreshed;
}

/** An entity a refresh read (locked), and the summary it stored for it. */
export interface RefreshedEntity {
  entity: EntityRow;
  summary: EntitySummaryTable;
}

/**
 * The entities a refresh read and summarised, by id: what the scorecards evaluated next in the
 * same transaction would read back (scorecards/data-points.ts readEntityFacts). Given for a
 * refresh of one batch, the size of an ingest's; undefined for more.
 */
export type RefreshedEntities = Map<number, RefreshedEntity>;

/**
 * The states with every shown issue read: KEV and SLA are counted per issue, and a target counted
 * from its stored tally carries none. Those entities are read again, without tallies.
 */
async function withIssues(db: Db, states: EntityState[]): Promise<EntityState[]> {
  const tallied = states.filter((s) => s.targets.some((t) => t.tally !== undefined));
  if (tallied.length === 0) return states;
  const reread = new Map((await entityStates(db, tallied.map((s) => s.entity))).map((s) => [s.entity.id, s]));
  return states.map((s) => reread.get(s.entity.id) ?? s);
}

/** Entities whose summaries are computed and written together. */
const SUMMARY_BATCH = 200;

const COUNT_COLUMNS = ['has_data', 'critical', 'high', 'medium', 'low', 'info', 'total'] as const;
const SUMMARY_COLUMNS = [...COUNT_COLUMNS, 'fixable', 'new_count', 'exempted', 'last_scan_at', 'unmatched_links', 'breakdown', 'updated_at', 'known_exploited', 'sla_breached', 'sla_due_soon', 'sla_next_change'] as const;
const HISTORY_COLUMNS = COUNT_COLUMNS;

/** `SET column = excluded.column` for each column: an upsert that takes the new row's values. */
function excludedColumns<C extends string>(columns: readonly C[]): Record<C, RawBuilder<never>> {
  return Object.fromEntries(columns.map((c) => [c, sql.ref<never>(`excluded.${c}`)])) as Record<C, RawBuilder<never>>;
}
