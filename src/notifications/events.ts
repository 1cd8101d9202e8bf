import type { Kysely } from 'kysely';
import { severityFromRank } from '../domain/severity.js';
import { exploitationOf } from '../insights/exploitation.js';
import { coveringExemption } from '../insights/exemptions.js';
import type { StartedFailing } from '../scorecards/evaluate.js';
import { batches } from '../store/batches.js';
import { approvedExemptionsFor } from '../store/exemptions.js';
import type { Database, ExemptionRow } from '../store/schema.js';
import { approverEmails, type Contacts, mergeContacts, ownerContacts, personEmails } from './audience.js';
import type { MessageEntity, NotificationMessage } from './notification.js';

type Db = Kysely<Database>;

const DAY_MS = 24 * 60 * 60 * 1000;
/** An approved exemption is announced as expiring this long before it ends. */
export const EXPIRING_WITHIN_DAYS = 7;

interface EntityRow {
  id: number;
  ref: string;
  kind: string;
  owner_ref: string | null;
  scope: string;
}

/** The entities, each with what a message names of it, and the contacts of all their owners. */
async function aboutEntities(db: Db, entities: readonly EntityRow[]): Promise<{ entities: MessageEntity[]; contacts: Contacts }> {
  const owners = await ownerContacts(db, entities.map((e) => e.owner_ref).filter((r): r is string => r !== null));
  return {
    entities: entities.map((e) => ({ ref: e.ref, kind: e.kind, owner: e.owner_ref })),
    contacts: mergeContacts(entities.map((e) => (e.owner_ref === null ? undefined : owners.get(e.owner_ref.toLowerCase())))),
  };
}

/**
 * `issue.new`: after an ingest, one message per entity showing the scanned variant and per issue
 * the scan found new (against the comparison scan) that is critical or known exploited (in the
 * imported KEV catalog), unless an approved exemption covers it. A first scan sets the starting
 * point and announces nothing: every issue in it would be "new".
 */
export async function newIssueMessages(db: Db, scanId: number, at: string): Promise<NotificationMessage[]> {
  const scan = await db
    .selectFrom('scans')
    .innerJoin('targets', 'targets.id', 'scans.target_id')
    .innerJoin('variants', 'variants.id', 'scans.variant_id')
    .select(['scans.target_id', 'scans.variant_id', 'scans.compared_scan_id', 'scans.scanner', 'targets.name as target', 'targets.scope', 'variants.name as variant'])
    .where('scans.id', '=', scanId)
    .executeTakeFirst();
  if (!scan || scan.compared_scan_id === null) return [];
  const shown = await db
    .selectFrom('entity_links')
    .innerJoin('entities', 'entities.id', 'entity_links.entity_id')
    .select(['entities.id', 'entities.ref', 'entities.kind', 'entities.owner_ref', 'entities.scope'])
    .distinct()
    .where('entity_links.target_id', '=', scan.target_id)
    .where('entity_links.variant_id', '=', scan.variant_id)
    .where('entity_links.matched', '=', 1)
    .orderBy('entities.id')
    .execute();
  if (shown.length === 0) return [];
  const fresh = await db
    .selectFrom('scan_issues')
    .innerJoin('issues', 'issues.id', 'scan_issues.issue_id')
    .select(['issues.id', 'issues.title', 'issues.vulnerability_id', 'issues.rule_id', 'issues.package', 'issues.installed_version', 'issues.fixed_version', 'scan_issues.severity'])
    .where('scan_issues.scan_id', '=', scanId)
    .where('scan_issues.is_new', '=', 1)
    .orderBy('issues.id')
    .execute();
  const exploitation = await exploitationOf(db, fresh.map((i) => ({ id: i.id, vulnerabilityId: i.vulnerability_id })));
  const exemptions = await approvedExemptionsFor(db, [scan.target_id]);
  const urgent = fresh.filter(
    (i) =>
      (i.severity === 4 || exploitation.get(i.id)?.kev.state === 'listed') &&
      !coveringExemption({ id: i.id, targetId: scan.target_id, targetScope: scan.scope, vulnerabilityId: i.vulnerability_id, ruleId: i.rule_id }, exemptions, at),
  );
  if (urgent.length === 0) return [];
  const messages: NotificationMessage[] = [];
  for (const entity of shown) {
    const { entities, contacts } = await aboutEntities(db, [entity]);
    for (const issue of urgent) {
      const severity = severityFromRank(issue.severity);
      const kev = exploitation.get(issue.id)?.kev;
      const exploited = kev?.state === 'listed';
      const label = [severity === 'critical' ? 'critical' : undefined, exploited ? 'known-exploited' : undefined].filter(Boolean).join(', ');
      const subject = issue.vulnerability_id && issue.package ? `${issue.vulnerability_id} in ${issue.package}${issue.installed_version ? ` ${issue.installed_version}` : ''}` : issue.title;
      messages.push({
        event: 'issue.new',
        key: `issue.new:${entity.ref.toLowerCase()}:${issue.id}`,
        scope: entity.scope,
        at,
        title: `New ${label} issue on ${entity.ref}: ${issue.vulnerability_id ?? issue.rule_id ?? issue.title}`,
        text: `New ${label} issue on ${entity.ref}: ${subject} (${severity}), found by ${scan.scanner} in ${scan.target} (${scan.variant})${issue.fixed_version ? `; fixed in ${issue.fixed_version}` : ''}.`,
        severity,
        entities,
        recipients: contacts,
        data: {
          issue: { id: issue.id, title: issue.title, vulnerabilityId: issue.vulnerability_id, ruleId: issue.rule_id, package: issue.package, installedVersion: issue.installed_version, fixedVersion: issue.fixed_version, severity, knownExploited: exploited, kevDateAdded: kev?.dateAdded ?? null },
          target: { id: scan.target_id, name: scan.target, scope: scan.scope, variant: scan.variant },
          scanId,
          audience: `owner of ${entity.ref}`,
        },
      });
    }
  }
  return messages;
}

/**
 * `scan.stale`: entities whose newest scan (of what they show: baselines unless a link names a
 * variant) is older than `days`, and became so after `since`. Keyed by that scan's time, so a new
 * scan that goes stale again is announced again.
 */
export async function staleScanMessages(db: Db, days: number, since: string, at: string): Promise<NotificationMessage[]> {
  const cutoff = new Date(Date.parse(at) - days * DAY_MS).toISOString();
  const from = new Date(Date.parse(since) - days * DAY_MS).toISOString();
  const rows = await db
    .selectFrom('entity_summaries')
    .innerJoin('entities', 'entities.id', 'entity_summaries.entity_id')
    .select(['entities.id', 'entities.ref', 'entities.kind', 'entities.owner_ref', 'entities.scope', 'entity_summaries.last_scan_at'])
    .where('entity_summaries.has_data', '=', 1)
    .where('entity_summaries.last_scan_at', '<=', cutoff)
    .where('entity_summaries.last_scan_at', '>', from)
    .orderBy('entities.id')
    .execute();
  const owners = await ownerContacts(db, rows.map((r) => r.owner_ref).filter((r): r is string => r !== null));
  return rows.map((row) => {
    const lastScanAt = row.last_scan_at as string;
    const stale = Math.floor((Date.parse(at) - Date.parse(lastScanAt)) / DAY_MS);
    return {
      event: 'scan.stale',
      key: `scan.stale:${row.ref.toLowerCase()}:${lastScanAt}`,
      scope: row.scope,
      at,
      title: `No scan of ${row.ref} for ${stale} days`,
      text: `No scan of ${row.ref} for ${stale} days (the last one ran at ${lastScanAt}; scans go stale after ${days} days).`,
      entities: [{ ref: row.ref, kind: row.kind, owner: row.owner_ref }],
      recipients: mergeContacts([row.owner_ref === null ? undefined : owners.get(row.owner_ref.toLowerCase())]),
      data: { lastScanAt, days: stale, staleAfterDays: days, audience: `owner of ${row.ref}` },
    };
  });
}

/**
 * `exemption.expiring`: approved exemptions that end within 7 days, once each, for the requester
 * and the approvers of their scope. `scopeOf` says where each applies.
 */
export async function expiringMessages(db: Db, at: string, scopeOf: (exemption: ExemptionRow) => Promise<string>): Promise<NotificationMessage[]> {
  const horizon = new Date(Date.parse(at) + EXPIRING_WITHIN_DAYS * DAY_MS).toISOString();
  const rows = await db.selectFrom('exemptions').selectAll().where('status', '=', 'approved').where('expires_at', '>', at).where('expires_at', '<=', horizon).orderBy('id').execute();
  const keys = rows.map((r) => `exemption.expiring:${r.id}`);
  const queued = new Set<string>();
  for (const batch of batches(keys)) for (const r of await db.selectFrom('notification_deliveries').select('event_key').distinct().where('event_key', 'in', batch).execute()) queued.add(r.event_key);
  const messages: NotificationMessage[] = [];
  for (const row of rows.filter((r) => !queued.has(`exemption.expiring:${r.id}`))) {
    const scope = await scopeOf(row);
    const expiresAt = row.expires_at as string;
    const subject = row.issue_id !== null ? `issue ${row.issue_id}` : `${row.key ?? ''} at ${scope}`;
    const emails = [...new Set([...(await personEmails(db, [row.requested_by_id])), ...(await approverEmails(db, scope))])];
    messages.push({
      event: 'exemption.expiring',
      key: `exemption.expiring:${row.id}`,
      scope,
      at,
      title: `Exemption ${row.id} (${subject}) expires ${expiresAt.slice(0, 10)}`,
      text: `The exemption (${row.reason}) of ${subject} that ${row.requested_by ?? 'someone'} requested and ${row.decided_by ?? 'someone'} approved expires at ${expiresAt}; re-open it to ask again, or fix what it covers.`,
      recipients: { emails, channels: [] },
      data: { exemption: { id: row.id, level: row.level, scope: row.scope, issueId: row.issue_id, key: row.key, reason: row.reason, requestedBy: row.requested_by, decidedBy: row.decided_by, expiresAt }, audience: `requester ${row.requested_by ?? ''} and approvers of ${scope}` },
    });
  }
  return messages;
}

/** `scorecard.check-failing`: one message per check that passed on an entity and fails now. */
export async function failingCheckMessages(db: Db, changes: readonly StartedFailing[], at: string): Promise<NotificationMessage[]> {
  if (changes.length === 0) return [];
  const ids = [...new Set(changes.map((c) => c.entityId))];
  const rows = new Map<number, EntityRow>();
  for (const batch of batches(ids)) for (const row of await db.selectFrom('entities').select(['id', 'ref', 'kind', 'owner_ref', 'scope']).where('id', 'in', batch).execute()) rows.set(row.id, row);
  const owners = await ownerContacts(db, [...rows.values()].map((r) => r.owner_ref).filter((r): r is string => r !== null));
  return changes.flatMap((change) => {
    const entity = rows.get(change.entityId);
    if (!entity) return [];
    const check = change.scorecard.checks.find((c) => c.id === change.checkId);
    const checkName = check?.name ?? change.checkId;
    return [
      {
        event: 'scorecard.check-failing' as const,
        key: `scorecard.check-failing:${change.scorecard.id}:${change.checkId}:${entity.ref.toLowerCase()}:${change.passedAt}`,
        scope: entity.scope,
        at,
        title: `${entity.ref} fails "${checkName}" (${change.scorecard.name})`,
        text: `${entity.ref} now fails the check "${checkName}" of the scorecard ${change.scorecard.name}; it passed until ${change.passedAt}.`,
        entities: [{ ref: entity.ref, kind: entity.kind, owner: entity.owner_ref }],
        recipients: mergeContacts([entity.owner_ref === null ? undefined : owners.get(entity.owner_ref.toLowerCase())]),
        data: { scorecard: { id: change.scorecard.id, name: change.scorecard.name }, check: { id: change.checkId, name: checkName }, passedAt: change.passedAt, audience: `owner of ${entity.ref}` },
      },
    ];
  });
}
