import { type Insertable, type Kysely, sql } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { ConflictError, ForbiddenError, InputError, NotFoundError } from '../domain/errors.js';
import { isIdentifier, parseScope } from '../domain/scope.js';
import type { Store } from '../store/database.js';
import { deleteExemption, getExemption, insertExemption, targetsCoveredBy, updateExemption } from '../store/exemptions.js';
import type { Database, ExemptionRow, ExemptionTable } from '../store/schema.js';
import { endSlaPause, startSlaPause } from '../store/sla-pauses.js';
import { EXEMPTION_DURATIONS, EXEMPTION_LEVELS, EXEMPTION_REASONS, type ExemptionDuration, type ExemptionLevel, type ExemptionReason, exemptionStatus, exemptionView, type ExemptionView } from './exemptions.js';
import { scopeAllowed } from '../store/scope-filter.js';
import { entitiesShowingTarget, type LockedEntities } from './summaries.js';

type Db = Kysely<Database>;

/**
 * Recomputes what follows from entities' security state, in the caller's transaction: their
 * summaries, and whatever else Lantern wires (scorecards), as they stand at `now` (default: the
 * clock). `asOf` dates the summary history.
 */
export type RefreshEntities = (trx: Db, entities: readonly number[] | LockedEntities, asOf: string, now?: string) => Promise<void>;

/**
 * What a request names: one issue (`issueId`; with `level` project, org or account, the issue's
 * vulnerability or rule id in every target of its project, org or the account), or a vulnerability
 * or rule id (`key`) at a `level` and `scope`. `comment` is the justification. The exemption lasts
 * `duration` (7, 30 or 90 days, or `none`, which only a false positive may use) or until
 * `expiresAt`; without either, 90 days (a false positive: no expiry).
 */
export interface ExemptionRequest {
  issueId?: number | undefined;
  level?: string | undefined;
  scope?: string | null | undefined;
  key?: string | undefined;
  reason: string;
  comment: string;
  link?: string | undefined;
  duration?: string | undefined;
  expiresAt?: string | undefined;
}

/** Who asks or decides: a principal's id (`user:…`, `token:…`) and the name people read. */
export interface Person {
  id: string;
  name: string;
}

export const MAX_COMMENT = 4000;
const MAX_LINK = 2000;
const DEFAULT_DURATION: ExemptionDuration = '90d';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A checked request, ready to store, with the scope it lives at (for the permission check). */
export interface PreparedExemption {
  row: Insertable<ExemptionTable>;
  /** `account`, `ORG` or `ORG.PROJECT`: where the exemption applies. */
  scope: string;
  /** Where what it names lives (the issue's target, else `scope`): a caller who cannot read it is told it does not exist. */
  seenAt: string;
}

/** What an exemption covers, without who asked or why. */
type Coverage = Pick<Insertable<ExemptionTable>, 'level' | 'target_id' | 'scope' | 'issue_id' | 'key' | 'source_issue_id'>;

function checkReason(reason: string): ExemptionReason {
  if (!(EXEMPTION_REASONS as readonly string[]).includes(reason)) {
    throw new InputError(`Invalid exemption reason ${JSON.stringify(reason)}: expected one of ${EXEMPTION_REASONS.join(', ')}.`);
  }
  return reason as ExemptionReason;
}

/** A trimmed comment of 1 to MAX_COMMENT characters, else an error naming `what`. */
export function checkComment(comment: string, what: string): string {
  const trimmed = comment.trim();
  if (trimmed === '' || trimmed.length > MAX_COMMENT) throw new InputError(`${what} needs 1 to ${MAX_COMMENT} characters.`);
  return trimmed;
}

function checkLink(link: string | undefined): string | null {
  if (link === undefined || link.trim() === '') return null;
  const text = link.trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > MAX_LINK) {
    throw new InputError(`Invalid link ${JSON.stringify(text.slice(0, 200))}: expected an http or https URL of at most ${MAX_LINK} characters.`);
  }
  return url.href;
}

/**
 * When an exemption stops applying: `expiresAt`, or `duration` from `now`; without either, the
 * default for the reason. `none` is for false positives only: a risk is accepted for a while.
 */
export function expiryOf(reason: ExemptionReason, change: { duration?: string | undefined; expiresAt?: string | undefined }, now: string): string | null {
  if (change.duration !== undefined && change.expiresAt !== undefined) throw new InputError('Give either duration or expiresAt (a custom end), not both.');
  if (change.expiresAt !== undefined) {
    if (Number.isNaN(Date.parse(change.expiresAt)) || new Date(change.expiresAt).toISOString() <= now) {
      throw new InputError(`Invalid expiresAt ${JSON.stringify(change.expiresAt)}: expected an ISO 8601 time in the future.`);
    }
    return new Date(change.expiresAt).toISOString();
  }
  const duration = change.duration ?? (reason === 'false_positive' ? 'none' : DEFAULT_DURATION);
  if (!Object.hasOwn(EXEMPTION_DURATIONS, duration)) {
    throw new InputError(`Invalid duration ${JSON.stringify(duration)}: expected ${Object.keys(EXEMPTION_DURATIONS).join(', ')}, or expiresAt for a custom end.`);
  }
  const days = EXEMPTION_DURATIONS[duration as ExemptionDuration];
  if (days === null) {
    if (reason !== 'false_positive') throw new InputError(`Only a false_positive exemption may have no expiry (duration none); a ${reason} one needs 7d, 30d, 90d or expiresAt.`);
    return null;
  }
  return new Date(Date.parse(now) + days * DAY_MS).toISOString();
}

/** Checks what a request names; nothing is stored. */
export async function prepareExemption(db: Db, request: ExemptionRequest, now: string, by: Person): Promise<PreparedExemption> {
  const reason = checkReason(request.reason);
  const comment = checkComment(request.comment, 'An exemption\'s justification (comment)');
  const link = checkLink(request.link);
  const expires_at = expiryOf(reason, request, now);
  const { coverage, scope, seenAt } = await coverageOf(db, request);
  const row: Insertable<ExemptionTable> = {
    ...coverage,
    reason,
    comment,
    link,
    status: 'pending',
    requested_by: by.name,
    requested_by_id: by.id,
    decided_by: null,
    decided_by_id: null,
    decision_comment: null,
    reopened_from: null,
    expires_at,
    created_at: now,
    decided_at: null,
  };
  return { row, scope, seenAt };
}

/** What a request covers, where that applies (`account`, `ORG` or `ORG.PROJECT`) and where what it names lives. */
async function coverageOf(db: Db, request: Pick<ExemptionRequest, 'issueId' | 'level' | 'scope' | 'key'>): Promise<{ coverage: Coverage; scope: string; seenAt: string }> {
  if (request.level !== undefined && !(EXEMPTION_LEVELS as readonly string[]).includes(request.level)) {
    throw new InputError(`Invalid exemption level ${JSON.stringify(request.level)}: expected ${EXEMPTION_LEVELS.join(', ')}.`);
  }
  const level = request.level as ExemptionLevel | undefined;
  if (request.issueId !== undefined) {
    if (request.key !== undefined || (request.scope !== undefined && request.scope !== null)) {
      throw new InputError('An exemption of an issue takes its key and scope from the issue: give issueId and level, without key or scope.');
    }
    const issue = await db
      .selectFrom('issues')
      .innerJoin('targets', 'targets.id', 'issues.target_id')
      .select(['issues.id', 'issues.target_id', 'issues.vulnerability_id', 'issues.rule_id', 'targets.scope'])
      .where('issues.id', '=', request.issueId)
      .executeTakeFirst();
    if (!issue) throw new NotFoundError(`No issue with id ${request.issueId}.`);
    if (level === undefined || level === 'target') {
      return { coverage: { level: 'target', target_id: issue.target_id, scope: null, issue_id: issue.id, key: null, source_issue_id: null }, scope: issue.scope, seenAt: issue.scope };
    }
    const key = issue.vulnerability_id ?? issue.rule_id;
    if (key === null) throw new InputError(`Issue ${issue.id} has no vulnerability or rule id, so only the issue itself (level target) can be exempted.`);
    if (level !== 'account' && issue.scope === 'account') throw new InputError(`Issue ${issue.id} belongs to an account-level target, which has no ${level}: exempt it at level target or account.`);
    const scope = level === 'account' ? null : level === 'org' ? (issue.scope.split('.')[0] as string) : issue.scope;
    return { coverage: { level, target_id: null, scope, issue_id: null, key, source_issue_id: issue.id }, scope: scope ?? 'account', seenAt: issue.scope };
  }
  if (level === undefined || level === 'target') {
    throw new InputError(`Invalid exemption level ${JSON.stringify(request.level ?? null)}: expected project, org or account with a key (a target-level exemption names an issueId).`);
  }
  const key = (request.key ?? '').trim();
  if (key === '' || key.length > 500) throw new InputError('An exemption at project, org or account level needs the vulnerability or rule id it covers as "key" (1 to 500 characters).');
  const scope = scopeOf(level, request.scope);
  return { coverage: { level, target_id: null, scope, issue_id: null, key, source_issue_id: null }, scope: scope ?? 'account', seenAt: scope ?? 'account' };
}

/** Records a pending exemption after checking what it names; nothing is exempted until it is approved. */
export async function requestExemption(db: Db, request: ExemptionRequest, now: string, by: Person): Promise<ExemptionView> {
  const prepared = await prepareExemption(db, request, now, by);
  return exemptionView(await insertExemption(db, prepared.row), now);
}

/** What approving an exemption would hide now: "hides 14 issues in 6 targets of acme.pay". */
export interface ExemptionEffect {
  issues: number;
  targets: number;
  /** Where it applies: `account`, `ORG` or `ORG.PROJECT`. */
  scope: string;
  text: string;
}

/**
 * Counts the issues a request would cover among those some scan currently reports (each scanner's
 * latest scan of every variant), in the targets `readable` lets the caller see.
 */
export async function exemptionEffect(db: Db, request: Pick<ExemptionRequest, 'issueId' | 'level' | 'scope' | 'key'>, readable: ScopeFilter): Promise<{ effect: ExemptionEffect; seenAt: string }> {
  const { coverage, scope, seenAt } = await coverageOf(db, request);
  let query = db
    .selectFrom('issues')
    .innerJoin('scan_issues', 'scan_issues.issue_id', 'issues.id')
    .innerJoin('targets', 'targets.id', 'issues.target_id')
    .select(['issues.id', 'issues.target_id'])
    .distinct()
    .where('scan_issues.scan_id', 'in', (eb) => eb.selectFrom('scans').select((s) => s.fn.max('scans.id').as('id')).groupBy(['scans.variant_id', 'scans.scanner']))
    .where((eb) => scopeAllowed(eb, 'targets.scope', readable));
  if (coverage.issue_id !== null && coverage.issue_id !== undefined) {
    query = query.where('issues.id', '=', coverage.issue_id);
  } else {
    const key = (coverage.key ?? '').toLowerCase();
    query = query.where((eb) => eb.or([eb(sql`lower(issues.vulnerability_id)`, '=', key), eb(sql`lower(issues.rule_id)`, '=', key)]));
    if (coverage.level === 'project') query = query.where('targets.scope', '=', scope);
    if (coverage.level === 'org') query = query.where((eb) => scopeAllowed(eb, 'targets.scope', { all: false, orgs: [scope], projects: [] }));
  }
  const rows = await query.execute();
  const issues = rows.length;
  const targets = new Set(rows.map((r) => r.target_id)).size;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const text = `hides ${plural(issues, 'issue')} in ${plural(targets, 'target')} ${scope === 'account' ? 'of the account' : `of ${scope}`}`;
  return { effect: { issues, targets, scope, text }, seenAt };
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
 * What a decider may change when approving: the level (widening an issue to its project, org or
 * the account, or narrowing back), the scope of a key-based exemption, and how long it lasts
 * (from the approval). `comment` goes with any decision.
 */
export interface DecisionChange {
  comment?: string | undefined;
  level?: string | undefined;
  scope?: string | null | undefined;
  duration?: string | undefined;
  expiresAt?: string | undefined;
}

/** A decision, checked: the comment, and for an approval with changes what the exemption becomes. */
export interface PreparedDecision {
  comment: string | null;
  revised: { coverage: Coverage; scope: string; expires_at: string | null } | null;
}

/** Checks a decision on a pending exemption; nothing is stored. */
export async function prepareDecision(db: Db, exemption: ExemptionRow, status: 'approved' | 'rejected', change: DecisionChange, now: string): Promise<PreparedDecision> {
  requirePending(exemption, status);
  const comment = change.comment === undefined || change.comment.trim() === '' ? null : checkComment(change.comment, 'A decision\'s comment');
  const changesCoverage = change.level !== undefined || change.scope !== undefined;
  const changesExpiry = change.duration !== undefined || change.expiresAt !== undefined;
  if (!changesCoverage && !changesExpiry) return { comment, revised: null };
  if (status === 'rejected') throw new InputError('A rejection takes only a comment: level, scope, duration and expiresAt change what an approval grants.');
  let coverage: Coverage = { level: exemption.level, target_id: exemption.target_id, scope: exemption.scope, issue_id: exemption.issue_id, key: exemption.key, source_issue_id: exemption.source_issue_id };
  let scope = await exemptionScope(db, exemption);
  if (changesCoverage) {
    const origin = exemption.issue_id ?? exemption.source_issue_id;
    const level = change.level ?? exemption.level;
    if (origin !== null && change.scope === undefined) {
      ({ coverage, scope } = await coverageOf(db, { issueId: origin, level }));
    } else if (origin !== null && exemption.key === null) {
      throw new InputError(`Exemption ${exemption.id} was asked for issue ${origin}: its scope follows from the issue's target, so change its level, not its scope.`);
    } else {
      ({ coverage, scope } = await coverageOf(db, { level, scope: change.scope === undefined ? exemption.scope : change.scope, key: exemption.key ?? undefined }));
      coverage.source_issue_id = exemption.source_issue_id;
    }
  }
  const expires_at = changesExpiry ? expiryOf(exemption.reason as ExemptionReason, change, now) : exemption.expires_at;
  return { comment, revised: { coverage, scope, expires_at } };
}

/**
 * Approves or rejects a pending exemption, as prepared (by default: as requested), in the caller's
 * transaction; an approval takes the issues it covers out of the counts at once.
 */
export async function decide(
  db: Db,
  id: number,
  status: 'approved' | 'rejected',
  by: Person,
  now: string,
  refresh: RefreshEntities,
  decision: PreparedDecision = { comment: null, revised: null },
): Promise<ExemptionView> {
  requirePending(await getExemption(db, id), status);
  await updateExemption(db, id, {
    status,
    decided_by: by.name,
    decided_by_id: by.id,
    decided_at: now,
    decision_comment: decision.comment,
    ...(decision.revised ? { ...decision.revised.coverage, expires_at: decision.revised.expires_at } : {}),
  });
  const decided = await getExemption(db, id);
  if (status === 'approved') {
    await startSlaPause(db, decided);
    await refreshCovered(db, decided, now, refresh);
  }
  return exemptionView(decided, now);
}

function requirePending(exemption: ExemptionRow, status: 'approved' | 'rejected'): void {
  if (exemption.status !== 'pending') throw new ConflictError(`Exemption ${exemption.id} is ${exemption.status}, not pending: it cannot be ${status} again.`);
}

/** The requester withdraws a pending request, in the caller's transaction. */
export async function cancel(db: Db, exemption: ExemptionRow, by: Person, comment: string | undefined, now: string): Promise<ExemptionView> {
  if (exemption.status !== 'pending') throw new ConflictError(`Exemption ${exemption.id} is ${exemptionStatus(exemption, now)}, not pending: only a pending request can be cancelled.`);
  if (exemption.requested_by_id !== by.id) throw new ForbiddenError(`${by.name} may not cancel exemption ${exemption.id}: only whoever requested it (${exemption.requested_by ?? 'unknown'}) may; a decider rejects it instead.`);
  const text = comment === undefined || comment.trim() === '' ? null : checkComment(comment, 'A cancellation\'s comment');
  await updateExemption(db, exemption.id, { status: 'cancelled', decided_by: by.name, decided_by_id: by.id, decided_at: now, decision_comment: text });
  return exemptionView(await getExemption(db, exemption.id), now);
}

/** What a re-opened request may say anew; the rest is copied from the one it re-opens. */
export type ReopenChange = Partial<Pick<ExemptionRequest, 'reason' | 'comment' | 'link' | 'duration' | 'expiresAt'>>;

/**
 * A new pending request covering what a rejected, expired or cancelled one covered, asked by `by`
 * (checked, not stored), with the scope it lives at.
 */
export async function prepareReopen(db: Db, exemption: ExemptionRow, change: ReopenChange, by: Person, now: string): Promise<PreparedExemption> {
  const status = exemptionStatus(exemption, now);
  if (status !== 'rejected' && status !== 'expired' && status !== 'cancelled') {
    throw new ConflictError(`Exemption ${exemption.id} is ${status}: only a rejected, expired or cancelled one can be re-opened as a new request.`);
  }
  const coverage: Pick<ExemptionRequest, 'issueId' | 'level' | 'scope' | 'key'> =
    exemption.issue_id !== null
      ? { issueId: exemption.issue_id }
      : exemption.source_issue_id !== null
        ? { issueId: exemption.source_issue_id, level: exemption.level }
        : { level: exemption.level, scope: exemption.scope, key: exemption.key ?? undefined };
  const prepared = await prepareExemption(
    db,
    { ...coverage, reason: change.reason ?? exemption.reason, comment: change.comment ?? exemption.comment, link: change.link ?? exemption.link ?? undefined, duration: change.duration, expiresAt: change.expiresAt },
    now,
    by,
  );
  return { ...prepared, row: { ...prepared.row, reopened_from: exemption.id } };
}

/**
 * Deletes an exemption in the caller's transaction; the issues an approved one covered count again.
 * The days it paused their SLA clocks, up to now, stay paused.
 */
export async function remove(db: Db, id: number, now: string, refresh: RefreshEntities): Promise<ExemptionRow> {
  const exemption = await getExemption(db, id);
  await deleteExemption(db, id);
  if (exemption.status === 'approved') {
    await endSlaPause(db, id, now);
    await refreshCovered(db, exemption, now, refresh);
  }
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
