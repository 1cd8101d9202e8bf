import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * The database schema, as Kysely sees it: the single source of truth for column names and types.
 * Times are ISO 8601 UTC strings and JSON values are text, on SQLite and PostgreSQL alike, so that
 * rows read back the same from both. Booleans are 0/1 integers.
 */
export interface Database {
  orgs: OrgTable;
  projects: ProjectTable;
  targets: TargetTable;
  variants: VariantTable;
  scans: ScanTable;
  issues: IssueTable;
  scan_issues: ScanIssueTable;
  occurrences: OccurrenceTable;
}

export interface OrgTable {
  id: Generated<number>;
  identifier: string;
  created_at: string;
}

export interface ProjectTable {
  id: Generated<number>;
  org_id: number;
  identifier: string;
  created_at: string;
}

export interface TargetTable {
  id: Generated<number>;
  /** `account` or `ORG.PROJECT` (domain/scope.ts formatScope): with name_key, the target's identity. */
  scope: string;
  org_id: number | null;
  project_id: number | null;
  /** As first written. */
  name: string;
  /** Lower-cased name: names are unique per scope compared case-insensitively. */
  name_key: string;
  type: string;
  baseline_variant: string | null;
  baseline_regex: string | null;
  created_at: string;
}

export interface VariantTable {
  id: Generated<number>;
  target_id: number;
  name: string;
  created_at: string;
  last_scan_at: string | null;
}

export interface ScanTable {
  id: Generated<number>;
  target_id: number;
  variant_id: number;
  scanner: string;
  scanner_version: string | null;
  format: string;
  scan_type: string;
  report_sha256: string;
  report_bytes: number;
  artifact: string | null;
  commit_sha: string | null;
  branch: string | null;
  pipeline_url: string | null;
  /** When the scan ran: given by the caller, else the time of ingest. */
  scanned_at: string;
  /** The time the report itself states, if it states one. */
  reported_at: string | null;
  ingested_at: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  total: number;
  occurrences: number;
  new_count: number;
  common_count: number;
  remediated_count: number;
  /** The scan new/common/remediated were computed against (DESIGN.md: New, common, remediated). */
  compared_scan_id: number | null;
  suppressed: number;
  /** JSON array of the scanner's own error lines. */
  errors: string;
}

export interface IssueTable {
  id: Generated<number>;
  target_id: number;
  fingerprint: string;
  kind: string;
  title: string;
  vulnerability_id: string | null;
  rule_id: string | null;
  package: string | null;
  installed_version: string | null;
  fixed_version: string | null;
  description: string | null;
  /** JSON IssueDetails (store/issues.ts): what is shown but never filtered or sorted on. */
  details: string;
  first_seen_at: string;
  first_scan_id: number;
}

/** Scan membership: which issues one scan reported, with the severity that scan gave each. */
export interface ScanIssueTable {
  scan_id: number;
  issue_id: number;
  /** severityRank(): 4 critical … 0 info, so MAX() over scans picks the worst. */
  severity: number;
  scanner_severity: string | null;
  score: number | null;
  occurrences: number;
  /** 1 when the comparison scan did not have this issue. */
  is_new: number;
}

export interface OccurrenceTable {
  id: Generated<number>;
  scan_id: number;
  issue_id: number;
  file_path: string | null;
  start_line: number | null;
  end_line: number | null;
  /** JSON: the rest of the Occurrence (domain/finding.ts) without filePath and lines. */
  place: string;
}

export type TargetRow = Selectable<TargetTable>;
export type VariantRow = Selectable<VariantTable>;
export type ScanRow = Selectable<ScanTable>;
export type IssueRow = Selectable<IssueTable>;
export type NewScan = Insertable<ScanTable>;
export type NewIssue = Insertable<IssueTable>;
export type NewScanIssue = Insertable<ScanIssueTable>;
export type NewOccurrence = Insertable<OccurrenceTable>;
