import type { Insertable, Kysely } from 'kysely';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.js';
import { isIdentifier, parseScope } from '../domain/scope.js';
import type { Store } from '../store/database.js';
import { decideExemption, deleteExemption, getExemption, insertExemption, targetsCoveredBy } from '../store/exemptions.js';
import type { Database, ExemptionRow, ExemptionTable } from '../store/schema.js';
import { EXEMPTION_LEVELS, EXEMPTION_REASONS, type ExemptionLevel, type ExemptionReason, exemptionView, type ExemptionView } from './exemptions.js';
import { entitiesShowingTarget } from './summaries.js';

type Db = Kysely<Database>;

/**
 * Recomputes what follows from entities' security state, in the caller's transaction: their
 * summaries, and whatever else Lantern wires (scorecards), as they stand at `now` (default: the
 * clock). `asOf` dates the summary history.
 */
export type RefreshEntities = (trx: Db, entityIds: readonly number[], asOf: string, now?: string) => Promise<void>;

export type ExemptionRequest =
  | { issueId: number; reason: string; comment: string; expiresAt?: string | undefined }
  | { level: string; scope?: string | null | undefined; key: string; reason: string; comment: string; expiresAt?: string | undefined };

/** Who asks or decides: a principal's id (`user:…`, `token:…`) and the name people read. */
export interface Person {
  id: string;
  name: string;
}

const MAX_COMMENT = 4000;

/** A checked request, ready to store, with the scope it lives at (for the permission check). */
export interface PreparedExemption {
  row: Insertable<ExemptionTable>;
  /** `account`, `ORG` or `ORG.PROJECT`: where the exemption applies. */
  scope: string;
}

/** Checks what a request names; nothing is stored. */
export async function prepareExemption(db: Db, request: ExemptionRequest, now: string, by: Person): Promise<PreparedExemption> {
  if (!(EXEMPTION_REASONS as readonly string[]).includes(request.reason)) {
    throw new InputError(`Invalid exemption reason ${JSON.stringify(request.reason)}: expected one of ${EXEMPTION_REASONS.join(', ')}.`);
  }
  const comment = request.comment.trim();
  if (comment === '' || comment.length > MAX_COMMENT) throw new InputError(`An exemption needs a comment of 1 to ${MAX_COMMENT} characters saying why.`);
  if (request.expiresAt !== undefined && (Number.isNaN(Date.parse(request.expiresAt)) || new Date(request.expiresAt).toISOString() <= now)) {
    throw new InputError(`Invalid expiresAt ${JSON.stringify(request.expiresAt)}: expected an ISO 8601 time in the future.`);
  }
  const common = {
    reason: request.reason as ExemptionReason,
    comment,
    status: 'pending',
    requested_by: by.name,
    requested_by_id: by.id,
    decided_by: null,
    decided_by_id: null,
    expires_at: request.expiresAt === undefined ? null : new Date(request.expiresAt).toISOString(),
    created_at: now,
    decided_at: null,
  };
  if ('issueId' in request) {
    const issue = await db
      .selectFrom('issues')
      .innerJoin('targets', 'targets.id', 'issues.target_id')
      .select(['issues.id', 'issues.target_id', 'targets.scope'])
      .where('issues.id', '=', request.issueId)
      .executeTakeFirst();
    if (!issue) throw new NotFoundError(`No issue with id ${request.issueId}.`);
    return { row: { level: 'target', target_id: issue.target_id, scope: null, issue_id: issue.id, key: null, ...common }, scope: issue.scope };
  }
  const level = request.level as ExemptionLevel;
  if (!(EXEMPTION_LEVELS as readonly string[]).includes(level) || level === 'target') {
    throw new InputError(`Invalid exemption level ${JSON.stringify(request.level)}: expected project, org or account (a target-level exemption names an issueId).`);
  }
  const key = request.key.trim();
  if (key === '') throw new InputError('An exemption at project, org or account level needs the vulnerability or rule id it covers as "key".');
  const scope = scopeOf(level, request.scope);
  return { row: { level, target_id: null, scope, issue_id: null, key, ...common }, scope: scope ?? 'account' };
}

/** Records a pending exemption after checking what it names; nothing is exempted until it is approved. */
export async function requestExemption(db: Db, request: ExemptionRequest, now: string, by: Person): Promise<ExemptionView> {
  const prepared = await prepareExemption(db, request, now, by);
  return exemptionView(await insertExemption(db, prepared.row), now);
}

function scopeOf(level: ExemptionLevel, scope: string | null | undefined): string | null {
  if (level === 'account') return null;
  if (level === 'org') {
    if (!scope || !isIdentifier(scope)) throw new InputError(`Invalid org ${JSON.stringify(scope ?? null)} for an org-level exemption: expected an org identifier.`);
    return scope;
  }
  const parsed = parseScope(scope ?? '', 'project scope');
  if (parsed.level === 'account') throw new InputError('A project-level exemption needs a project scope ORG.PROJECT.');
  return `${parsed.org}.${parsed.project}`;
}

/** Where a stored exemption applies: `account`, `ORG` or `ORG.PROJECT` (a target's scope). */
export async function exemptionScope(db: Db, exemption: ExemptionRow): Promise<string> {
  if (exemption.level === 'target') {
    const target = exemption.target_id === null ? undefined : await db.selectFrom('targets').select('scope').where('id', '=', exemption.target_id).executeTakeFirst();
    return target?.scope ?? 'account';
  }
  return exemption.scope ?? 'account';
}

/**
 * Approves or rejects a pending exemption, in the caller's transaction; an approval takes the
 * issues it covers out of the counts at once.
 */
export async function decide(db: Db, id: number, status: 'approved' | 'rejected', by: Person, now: string, refresh: RefreshEntities): Promise<ExemptionView> {
  const exemption = await getExemption(db, id);
  if (exemption.status !== 'pending') throw new ConflictError(`Exemption ${id} is ${exemption.status}, not pending: it cannot be ${status} again.`);
  await decideExemption(db, id, status, by, now);
  if (status === 'approved') await refreshCovered(db, exemption, now, refresh);
  return exemptionView(await getExemption(db, id), now);
}

/** Deletes an exemption in the caller's transaction; the issues an approved one covered count again. */
export async function remove(db: Db, id: number, now: string, refresh: RefreshEntities): Promise<ExemptionRow> {
  const exemption = await getExemption(db, id);
  await deleteExemption(db, id);
  if (exemption.status === 'approved') await refreshCovered(db, exemption, now, refresh);
  return exemption;
}

/**
 * Approved exemptions whose expiry fell in (since, now]: the issues they covered count again, so
 * the summaries of the entities they touched are computed anew.
 */
export async function sweepExpired(store: Store, since: string, now: string, refresh: RefreshEntities): Promise<number> {
  const expired = await store.db.selectFrom('exemptions').selectAll().where('status', '=', 'approved').where('expires_at', '>', since).where('expires_at', '<=', now).execute();
  if (expired.length === 0) return 0;
  await store.transaction(async (trx) => {
    for (const exemption of expired) await refreshCovered(trx, exemption, now, refresh);
  });
  return expired.length;
}

async function refreshCovered(db: Db, exemption: ExemptionRow, now: string, refresh: RefreshEntities): Promise<void> {
  const targets = await targetsCoveredBy(db, exemption);
  const entities =
    targets === null
      ? (await db.selectFrom('entity_links').select('entity_id').distinct().where('target_id', 'is not', null).execute()).map((r) => r.entity_id)
      : await entitiesShowingTarget(db, targets);
  await refresh(db, entities, now, now);
}
