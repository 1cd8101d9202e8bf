import type { Kysely } from 'kysely';
import { isPostgres } from './row-locks.js';
import type { Database } from './schema.js';

/**
 * The queue of targets whose links' similar-name hints are still to be refreshed
 * (0040-link-hint-queue.ts, catalog/link-hints.ts). A row is written in the transaction of the
 * target's first scan and deleted in the transaction that refreshed the hints.
 */

type Db = Kysely<Database>;

/** Queues the refresh of the hints near a target (once: a queued target stays queued once). */
export async function queueLinkHints(db: Db, targetId: number, at: string): Promise<void> {
  await db.insertInto('link_hint_refreshes').values({ target_id: targetId, queued_at: at }).onConflict((oc) => oc.column('target_id').doNothing()).execute();
}

/**
 * The target queued longest, held until the caller's transaction ends. On PostgreSQL a target
 * another replica is refreshing is skipped (its row is locked), so two replicas take different
 * targets; SQLite has one writer.
 */
export async function takeLinkHints(db: Db): Promise<number | undefined> {
  const query = db.selectFrom('link_hint_refreshes').select('target_id').orderBy('queued_at').orderBy('target_id').limit(1);
  const row = await (isPostgres(db) ? query.forUpdate().skipLocked() : query).executeTakeFirst();
  return row?.target_id;
}

/** Takes a target off the queue, in the transaction that refreshed its hints. */
export async function doneLinkHints(db: Db, targetId: number): Promise<void> {
  await db.deleteFrom('link_hint_refreshes').where('target_id', '=', targetId).execute();
}

/** How many targets wait for their hints to be refreshed. */
export async function countQueuedLinkHints(db: Db): Promise<number> {
  const row = await db.selectFrom('link_hint_refreshes').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
