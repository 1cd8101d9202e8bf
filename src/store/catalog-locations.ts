import type { Kysely } from 'kysely';
import type { Store } from './database.js';
import type { Database, LocationRow } from './schema.js';

type Db = Kysely<Database>;

export function findLocation(db: Db, id: number): Promise<LocationRow | undefined> {
  return db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findLocationByTarget(db: Db, target: string): Promise<LocationRow | undefined> {
  return db.selectFrom('locations').selectAll().where('target', '=', target).executeTakeFirst();
}

/**
 * The location, locked until the transaction ends on PostgreSQL, so that two servers refreshing
 * it at once take turns (SQLite transactions already do).
 */
export function lockLocation(store: Store, db: Db, id: number): Promise<LocationRow | undefined> {
  let query = db.selectFrom('locations').selectAll().where('id', '=', id);
  if (store.dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function countLocations(db: Db): Promise<number> {
  const row = await db.selectFrom('locations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface LocationListing extends LocationRow {
  entities: number;
}

/** Every location with how many entities it holds, in registration order. */
export async function listLocations(db: Db): Promise<LocationListing[]> {
  const rows = await db
    .selectFrom('locations')
    .selectAll('locations')
    .select((eb) => eb.selectFrom('entities').whereRef('entities.location_id', '=', 'locations.id').select((e) => e.fn.countAll<number>().as('n')).as('entities'))
    .orderBy('locations.id')
    .execute();
  return rows.map((r) => ({ ...r, entities: Number(r.entities ?? 0) }));
}

export async function insertLocation(db: Db, target: string, scope: string, now: string): Promise<LocationRow> {
  return db
    .insertInto('locations')
    .values({ target, scope, status: 'ok', last_error: null, last_read_at: null, problems: '[]', created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface LocationRead {
  status: 'ok' | 'error';
  lastError: string | null;
  problems: string;
  readAt: string;
}

export async function recordLocationRead(db: Db, id: number, read: LocationRead): Promise<void> {
  await db
    .updateTable('locations')
    .set({ status: read.status, last_error: read.lastError, problems: read.problems, last_read_at: read.readAt })
    .where('id', '=', id)
    .execute();
}

/** Removes a location that no longer holds entities. */
export async function deleteLocation(db: Db, id: number): Promise<void> {
  await db.deleteFrom('locations').where('id', '=', id).execute();
}
