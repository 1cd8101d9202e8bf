import { type AliasableExpression, type ExpressionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';
import { batches } from './batches.js';
import type { Database, EntityRow } from './schema.js';

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
 * With `read`, returns their rows, read with the lock (on SQLite, read alone): a caller that reads
 * them next saves a round trip.
 */
export async function lockEntities(db: Kysely<Database>, ids: Iterable<number>): Promise<undefined>;
export async function lockEntities(db: Kysely<Database>, ids: Iterable<number>, options: { read: true }): Promise<EntityRow[]>;
export async function lockEntities(db: Kysely<Database>, ids: Iterable<number>, options: { read?: boolean } = {}): Promise<EntityRow[] | undefined> {
  const postgres = isPostgres(db);
  if (!postgres && !options.read) return undefined;
  const rows: EntityRow[] = [];
  for (const batch of batches([...new Set(ids)].sort((a, b) => a - b))) {
    if (!options.read) {
      await db.selectFrom('entities').select('id').where('id', 'in', batch).orderBy('id').forNoKeyUpdate().execute();
      continue;
    }
    const query = db.selectFrom('entities').selectAll().where('id', 'in', batch).orderBy('id');
    rows.push(...(await (postgres ? query.forNoKeyUpdate() : query).execute()));
  }
  return options.read ? rows : undefined;
}

/**
 * Makes link resolution against new targets take turns with the writing of new links, until the
 * transaction ends (PostgreSQL; SQLite's writers are serial already). A catalog write resolves its
 * links against the targets committed when it reads them, and an ingest that creates a target
 * re-resolves the links committed when it looks for them: run at once, each would miss the other's
 * uncommitted rows, and a link would stay "not found" beside the target it names. With this lock,
 * whichever runs second sees what the first committed. It is taken only by catalog writes that
 * store links and by the first scan of a target, so ordinary ingests never wait for it.
 */
export async function lockLinkResolution(db: Kysely<Database>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`select pg_advisory_xact_lock(hashtext('lantern-link-resolution:' || current_schema()))`.execute(db);
}

/**
 * Locks targets that a catalog write is about to link entities to, until the transaction ends:
 * an ingest into one of them (which holds it shared, lockTargetShared) finishes first, or waits.
 * Otherwise the ingest would refresh the entities its target's committed links name, and the
 * write would compute its entities' summaries without the ingest's uncommitted scan: an entity
 * newly linked to the target would miss the scan for good.
 */
export async function lockTargetsForLinking(db: Kysely<Database>, ids: Iterable<number>): Promise<void> {
  if (!isPostgres(db)) return;
  for (const batch of batches([...new Set(ids)].sort((a, b) => a - b))) {
    await db.selectFrom('targets').select('id').where('id', 'in', batch).orderBy('id').forNoKeyUpdate().execute();
  }
}

/**
 * An ingest's hold on its target: ingests share it, a catalog write linking to the target waits for
 * them (lockTargetsForLinking). Returns the target's name and scope, and `also`, a value of the
 * target the caller reads in the same round trip; nothing when there is no such target.
 */
export async function lockTargetShared<T>(
  db: Kysely<Database>,
  id: number,
  also: (eb: ExpressionBuilder<Database, 'targets'>) => AliasableExpression<T>,
): Promise<{ name: string; scope: string; also: T } | undefined> {
  const query = db
    .selectFrom('targets')
    .select((eb) => ['name', 'scope', also(eb).as('also')])
    .where('id', '=', id);
  return (isPostgres(db) ? query.forShare() : query).executeTakeFirst() as Promise<{ name: string; scope: string; also: T } | undefined>;
}
