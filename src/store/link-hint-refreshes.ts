import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The queue of new targets whose waiting links' similar-name hints are still to be refreshed
 * (migration 0040, catalog/link-hints.ts). A row is written by the ingest that created the target,
 * in its transaction, and taken by the refresh that runs after it commits.
 */

type Db = Kysely<Database>;

/** Queues the refresh of the hints near this target; a target queued already stays queued once. */
export async function queueHintRefresh(db: Db, targetId: number, now = new Date().toISOString()): Promise<void> {
  await db
    .insertInto('link_hint_refreshes')
    .values({ target_id: targetId, queued_at: now })
    .onConflict((oc) => oc.column('target_id').doNothing())
    .execute();
}

/**
 * Takes the target queued first off the queue, or undefined when it is empty. The caller refreshes
 * its hints in the same transaction: if that fails, the row is back.
 */
export async function takeQueuedHintRefresh(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('link_hint_refreshes').select('target_id').orderBy('queued_at').orderBy('target_id').limit(1).executeTakeFirst();
  if (!row) return undefined;
  await db.deleteFrom('link_hint_refreshes').where('target_id', '=', row.target_id).execute();
  return row.target_id;
}

/** How many targets wait for their hints' refresh. */
export async function queuedHintRefreshes(db: Db): Promise<number> {
  const row = await db.selectFrom('link_hint_refreshes').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
