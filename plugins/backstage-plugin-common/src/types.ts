/** The shapes of Lantern's insights API (docs/insights-api.md in Lantern) that the plugins read. */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Counts = Record<Severity, number> & { total: number };

export interface Diagnostic {
  level: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

export interface SummaryTarget {
  targetId: number;
  name: string;
  scope: string;
  type: string;
  variant: string | null;
  variantReason: string;
  note: string | null;
  origins: string[];
  scanners: string[];
  counts: Counts;
  fixable: number;
  new: number;
  exempted: number;
  lastScanAt: string | null;
}

export interface SummaryLink {
  name: string;
  scope: string;
  variant: string | null;
  origin: 'annotation' | 'source-url';
  matched: boolean;
  targetId: number | null;
  variantShown: string | null;
  diagnostics: Diagnostic[];
}

/** `GET /api/insights/entities/:kind/:namespace/:name/summary`. */
export interface EntitySummary {
  entityRef: string;
  /** False: no link matched a scanned target. Not the same as zero issues. */
  hasData: boolean;
  counts: Counts;
  percentages: Record<Severity, number>;
  fixable: number;
  new: number;
  exempted: number;
  lastScanAt: string | null;
  /**
   * Active issues listed in CISA KEV; null when unknown (no KEV feed loaded, or no issue with a CVE),
   * never 0 for an unknown. Absent from Lantern servers older than the prioritisation release.
   */
  knownExploited?: number | null;
  /** Active issues past their SLA due date; null without data. */
  slaBreached?: number | null;
  breakdown: {
    fixable: Record<Severity, number>;
    oldestOpen: Record<Severity, string | null>;
  };
  unmatchedLinks: number;
  targets: SummaryTarget[];
  scanners: Array<{ scanner: string; counts: Counts; lastScanAt: string | null }>;
  links: SummaryLink[];
}

export interface IssueRow {
  id: number;
  fingerprint: string;
  kind: string;
  severity: Severity;
  title: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
  package: string | null;
  installedVersion: string | null;
  fixedVersion: string | null;
  scanners: string[];
  occurrences: number;
  new: boolean;
  exempted: boolean;
  firstSeenAt: string;
  lastSeenAt: string;
  targetId: number;
  targetName: string;
  variant: string;
  /** Whether CISA lists the issue's CVE as known exploited (`never-enriched`: no feed or no CVE id). */
  kev?: { state: 'listed' | 'not-listed' | 'never-enriched' };
  location: { filePath: string; startLine: number | null; endLine: number | null } | null;
}

/** `GET /api/insights/entities/:kind/:namespace/:name/issues`. */
export interface IssuePage {
  items: IssueRow[];
  total: number;
  nextCursor: string | null;
  facets: { scanners: string[]; kinds: string[]; targets: Array<{ targetId: number; name: string }> };
}

/** `GET /api/insights/issues/:id`: the fields the issue panel shows. */
export interface IssueDetail {
  id: number;
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
  identifiers: Array<{ type: string; id: string; url: string | null }>;
  references: string[];
  targetId: number;
  targetName: string;
  targetScope: string;
  scanners: Array<{ scanner: string; severity: Severity; scannerSeverity: string | null; score: number | null; scanId: number; scannedAt: string }>;
  firstSeenAt: string;
  lastSeenAt: string;
  occurrences: Array<{ scanner: string; variant: string; filePath: string | null; startLine: number | null; endLine: number | null; sourceUrl: string | null }>;
}
