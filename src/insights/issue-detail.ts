import type { Kysely } from 'kysely';
import { entityRepository } from '../catalog/annotations.js';
import type { EntityEnvelope } from '../catalog/entity.js';
import { type Repository, sourceLink } from '../catalog/repository-url.js';
import { NotFoundError } from '../domain/errors.js';
import type { DetailValue, Occurrence } from '../domain/finding.js';
import { type Severity, severityFromRank } from '../domain/severity.js';
import { approvedExemptionsFor } from '../store/exemptions.js';
import type { IssueDetails } from '../store/issues.js';
import type { Database, EntityRow } from '../store/schema.js';
import { coveringExemption, exemptionView, type ExemptionView } from './exemptions.js';

type Db = Kysely<Database>;

export interface Identifier {
  type: 'CVE' | 'GHSA' | 'CWE' | 'OTHER';
  id: string;
  url: string | null;
}

export interface IssueOccurrence extends Omit<Occurrence, 'filePath' | 'startLine' | 'endLine' | 'baseId'> {
  scanId: number;
  scanner: string;
  variant: string;
  filePath: string | null;
  startLine: number | null;
  endLine: number | null;
  /** The source-tree root the scanner says the path is relative to (`%SRCROOT%`), or null. */
  baseId: string | null;
  /**
   * The file and lines in the entity's repository, at the scan's commit, else its variant; only for
   * a repository or configuration target, or a path the scanner puts in the source tree (`baseId`):
   * a path inside an image is not a source file.
   */
  sourceUrl: string | null;
}

/** What GET /api/insights/issues/:id answers (docs/insights-api.md). */
export interface IssueDetail {
  id: number;
  fingerprint: string;
  kind: string;
  severity: Severity;
  title: string;
  description: string | null;
  remediation: string | null;
  fixedVersion: string | null;
  vulnerabilityId: string | null;
  ruleId: string | null;
  package: string | null;
  installedVersion: string | null;
  ecosystem: string | null;
  license: string | null;
  identifiers: Identifier[];
  references: string[];
  tags: string[];
  /** What Lantern changed in the report's text on the way in (NUL characters removed, fields cut). */
  notes: string[];
  targetId: number;
  targetName: string;
  targetScope: string;
  scanners: Array<{ scanner: string; severity: Severity; scannerSeverity: string | null; score: number | null; scanId: number; scannedAt: string }>;
  firstSeenAt: string;
  lastSeenAt: string;
  exemption: ExemptionView | null;
  occurrences: IssueOccurrence[];
}

/** The public page of an identifier, for the ones that have a well-known one. */
export function identifier(id: string): Identifier {
  const upper = id.toUpperCase();
  if (/^CVE-\d{4}-\d+$/.test(upper)) return { type: 'CVE', id: upper, url: `https://nvd.nist.gov/vuln/detail/${upper}` };
  if (/^GHSA(-[0-9a-z]{4}){3}$/i.test(id)) return { type: 'GHSA', id: id.toLowerCase().replace(/^ghsa/, 'GHSA'), url: `https://github.com/advisories/${id.toLowerCase().replace(/^ghsa/, 'GHSA')}` };
  const cwe = /^CWE-(\d+)$/.exec(upper);
  if (cwe) return { type: 'CWE', id: upper, url: `https://cwe.mitre.org/data/definitions/${cwe[1]}.html` };
  return { type: 'OTHER', id, url: null };
}

/**
 * One issue with everything known about it. Its scanners and occurrences are those of the scans
 * that show it now (each scanner's latest scan of each variant of its target); an issue no current
 * scan shows any more is described from the last scan that reported it.
 */
export async function issueDetail(db: Db, issueId: number, viewer: EntityRow | undefined, now: string): Promise<IssueDetail> {
  const issue = await db.selectFrom('issues').selectAll().where('id', '=', issueId).executeTakeFirst();
  if (!issue) throw new NotFoundError(`No issue with id ${issueId}.`);
  const target = await db.selectFrom('targets').select(['id', 'name', 'scope', 'type']).where('id', '=', issue.target_id).executeTakeFirstOrThrow();

  const reported = await db
    .selectFrom('scan_issues')
    .innerJoin('scans', 'scans.id', 'scan_issues.scan_id')
    .innerJoin('variants', 'variants.id', 'scans.variant_id')
    .select(['scans.id as scanId', 'scans.scanner', 'scans.scanned_at', 'scans.commit_sha', 'scans.variant_id', 'variants.name as variant', 'scan_issues.severity', 'scan_issues.scanner_severity', 'scan_issues.score'])
    .where('scan_issues.issue_id', '=', issueId)
    .orderBy('scans.id', 'desc')
    .execute();
  const latestPerVariantScanner = await db
    .selectFrom('scans')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('target_id', '=', target.id)
    .groupBy(['variant_id', 'scanner'])
    .execute();
  const current = new Set(latestPerVariantScanner.map((r) => Number(r.id)));
  const showing = reported.filter((r) => current.has(r.scanId));
  const scans = showing.length > 0 ? showing : reported.slice(0, 1);

  const details = JSON.parse(issue.details) as IssueDetails;
  const occurrenceRows = scans.length === 0
    ? []
    : await db.selectFrom('occurrences').selectAll().where('issue_id', '=', issueId).where('scan_id', 'in', scans.map((s) => s.scanId)).orderBy('id').execute();
  // A path in an image or on a running instance (`app/payments-api.jar`) is not a file of the
  // repository: a repository's or a configuration's scan reports paths in the source tree, and
  // any other scan only those it says are (a SARIF path under %SRCROOT%, occurrences.base_id).
  const inSourceTree = (row: { base_id: string | null }) => SOURCE_TREE_TYPES.has(target.type) || row.base_id !== null;
  const repository = occurrenceRows.some((row) => row.file_path && inSourceTree(row)) ? await repositoryFor(db, viewer, target.id) : undefined;
  const scanById = new Map(scans.map((s) => [s.scanId, s]));

  const exemptions = await approvedExemptionsFor(db, [target.id]);
  const covering = coveringExemption({ id: issue.id, targetId: target.id, targetScope: target.scope, vulnerabilityId: issue.vulnerability_id, ruleId: issue.rule_id }, exemptions, now);
  const pending = covering ? undefined : await db.selectFrom('exemptions').selectAll().where('issue_id', '=', issueId).where('status', '=', 'pending').executeTakeFirst();
  const exemption = covering ?? pending;

  const ids = [issue.vulnerability_id, ...(details.aliases ?? []), ...(details.cwes ?? [])].filter((id): id is string => Boolean(id));
  const worst = Math.max(...scans.map((s) => s.severity));
  return {
    id: issue.id,
    fingerprint: issue.fingerprint,
    kind: issue.kind,
    severity: severityFromRank(Number.isFinite(worst) ? worst : 0),
    title: issue.title,
    description: issue.description,
    remediation: details.remediation ?? null,
    fixedVersion: issue.fixed_version,
    vulnerabilityId: issue.vulnerability_id,
    ruleId: issue.rule_id,
    package: issue.package,
    installedVersion: issue.installed_version,
    ecosystem: details.ecosystem ?? null,
    license: details.license ?? null,
    identifiers: [...new Map(ids.map((id) => [id.toUpperCase(), identifier(id)])).values()],
    references: details.references ?? [],
    tags: details.tags ?? [],
    notes: details.notes ?? [],
    targetId: target.id,
    targetName: target.name,
    targetScope: target.scope,
    scanners: [...new Map(scans.map((s) => [s.scanner, s])).values()].map((s) => ({
      scanner: s.scanner,
      severity: severityFromRank(s.severity),
      scannerSeverity: s.scanner_severity,
      score: s.score,
      scanId: s.scanId,
      scannedAt: s.scanned_at,
    })),
    firstSeenAt: issue.first_seen_at,
    lastSeenAt: reported.reduce((max, r) => (r.scanned_at > max ? r.scanned_at : max), issue.first_seen_at),
    exemption: exemption ? exemptionView(exemption, now) : null,
    occurrences: occurrenceRows.map((row) => {
      const scan = scanById.get(row.scan_id);
      const place = JSON.parse(row.place) as Omit<Occurrence, 'filePath' | 'startLine' | 'endLine'> & { details?: Record<string, DetailValue> };
      const link =
        repository && row.file_path && inSourceTree(row)
          ? sourceLink(repository, { path: row.file_path, startLine: row.start_line ?? undefined, endLine: row.end_line ?? undefined }, { commit: scan?.commit_sha ?? undefined, variant: scan?.variant })
          : undefined;
      return {
        scanId: row.scan_id,
        scanner: scan?.scanner ?? '',
        variant: scan?.variant ?? '',
        filePath: row.file_path,
        startLine: row.start_line,
        endLine: row.end_line,
        ...place,
        baseId: row.base_id,
        sourceUrl: link ?? null,
      };
    }),
  };
}

/** The target types whose scanners report paths relative to the repository's root. */
const SOURCE_TREE_TYPES: ReadonlySet<string> = new Set(['repository', 'configuration']);

/** The repository source links point into: the viewing entity's, else the first linked entity's that has one. */
async function repositoryFor(db: Db, viewer: EntityRow | undefined, targetId: number): Promise<Repository | undefined> {
  const candidates = viewer
    ? [viewer]
    : await db
        .selectFrom('entities')
        .selectAll()
        .where('repository_url', 'is not', null)
        .where('id', 'in', (eb) => eb.selectFrom('entity_links').select('entity_id').where('target_id', '=', targetId))
        .orderBy('id')
        .limit(1)
        .execute();
  for (const entity of candidates) {
    const declared = entityRepository(JSON.parse(entity.envelope) as EntityEnvelope);
    if (declared && 'repository' in declared) return declared.repository;
  }
  return undefined;
}
