import { type Kysely, sql } from 'kysely';
import type { Occurrence } from '../domain/finding.js';
import { severityRank } from '../domain/severity.js';
import type { IssueDraft } from '../ingest/group.js';
import { bulkRun } from './bulk.js';
import type { Store } from './database.js';
import type { Database, NewOccurrence, NewScanIssue } from './schema.js';

type Db = Kysely<Database>;

const json = (list: string[] | undefined): string => JSON.stringify(list ?? []);

/**
 * Inserts the issues of one scan into its target, or refreshes the ones it already has (same
 * fingerprint): first and last seen widen, descriptive fields take the newest non-empty value.
 * Returns the issue ids in draft order.
 */
export async function upsertIssues(
  store: Store,
  trx: Db,
  targetId: number,
  scanId: number,
  seenAt: string,
  drafts: readonly IssueDraft[],
): Promise<number[]> {
  const rows = drafts.map(({ finding: f }) => ({
    target_id: targetId,
    fingerprint: f.fingerprint,
    kind: f.kind,
    title: f.title,
    vulnerability_id: f.vulnerabilityId ?? null,
    rule_id: f.ruleId ?? null,
    package: f.package ?? null,
    installed_version: f.installedVersion ?? null,
    fixed_version: f.fixedVersion ?? null,
    ecosystem: f.ecosystem ?? null,
    license: f.license ?? null,
    description: f.description ?? null,
    remediation: f.remediation ?? null,
    aliases: json(f.aliases),
    cwes: json(f.cwes),
    reference_urls: json(f.references),
    tags: json(f.tags),
    first_seen_at: seenAt,
    last_seen_at: seenAt,
    first_scan_id: scanId,
    last_scan_id: scanId,
  }));
  const returned = await bulkRun<(typeof rows)[number], { id: number; fingerprint: string }>(
    store,
    trx,
    rows,
    (db, batch) =>
      db
        .insertInto('issues')
        .values(batch)
        .onConflict((oc) =>
          oc.columns(['target_id', 'fingerprint']).doUpdateSet({
            kind: sql.ref('excluded.kind'),
            title: sql.ref('excluded.title'),
            vulnerability_id: sql`coalesce(excluded.vulnerability_id, issues.vulnerability_id)`,
            rule_id: sql`coalesce(excluded.rule_id, issues.rule_id)`,
            package: sql`coalesce(excluded.package, issues.package)`,
            installed_version: sql`coalesce(excluded.installed_version, issues.installed_version)`,
            fixed_version: sql`coalesce(excluded.fixed_version, issues.fixed_version)`,
            ecosystem: sql`coalesce(excluded.ecosystem, issues.ecosystem)`,
            license: sql`coalesce(excluded.license, issues.license)`,
            description: sql`coalesce(excluded.description, issues.description)`,
            remediation: sql`coalesce(excluded.remediation, issues.remediation)`,
            aliases: sql.ref('excluded.aliases'),
            cwes: sql.ref('excluded.cwes'),
            reference_urls: sql.ref('excluded.reference_urls'),
            tags: sql.ref('excluded.tags'),
            first_seen_at: sql`case when excluded.first_seen_at < issues.first_seen_at then excluded.first_seen_at else issues.first_seen_at end`,
            last_seen_at: sql`case when excluded.last_seen_at > issues.last_seen_at then excluded.last_seen_at else issues.last_seen_at end`,
            last_scan_id: sql.ref('excluded.last_scan_id'),
          }),
        )
        .returning(['id', 'fingerprint']),
    { returning: true },
  );
  const ids = new Map(returned.map((r) => [r.fingerprint, r.id]));
  return drafts.map(({ finding }) => {
    const id = ids.get(finding.fingerprint);
    if (id === undefined) throw new Error(`The upsert returned no id for fingerprint ${finding.fingerprint}`);
    return id;
  });
}

/** Records which issues a scan reported, how severe it said each was, and whether each is new. */
export async function insertScanIssues(
  store: Store,
  trx: Db,
  scanId: number,
  drafts: readonly IssueDraft[],
  issueIds: readonly number[],
  isNew: (issueId: number) => boolean,
): Promise<void> {
  const rows: NewScanIssue[] = drafts.map(({ finding, occurrences }, i) => {
    const issueId = issueIds[i] as number;
    return {
      scan_id: scanId,
      issue_id: issueId,
      severity: severityRank(finding.severity),
      scanner_severity: finding.scannerSeverity ?? null,
      score: finding.score ?? null,
      occurrences: occurrences.length,
      is_new: isNew(issueId) ? 1 : 0,
    };
  });
  await bulkRun(store, trx, rows as Required<NewScanIssue>[], (db, batch) => db.insertInto('scan_issues').values(batch));
}

export async function insertOccurrences(
  store: Store,
  trx: Db,
  scanId: number,
  drafts: readonly IssueDraft[],
  issueIds: readonly number[],
): Promise<number> {
  const rows: Required<Omit<NewOccurrence, 'id'>>[] = [];
  drafts.forEach(({ occurrences }, i) => {
    for (const o of occurrences) rows.push(occurrenceRow(scanId, issueIds[i] as number, o));
  });
  await bulkRun(store, trx, rows, (db, batch) => db.insertInto('occurrences').values(batch));
  return rows.length;
}

function occurrenceRow(scanId: number, issueId: number, o: Occurrence): Required<Omit<NewOccurrence, 'id'>> {
  return {
    scan_id: scanId,
    issue_id: issueId,
    file_path: o.filePath ?? null,
    start_line: o.startLine ?? null,
    end_line: o.endLine ?? null,
    start_column: o.startColumn ?? null,
    end_column: o.endColumn ?? null,
    component: o.component ?? null,
    dependency_path: o.dependencyPath ? JSON.stringify(o.dependencyPath) : null,
    layer: o.layer ?? null,
    resource: o.resource ?? null,
    url: o.url ?? null,
    host: o.host ?? null,
    port: o.port ?? null,
    snippet: o.snippet ?? null,
    secret_masked: o.secretMasked ?? null,
    commit_sha: o.commit ?? null,
    author: o.author ?? null,
    email: o.email ?? null,
    details: o.details ? JSON.stringify(o.details) : null,
  };
}

/** An issue as it stands in the current scans of one or more variants. */
export interface CurrentIssue {
  id: number;
  targetId: number;
  fingerprint: string;
  kind: string;
  title: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
  package: string | null;
  installedVersion: string | null;
  fixedVersion: string | null;
  /** The worst severity any current scan gives it. */
  severity: number;
  scanners: string[];
  /** Occurrences over the current scans. */
  occurrences: number;
  /** True when no current scan that reports it had it in its comparison scan. */
  isNew: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * The current issues of the given scans (store/scans.ts currentScanIds): one row per issue with
 * the worst severity, the scanners that report it and its occurrence count.
 */
export async function currentIssues(db: Db, scanIds: readonly number[]): Promise<CurrentIssue[]> {
  if (scanIds.length === 0) return [];
  const rows = await db
    .selectFrom('scan_issues')
    .innerJoin('scans', 'scans.id', 'scan_issues.scan_id')
    .innerJoin('issues', 'issues.id', 'scan_issues.issue_id')
    .select([
      'issues.id',
      'issues.target_id',
      'issues.fingerprint',
      'issues.kind',
      'issues.title',
      'issues.vulnerability_id',
      'issues.rule_id',
      'issues.package',
      'issues.installed_version',
      'issues.fixed_version',
      'issues.first_seen_at',
      'issues.last_seen_at',
      'scans.scanner',
      'scan_issues.severity',
      'scan_issues.occurrences',
      'scan_issues.is_new',
    ])
    .where('scan_issues.scan_id', 'in', scanIds)
    .execute();
  const byId = new Map<number, CurrentIssue>();
  for (const r of rows) {
    const issue = byId.get(r.id);
    if (issue) {
      issue.severity = Math.max(issue.severity, r.severity);
      if (!issue.scanners.includes(r.scanner)) issue.scanners.push(r.scanner);
      issue.occurrences += r.occurrences;
      issue.isNew &&= r.is_new === 1;
      continue;
    }
    byId.set(r.id, {
      id: r.id,
      targetId: r.target_id,
      fingerprint: r.fingerprint,
      kind: r.kind,
      title: r.title,
      vulnerabilityId: r.vulnerability_id,
      ruleId: r.rule_id,
      package: r.package,
      installedVersion: r.installed_version,
      fixedVersion: r.fixed_version,
      severity: r.severity,
      scanners: [r.scanner],
      occurrences: r.occurrences,
      isNew: r.is_new === 1,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
    });
  }
  for (const issue of byId.values()) issue.scanners.sort();
  return [...byId.values()];
}
