import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The queue of new targets whose waiting links' similar-name hints are still to be refreshed
 * (migrations 0040 and 0041, catalog/link-hints.ts). A row is written by the ingest that created
 * the target, in its transaction, and taken by the refresh that runs after it commits.
 */

type Db = Kysely<Database>;

/**
 * Failed refreshes after which a queued target is no longer taken, until a server starts
 * (retryFailedHintRefreshes): a target whose refresh fails every time is not tried after every
 * ingest for ever.
 */
export const MAX_HINT_REFRESH_FAILURES = 5;

/** Queues the refresh of the hints near this target; a target queued already stays queued once. */
export async function queueHintRefresh(db: Db, targetId: number, now = new Date().toISOString()): Promise<void> {
  await db
    .insertInto('link_hint_refreshes')
    .values({ target_id: targetId, queued_at: now })
    .onConflict((oc) => oc.column('target_id').doNothing())
    .execute();
}

/**
 * The target queued first, or undefined when none is left to take. Targets whose refresh failed
 * come after the others, those that failed MAX_HINT_REFRESH_FAILURES times not at all, and `skip`
 * (failed in this drain) neither. Read only: the refresh takes it (takeHintRefresh) when it writes.
 */
export async function nextHintRefresh(db: Db, skip: ReadonlySet<number> = new Set()): Promise<number | undefined> {
  let query = db
    .selectFrom('link_hint_refreshes')
    .select('target_id')
    .where('failures', '<', MAX_HINT_REFRESH_FAILURES)
    .orderBy('failures')
    .orderBy('queued_at')
    .orderBy('target_id')
    .limit(1);
  if (skip.size > 0) query = query.where('target_id', 'not in', [...skip]);
  return (await query.executeTakeFirst())?.target_id;
}

/**
 * Takes this target off the queue, in the transaction that writes its refresh: false when another
 * refresh took it first (on PostgreSQL the second waits for the first's commit, then finds no row).
 * If the transaction fails, the row is back.
 */
export async function takeHintRefresh(db: Db, targetId: number): Promise<boolean> {
  const result = await db.deleteFrom('link_hint_refreshes').where('target_id', '=', targetId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Counts a failed refresh of this target on its row (back in the queue once its transaction rolled
 * back), with its message; returns the failures counted, undefined when the row is gone.
 */
export async function recordHintRefreshFailure(db: Db, targetId: number, message: string): Promise<number | undefined> {
  const row = await db
    .updateTable('link_hint_refreshes')
    .set((eb) => ({ failures: eb('failures', '+', 1), last_error: message.slice(0, 1000) }))
    .where('target_id', '=', targetId)
    .returning('failures')
    .executeTakeFirst();
  return row?.failures;
}

/** Makes the targets whose refresh failed too often takeable again (a server's start: an upgrade may have fixed the cause). */
export async function retryFailedHintRefreshes(db: Db): Promise<number> {
  const result = await db.updateTable('link_hint_refreshes').set({ failures: 0 }).where('failures', '>=', MAX_HINT_REFRESH_FAILURES).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** How many targets wait for their hints' refresh, and how many of them are no longer taken (failed too often). */
export async function queuedHintRefreshes(db: Db): Promise<{ queued: number; givenUp: number }> {
  const row = await db
    .selectFrom('link_hint_refreshes')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('queued'),
      eb.fn.sum<number | string | null>(eb.case().when('failures', '>=', MAX_HINT_REFRESH_FAILURES).then(1).else(0).end()).as('given_up'),
    ])
    .executeTakeFirstOrThrow();
  return { queued: Number(row.queued), givenUp: Number(row.given_up ?? 0) };
}
