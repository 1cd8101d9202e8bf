import { type Kysely, PostgresAdapter } from 'kysely';
import { batches } from './batches.js';
import type { Database } from './schema.js';

/**
 * Row locks that make concurrent transactions on PostgreSQL take turns where they would otherwise
 * lose each other's updates. SQLite needs none: its write transactions run one at a time.
 * Rows are always locked in id order, so that two transactions never wait for each other.
 */

/** Whether the connection is PostgreSQL's. */
export function isPostgres(db: Pick<Kysely<Database>, 'getExecutor'>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Locks these entities until the transaction ends. Whatever is computed from an entity's state
 * (its summary, history and scorecard results) is read after this, so of two transactions that
 * refresh one entity the second reads what the first committed, and neither's write is lost.
 */
export async function lockEntities(db: Kysely<Database>, ids: Iterable<number>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const batch of batches([...new Set(ids)].sort((a, b) => a - b))) {
    await db.selectFrom('entities').select('id').where('id', 'in', batch).orderBy('id').forNoKeyUpdate().execute();
  }
}
