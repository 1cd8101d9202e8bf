import type { Kysely } from 'kysely';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.js';
import { isIdentifier, parseScope } from '../domain/scope.js';
import type { Store } from '../store/database.js';
import { decideExemption, deleteExemption, getExemption, insertExemption, targetsCoveredBy } from '../store/exemptions.js';
import type { Database, ExemptionRow } from '../store/schema.js';
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
  | { issueId: number; reason: string; comment: string; expiresAt?: string | undefined; requestedBy?: string | undefined }
  | { level: string; scope?: string | null | undefined; key: string; reason: string; comment: string; expiresAt?: string | undefined; requestedBy?: string | undefined };

const MAX_COMMENT = 4000;

/** Records a pending exemption after checking what it names; nothing is exempted until it is approved. */
export async function requestExemption(store: Store, request: ExemptionRequest, now: string): Promise<ExemptionView> {
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
    requested_by: request.requestedBy?.trim() || null,
    decided_by: null,
    expires_at: request.expiresAt === undefined ? null : new Date(request.expiresAt).toISOString(),
    created_at: now,
    decided_at: null,
  };
  if ('issueId' in request) {
    const issue = await store.db.selectFrom('issues').select(['id', 'target_id']).where('id', '=', request.issueId).executeTakeFirst();
    if (!issue) throw new NotFoundError(`No issue with id ${request.issueId}.`);
    return exemptionView(await insertExemption(store.db, { level: 'target', target_id: issue.target_id, scope: null, issue_id: issue.id, key: null, ...common }), now);
  }
  const level = request.level as ExemptionLevel;
  if (!(EXEMPTION_LEVELS as readonly string[]).includes(level) || level === 'target') {
    throw new InputError(`Invalid exemption level ${JSON.stringify(request.level)}: expected project, org or account (a target-level exemption names an issueId).`);
  }
  const key = request.key.trim();
  if (key === '') throw new InputError('An exemption at project, org or account level needs the vulnerability or rule id it covers as "key".');
  return exemptionView(await insertExemption(store.db, { level, target_id: null, scope: scopeOf(level, request.scope), issue_id: null, key, ...common }), now);
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

/** Approves or rejects a pending exemption; an approval takes the issues it covers out of the counts at once. */
export async function decide(store: Store, id: number, status: 'approved' | 'rejected', by: string | undefined, now: string, refresh: RefreshEntities): Promise<ExemptionView> {
  return store.transaction(async (trx) => {
    const exemption = await getExemption(trx, id);
    if (exemption.status !== 'pending') throw new ConflictError(`Exemption ${id} is ${exemption.status}, not pending: it cannot be ${status} again.`);
    await decideExemption(trx, id, status, by?.trim() || null, now);
    if (status === 'approved') await refreshCovered(trx, exemption, now, refresh);
    return exemptionView(await getExemption(trx, id), now);
  });
}

export async function remove(store: Store, id: number, now: string, refresh: RefreshEntities): Promise<void> {
  await store.transaction(async (trx) => {
    const exemption = await getExemption(trx, id);
    await deleteExemption(trx, id);
    if (exemption.status === 'approved') await refreshCovered(trx, exemption, now, refresh);
  });
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
