import type { Kysely } from 'kysely';
import type { GrantRule } from '../access/sign-in-grants.js';
import { type Severity, severityFromRank } from '../domain/severity.js';
import { cvesOf, exploitationOf, type KevMatch } from '../insights/exploitation.js';
import { coveringExemption } from '../insights/exemptions.js';
import type { StartedFailing } from '../scorecards/evaluate.js';
import { batches, inValues } from '../store/batches.js';
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
      const facts = issueFacts(issue, severity, kev);
      const label = [severity === 'critical' ? 'critical' : undefined, exploited ? 'known-exploited' : undefined].filter(Boolean).join(', ');
      messages.push({
        event: 'issue.new',
        key: `issue.new:${entity.ref.toLowerCase()}:${issue.id}`,
        scope: entity.scope,
        at,
        title: `New ${label} issue on ${entity.ref}: ${facts.id}`,
        text: `New ${label} issue on ${entity.ref}: ${facts.subject} (${severity}), found by ${scan.scanner} in ${scan.target} (${scan.variant})${issue.fixed_version ? `; fixed in ${issue.fixed_version}` : ''}.`,
        severity,
        entities,
        recipients: contacts,
        data: {
          issue: facts.data,
          target: { id: scan.target_id, name: scan.target, scope: scan.scope, variant: scan.variant },
          scanId,
          audience: `owner of ${entity.ref}`,
        },
      });
    }
  }
  return messages;
}

interface IssueColumns {
  id: number;
  title: string;
  vulnerability_id: string | null;
  rule_id: string | null;
  package: string | null;
  installed_version: string | null;
  fixed_version: string | null;
}

/** What an issue message names of the issue: its id, the words for it, and the payload's `data.issue`. */
function issueFacts(issue: IssueColumns, severity: Severity, kev: KevMatch | undefined) {
  return {
    id: issue.vulnerability_id ?? issue.rule_id ?? issue.title,
    subject: issue.vulnerability_id && issue.package ? `${issue.vulnerability_id} in ${issue.package}${issue.installed_version ? ` ${issue.installed_version}` : ''}` : issue.title,
    data: {
      id: issue.id,
      title: issue.title,
      vulnerabilityId: issue.vulnerability_id,
      ruleId: issue.rule_id,
      package: issue.package,
      installedVersion: issue.installed_version,
      fixedVersion: issue.fixed_version,
      severity,
      knownExploited: kev?.state === 'listed',
      kevDateAdded: kev?.dateAdded ?? null,
    },
  };
}

/** The CVEs a KEV import listed that the catalog before it did not, and the catalog before it. */
export interface KevChange {
  added: readonly string[];
  previous: ReadonlySet<string>;
}

/**
 * `issue.known-exploited`: after a KEV import, one message per entity and open issue the import
 * made known-exploited: one of its CVEs (its id or an alias) is among those the import added and
 * none was listed before, so an issue announced as known-exploited when found (`issue.new`) is not
 * announced again. Open: some scanner's latest scan of a variant the entity shows reports it, and no
 * approved exemption covers it. Keyed by entity and issue, so a CVE that leaves the catalog and
 * comes back is announced once.
 */
export async function knownExploitedMessages(db: Db, change: KevChange, at: string): Promise<NotificationMessage[]> {
  if (change.added.length === 0) return [];
  const added = new Set(change.added);
  // A CVE alias is only ever next to a CVE id (formats/fingerprint.ts): other issues are never read.
  const read = await db
    .selectFrom('issues')
    .innerJoin('targets', 'targets.id', 'issues.target_id')
    .select(['issues.id', 'issues.target_id', 'targets.name as target', 'targets.scope', 'issues.title', 'issues.vulnerability_id', 'issues.rule_id', 'issues.package', 'issues.installed_version', 'issues.fixed_version'])
    .where('issues.vulnerability_id', 'like', 'CVE-%')
    .where((eb) => eb.or([inValues(db, 'issues.vulnerability_id', change.added), eb.and([eb('issues.details', 'like', '{"aliases":[%'), eb('issues.details', 'like', '%CVE-%')])]))
    .orderBy('issues.id')
    .execute();
  const cves = await cvesOf(db, read.map((i) => ({ id: i.id, vulnerabilityId: i.vulnerability_id })));
  const candidates = read.filter((i) => {
    const ids = cves.get(i.id) ?? [];
    return ids.some((c) => added.has(c)) && !ids.some((c) => change.previous.has(c));
  });
  if (candidates.length === 0) return [];
  const targetIds = [...new Set(candidates.map((i) => i.target_id))];
  const links: Array<EntityRow & { target_id: number; variant_id: number; variant: string }> = [];
  for (const batch of batches(targetIds)) {
    const rows = await db
      .selectFrom('entity_links')
      .innerJoin('entities', 'entities.id', 'entity_links.entity_id')
      .innerJoin('variants', 'variants.id', 'entity_links.variant_id')
      .select(['entities.id', 'entities.ref', 'entities.kind', 'entities.owner_ref', 'entities.scope', 'variants.target_id', 'variants.id as variant_id', 'variants.name as variant'])
      .distinct()
      .where('entity_links.target_id', 'in', batch)
      .where('entity_links.matched', '=', 1)
      .orderBy('entities.id')
      .orderBy('variants.id')
      .execute();
    links.push(...rows);
  }
  if (links.length === 0) return [];
  // What each shown variant reports now: every scanner's latest scan of it, and the worst severity among them.
  const variantIds = [...new Set(links.map((l) => l.variant_id))];
  const candidateIds = candidates.map((i) => i.id);
  const open = new Map<string, number>();
  for (const batch of batches(variantIds)) {
    const latest = await db.selectFrom('scans').select((eb) => eb.fn.max('id').as('id')).where('variant_id', 'in', batch).groupBy(['variant_id', 'scanner']).execute();
    const scanIds = latest.map((r) => Number(r.id));
    if (scanIds.length === 0) continue;
    const rows = await db
      .selectFrom('scan_issues')
      .innerJoin('scans', 'scans.id', 'scan_issues.scan_id')
      .select(['scans.variant_id', 'scan_issues.issue_id', 'scan_issues.severity'])
      .where(inValues(db, 'scan_issues.scan_id', scanIds))
      .where(inValues(db, 'scan_issues.issue_id', candidateIds))
      .execute();
    for (const r of rows) open.set(`${r.variant_id}:${r.issue_id}`, Math.max(open.get(`${r.variant_id}:${r.issue_id}`) ?? 0, r.severity));
  }
  const exemptions = await approvedExemptionsFor(db, targetIds);
  const exploitation = await exploitationOf(db, candidates.map((i) => ({ id: i.id, vulnerabilityId: i.vulnerability_id })));
  const owners = await ownerContacts(db, links.map((l) => l.owner_ref).filter((r): r is string => r !== null));
  const byTarget = new Map<number, typeof candidates>();
  for (const issue of candidates) {
    const list = byTarget.get(issue.target_id);
    if (list) list.push(issue);
    else byTarget.set(issue.target_id, [issue]);
  }
  const messages = new Map<string, NotificationMessage>();
  for (const link of links) {
    for (const issue of byTarget.get(link.target_id) ?? []) {
      const rank = open.get(`${link.variant_id}:${issue.id}`);
      const key = `issue.known-exploited:${link.ref.toLowerCase()}:${issue.id}`;
      if (rank === undefined || messages.has(key)) continue;
      if (coveringExemption({ id: issue.id, targetId: issue.target_id, targetScope: issue.scope, vulnerabilityId: issue.vulnerability_id, ruleId: issue.rule_id }, exemptions, at)) continue;
      const severity = severityFromRank(rank);
      const kev = exploitation.get(issue.id)?.kev;
      const facts = issueFacts(issue, severity, kev);
      const listed = kev?.state === 'listed' ? ` (CISA listed ${kev.cve ?? facts.id} on ${kev.dateAdded ?? 'an unknown day'}${kev.dueDate ? `, due ${kev.dueDate}` : ''})` : '';
      messages.set(key, {
        event: 'issue.known-exploited',
        key,
        scope: link.scope,
        at,
        title: `Known-exploited issue on ${link.ref}: ${facts.id}`,
        text: `Now known to be exploited${listed}, open on ${link.ref}: ${facts.subject} (${severity}) in ${issue.target} (${link.variant})${issue.fixed_version ? `; fixed in ${issue.fixed_version}` : ''}.`,
        severity,
        entities: [{ ref: link.ref, kind: link.kind, owner: link.owner_ref }],
        recipients: mergeContacts([link.owner_ref === null ? undefined : owners.get(link.owner_ref.toLowerCase())]),
        data: {
          issue: facts.data,
          target: { id: issue.target_id, name: issue.target, scope: issue.scope, variant: link.variant },
          kev: kev?.state === 'listed' ? { cve: kev.cve, dateAdded: kev.dateAdded, dueDate: kev.dueDate, knownRansomware: kev.knownRansomware } : null,
          audience: `owner of ${link.ref}`,
        },
      });
    }
  }
  return [...messages.values()];
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
 * and the approvers of their scope (audience.ts approverEmails, with the configuration's `grants`).
 * `scopeOf` says where each applies.
 */
export async function expiringMessages(db: Db, at: string, scopeOf: (exemption: ExemptionRow) => Promise<string>, grants: readonly GrantRule[] = []): Promise<NotificationMessage[]> {
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
    const emails = [...new Set([...(await personEmails(db, [row.requested_by_id])), ...(await approverEmails(db, scope, grants))])];
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
