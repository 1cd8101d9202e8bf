import { join } from 'node:path';
import type { Store } from '../../src/store/database.js';
import { openTestStore, POSTGRES_URL, type StoreKind } from './stores.js';

/**
 * A database the CLI can be pointed at with --db: a SQLite file in `dir`, or a PostgreSQL URL
 * whose search_path is a fresh test schema (close `store` to drop it).
 */
export async function cliDatabase(kind: StoreKind, dir: string): Promise<{ url: string; store?: Store }> {
  if (kind === 'sqlite') return { url: join(dir, 'cli.db') };
  const store = await openTestStore('postgres');
  const schema = (await store.db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s')).executeTakeFirstOrThrow()).s;
  return { url: `${POSTGRES_URL}${POSTGRES_URL?.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`, store };
}
