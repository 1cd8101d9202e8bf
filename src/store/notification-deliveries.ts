import { type Kysely, sql } from 'kysely';
import type { Store } from './database.js';
import type { Database, NotificationDeliveryRow } from './schema.js';

type Db = Kysely<Database>;

/** Queues one delivery per channel, in the caller's transaction; a second of the same event and channel is ignored. */
export async function enqueueDeliveries(db: Db, rows: ReadonlyArray<{ event: string; eventKey: string; channel: string; scope: string; payload: string }>, now: string): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('notification_deliveries')
    .values(rows.map((r) => ({ event: r.event, event_key: r.eventKey, channel: r.channel, scope: r.scope, payload: r.payload, status: 'pending', attempts: 0, next_attempt_at: now, created_at: now })))
    .onConflict((oc) => oc.columns(['event_key', 'channel']).doNothing())
    .execute();
}

/**
 * Claims up to `limit` due deliveries until `leaseUntil`: pending ones whose time has come, and
 * ones a sender claimed but never finished (it died) once their lease ran out. On PostgreSQL the
 * rows are locked with SKIP LOCKED, so replicas claiming at once each get other rows.
 */
export async function claimDue(store: Store, now: string, leaseUntil: string, limit: number): Promise<NotificationDeliveryRow[]> {
  return store.transaction(async (trx) => {
    const due = trx
      .selectFrom('notification_deliveries')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<=', now)])]))
      .orderBy('id')
      .limit(limit);
    const ids = (await (store.dialect === 'postgres' ? due.forUpdate().skipLocked() : due).execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return trx
      .updateTable('notification_deliveries')
      .set((eb) => ({ status: 'sending', lease_until: leaseUntil, attempts: sql<number>`${eb.ref('attempts')} + 1` }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
}

export async function markSent(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('notification_deliveries').set({ status: 'sent', sent_at: at, lease_until: null, last_error: null }).where('id', '=', id).execute();
}

/** A failed attempt: tried again at `retryAt`, or given up (`failed`) when there is none. */
export async function markFailed(db: Db, id: number, error: string, retryAt: string | null): Promise<void> {
  await db
    .updateTable('notification_deliveries')
    .set({ status: retryAt === null ? 'failed' : 'pending', next_attempt_at: retryAt ?? undefined, lease_until: null, last_error: error.slice(0, 500) })
    .where('id', '=', id)
    .execute();
}

export function listDeliveries(db: Db, filter: { status?: string | undefined; limit: number; offset: number }): Promise<NotificationDeliveryRow[]> {
  let query = db.selectFrom('notification_deliveries').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  return query.orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
}
