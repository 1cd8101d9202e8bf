import type { Insertable, Kysely, Updateable } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import { IN_LIST_BATCH } from './batches.js';
import { scopeAllowed } from './scope-filter.js';
import type { Database, ExemptionRow, ExemptionTable } from './schema.js';

type Db = Kysely<Database>;

export async function insertExemption(db: Db, row: Insertable<ExemptionTable>): Promise<ExemptionRow> {
  return db.insertInto('exemptions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getExemption(db: Db, id: number): Promise<ExemptionRow> {
  const row = await db.selectFrom('exemptions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`No exemption with id ${id}.`);
  return row;
}

export async function updateExemption(db: Db, id: number, values: Updateable<ExemptionTable>): Promise<void> {
  await db.updateTable('exemptions').set(values).where('id', '=', id).execute();
}

export async function deleteExemption(db: Db, id: number): Promise<void> {
  await db.deleteFrom('exemptions').where('id', '=', id).execute();
}

export interface ExemptionFilter {
  status?: string | undefined;
  targetId?: number | undefined;
  reason?: string | undefined;
  level?: string | undefined;
  /** A requester's principal id (`user:…`, `token:…`) or the name people read. */
  requester?: string | undefined;
}

export type ExemptionListRow = ExemptionRow & { target_scope: string | null; target_name: string | null; issue_title: string | null };

/**
 * Exemptions, newest first, each with its target's scope and name (target level) for scope checks
 * and display, and the title of the issue it was asked for.
 */
export function listExemptions(db: Db, filter: ExemptionFilter = {}): Promise<ExemptionListRow[]> {
  let query = listingQuery(db);
  if (filter.status) query = query.where('exemptions.status', '=', filter.status);
  if (filter.targetId !== undefined) query = query.where('exemptions.target_id', '=', filter.targetId);
  if (filter.reason) query = query.where('exemptions.reason', '=', filter.reason);
  if (filter.level) query = query.where('exemptions.level', '=', filter.level);
  const requester = filter.requester;
  if (requester) query = query.where((eb) => eb.or([eb('exemptions.requested_by_id', '=', requester), eb('exemptions.requested_by', '=', requester)]));
  return query.orderBy('exemptions.id', 'desc').execute();
}

export function getExemptionListing(db: Db, id: number): Promise<ExemptionListRow | undefined> {
  return listingQuery(db).where('exemptions.id', '=', id).executeTakeFirst();
}

function listingQuery(db: Db) {
  return db
    .selectFrom('exemptions')
    .leftJoin('targets', 'targets.id', 'exemptions.target_id')
    .leftJoin('issues', (join) => join.on((eb) => eb('issues.id', '=', eb.fn.coalesce('exemptions.issue_id', 'exemptions.source_issue_id'))))
    .selectAll('exemptions')
    .select(['targets.scope as target_scope', 'targets.name as target_name', 'issues.title as issue_title']);
}

/**
 * The approved exemptions that can cover issues of these targets: their own target-level ones and
 * every wider one (project, org, account); whether each applies is decided per issue
 * (insights/exemptions.ts). Expiry is checked there too, against the reader's clock.
 */
export async function approvedExemptionsFor(db: Db, targetIds: readonly number[]): Promise<ExemptionRow[]> {
  // Exemptions are few: past one IN list of targets, reading every approved one is the cheaper query.
  if (targetIds.length > IN_LIST_BATCH) {
    const all = await db.selectFrom('exemptions').selectAll().where('status', '=', 'approved').execute();
    const wanted = new Set(targetIds);
    return all.filter((e) => e.level !== 'target' || (e.target_id !== null && wanted.has(e.target_id)));
  }
  return db
    .selectFrom('exemptions')
    .selectAll()
    .where('status', '=', 'approved')
    .where((eb) => eb.or([eb('level', '<>', 'target'), ...(targetIds.length > 0 ? [eb('target_id', 'in', targetIds)] : [])]))
    .execute();
}

/** Targets an exemption can touch: its target, or every target in its scope (null: all). */
export async function targetsCoveredBy(db: Db, exemption: ExemptionRow): Promise<number[] | null> {
  if (exemption.level === 'target') return exemption.target_id === null ? [] : [exemption.target_id];
  if (exemption.level === 'account') return null;
  const scope = exemption.scope ?? '';
  let query = db.selectFrom('targets').select('id');
  query = exemption.level === 'project' ? query.where('scope', '=', scope) : query.where((eb) => scopeAllowed(eb, 'scope', { all: false, orgs: [scope], projects: [] }));
  return (await query.execute()).map((r) => r.id);
}
