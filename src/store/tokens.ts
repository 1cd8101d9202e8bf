import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import type { ApiTokenTable, Database } from './schema.js';

type Db = Kysely<Database>;
export type ApiTokenRow = Selectable<ApiTokenTable>;

export async function insertToken(db: Db, row: Omit<ApiTokenRow, 'id' | 'last_used_at' | 'revoked_at'>): Promise<ApiTokenRow> {
  return db.insertInto('api_tokens').values({ ...row, last_used_at: null, revoked_at: null }).returningAll().executeTakeFirstOrThrow();
}

export function tokenByKey(db: Db, key: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function tokenById(db: Db, id: number): Promise<ApiTokenRow> {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`No API token with id ${id}.`);
  return row;
}

export function listTokens(db: Db): Promise<ApiTokenRow[]> {
  return db.selectFrom('api_tokens').selectAll().orderBy('id').execute();
}

export async function countTokens(db: Db): Promise<number> {
  const row = await db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function revokeToken(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

export async function touchToken(db: Db, id: number, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}
