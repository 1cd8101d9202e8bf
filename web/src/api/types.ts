/**
 * The shapes the UI reads, as the public HTTP API answers them: docs/insights-api.md for insights,
 * docs/catalog.md for the catalog, docs/scorecards.md for scorecards, and /api/openapi.json for
 * targets and scans.
 */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type Counts = Record<Severity, number> & { total: number };
export type Percentages = Record<Severity, number>;

export interface Diagnostic {
  level: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

export type LinkOrigin = 'annotation' | 'source-url';

export interface SummaryTarget {
  targetId: number;
  name: string;
  scope: string;
  type: string;
  variant: string | null;
  variantReason: string;
  note: string | null;
  origins: LinkOrigin[];
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
  origin: LinkOrigin;
  matched: boolean;
  targetId: number | null;
  variantShown: string | null;
  diagnostics: Diagnostic[];
}

export interface EntitySummary {
  entityRef: string;
  hasData: boolean;
  counts: Counts;
  percentages: Percentages;
  fixable: number;
  new: number;
  exempted: number;
  lastScanAt: string | null;
  /**
   * Known-exploited (null: unknown, no KEV feed or no CVE id — never "not exploited"), SLA-breached
   * and due-soon active issues: the totals of the issue list filtered on each. A rollup's summary has none.
   */
  knownExploited?: number | null;
  slaBreached?: number | null;
  slaDueSoon?: number | null;
  /** Per severity, of the active issues: how many have a fix, and when the oldest was first seen. */
  breakdown: { fixable: Record<Severity, number>; oldestOpen: Record<Severity, string | null> };
  /** Links that show nothing. */
  unmatchedLinks: number;
  targets: SummaryTarget[];
  scanners: Array<{ scanner: string; counts: Counts; lastScanAt: string | null }>;
  links: SummaryLink[];
}

export interface IssueLocation {
  filePath: string;
  startLine: number | null;
  endLine: number | null;
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
  /** The approved exemption that covers an exempted issue now; null for an active one. */
  exemption: CoveringExemption | null;
  firstSeenAt: string;
  lastSeenAt: string;
  targetId: number;
  targetName: string;
  variant: string;
  location: IssueLocation | null;
  /** KEV, EPSS, the priority reason and the SLA: sent by every server since issue 14; optional so that a row without them still reads as unknown. */
  kev?: KevMatch;
  epss?: EpssMatch;
  priorityReason?: string;
  sla?: SlaStatus;
}

/** CISA KEV: `never-enriched` (no feed loaded, or no CVE id) is unknown, never "not exploited". */
export interface KevMatch {
  state: 'listed' | 'not-listed' | 'never-enriched';
  cve: string | null;
  dateAdded: string | null;
  dueDate: string | null;
  knownRansomware: boolean | null;
}

/** FIRST EPSS: from the feed, or as the scanner reported it when no feed is loaded. */
export interface EpssMatch {
  state: 'scored' | 'not-listed' | 'never-enriched';
  cve: string | null;
  score: number | null;
  percentile: number | null;
  /** The feed's score date; null for a scanner's score. */
  date: string | null;
  source: 'feed' | 'scanner' | null;
}

export const SLA_STATES = ['breached', 'due-soon', 'within', 'paused', 'none'] as const;
export type SlaState = (typeof SLA_STATES)[number];

export interface SlaStatus {
  state: SlaState;
  /** YYYY-MM-DD; null when the severity has no SLA. */
  dueDate: string | null;
  /** Whole days left (negative once breached). */
  daysLeft: number | null;
  cappedByKev: boolean;
}

export interface CoveringExemption {
  id: number;
  reason: Exemption['reason'];
  level: Exemption['level'];
  expiresAt: string | null;
}

export interface IssuePage {
  items: IssueRow[];
  total: number;
  nextCursor: string | null;
  facets: { scanners: string[]; kinds: string[]; targets: Array<{ targetId: number; name: string }> };
}

export interface Identifier {
  type: 'CVE' | 'GHSA' | 'CWE' | 'OTHER';
  id: string;
  url: string | null;
}

export interface Exemption {
  id: number;
  status: 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled';
  level: 'target' | 'project' | 'org' | 'account';
  targetId: number | null;
  scope: string | null;
  issueId: number | null;
  key: string | null;
  reason: 'compensating_control' | 'acceptable_use' | 'accepted_risk' | 'false_positive' | 'fix_unavailable' | 'other';
  comment: string;
  link: string | null;
  decisionComment: string | null;
  sourceIssueId: number | null;
  reopenedFrom: number | null;
  requestedBy: string | null;
  requestedById: string | null;
  decidedBy: string | null;
  decidedById: string | null;
  expiresAt: string | null;
  createdAt: string;
  decidedAt: string | null;
}

/** GET /api/exemptions: where each applies, what it names, and what the caller may do with it now. */
export interface ExemptionListing extends Exemption {
  /** `account`, `ORG` or `ORG.PROJECT`. */
  appliesAt: string;
  targetName: string | null;
  issueTitle: string | null;
  actions: Array<'approve' | 'reject' | 'cancel' | 'reopen' | 'revoke'>;
}

/** POST /api/exemptions/preview: what a request would hide now ("hides 14 issues in 6 targets of acme.pay"). */
export interface ExemptionEffect {
  issues: number;
  targets: number;
  scope: string;
  text: string;
}

export interface Occurrence {
  scanId: number;
  scanner: string;
  variant: string;
  filePath: string | null;
  startLine: number | null;
  endLine: number | null;
  /** The source-tree root the scanner says filePath is relative to (`%SRCROOT%`), or null. */
  baseId: string | null;
  component?: string;
  dependencyPath?: string[];
  layer?: string;
  resource?: string;
  url?: string;
  host?: string;
  port?: number;
  snippet?: string;
  secretMasked?: string;
  commit?: string;
  author?: string;
  email?: string;
  details?: Record<string, string | number | boolean | null>;
  sourceUrl: string | null;
}

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
  targetId: number;
  targetName: string;
  targetScope: string;
  scanners: Array<{ scanner: string; severity: Severity; scannerSeverity: string | null; score: number | null; scanId: number; scannedAt: string }>;
  firstSeenAt: string;
  lastSeenAt: string;
  exemption: Exemption | null;
  occurrences: Occurrence[];
  /** Not in the issue detail today (the list rows carry them): read when a server adds them. */
  kev?: KevMatch;
  epss?: EpssMatch;
  priorityReason?: string;
  sla?: SlaStatus;
}

/** The catalog columns of an entity row, in the overview and in a scorecard's results. */
export interface EntityColumns {
  entityRef: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  type: string | null;
  owner: string | null;
  system: string | null;
  lifecycle: string | null;
}

export interface OverviewRow extends EntityColumns {
  tags: string[];
  hasData: boolean;
  counts: Counts | null;
  fixable: number | null;
  new: number | null;
  exempted: number | null;
  lastScanAt: string | null;
  /** Links that show nothing: "1 link unmatched" rather than "No data". */
  unmatchedLinks: number;
  /** The entity's score on the Security baseline; null when it does not apply or decided no check (not 0). */
  score: number | null;
  /** Known-exploited (KEV) and SLA-breached open issues (null: no data, or unknown without a KEV feed); sortable. */
  knownExploited: number | null;
  slaBreached: number | null;
}

export interface Rollup {
  entities: number;
  withData: number;
  counts: Counts;
}

export interface Overview {
  items: OverviewRow[];
  /** The next page in the same sort; null on the last page. */
  nextCursor: string | null;
  total: number;
  /** knownExploited and slaBreached: the rows' counts added up; null is unknown (no KEV feed, no data), not 0. */
  totals: { counts: Counts; entities: number; withData: number; knownExploited?: number | null; slaBreached?: number | null };
  byOwner: Array<Rollup & { owner: string }>;
  bySystem: Array<Rollup & { system: string }>;
  byDomain: Array<Rollup & { domain: string }>;
  /** The scorecard the rows' scores are on; null when Lantern has none. */
  scorecard: { id: string; name: string } | null;
}

export interface Trend {
  /** withData: entities with data that day; 0 means no data, not zero issues. */
  points: Array<{ date: string; withData: number } & Counts>;
}

export interface Relation {
  type: string;
  targetRef: string;
  target: { kind: string; namespace: string; name: string };
}

export interface Entity {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    title?: string;
    description?: string;
    tags?: string[];
    links?: Array<{ url?: string; title?: string }>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  relations?: Relation[];
  status?: { items: Array<{ type: string; level: 'info' | 'warning' | 'error'; message: string }> };
}

export interface Facets {
  facets: Record<string, Array<{ value: string; count: number }>>;
}

export interface Target {
  id: number;
  scope: string;
  name: string;
  type: string;
  baselineVariant: string | null;
  baselineRegex: string | null;
  variants: number;
  scans: number;
  lastScanAt: string | null;
  createdAt: string;
  /** Open issues of the variant the target shows; null when nothing was scanned. */
  counts: Counts | null;
  /** Refs of the entities whose links show the target. */
  entities: string[];
}

export interface TargetDetail {
  id: number;
  scope: string;
  name: string;
  type: string;
  createdAt: string;
  baseline: { variant: string | null; regex: string | null; shown: string | null; reason: string; note: string | null };
  variants: Array<{ name: string; createdAt: string; lastScanAt: string | null }>;
}

export interface Scan {
  scanId: number;
  targetId: number;
  variant: string;
  scanner: string;
  scannerVersion: string | null;
  format: string;
  scanType: string;
  scannedAt: string;
  ingestedAt: string;
  commit: string | null;
  branch: string | null;
  pipelineUrl: string | null;
  artifact: string | null;
  counts: Counts;
  occurrences: number;
  new: number;
  common: number;
  remediated: number;
  comparedScanId: number | null;
  suppressed: number;
  errors: string[];
  reportSha256: string;
}

export interface ScanIssue {
  id: number;
  targetId: number;
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
  firstSeenAt: string;
  lastSeenAt: string;
}

export type ScanIssuePart = 'new' | 'common' | 'remediated';

/** GET /api/scans/:id/issues?part=…: one page of one part, with every part's total. */
export interface ScanIssuePage {
  items: ScanIssue[];
  total: number;
  nextCursor: string | null;
  totals: Record<ScanIssuePart, number>;
}

export interface IngestResult {
  scanId: number;
  target: string;
  scope: string;
  variant: string;
  scanner: string;
  format: string;
  counts: Counts;
  new: number;
  common: number;
  remediated: number;
  comparedScanId: number | null;
  duplicate: boolean;
  suppressed: number;
  errors: string[];
}

export type CheckStatus = 'pass' | 'fail' | 'unknown';
export type Operator = '<' | '<=' | '==' | '!=' | '>=' | '>';
export type RuleValue = number | boolean | string;

export interface ScorecardRule {
  dataPoint: string;
  input?: string;
  operator: Operator;
  value: RuleValue;
}

export interface ScorecardCheck {
  id: string;
  name: string;
  description: string;
  rules: ScorecardRule[];
  strategy: 'allOf' | 'anyOf';
  whenNoData: 'fail' | 'pass' | 'unknown';
  passMessage?: string;
  failMessage?: string;
  weight: number;
}

/** One check over a set of entities: unknown results are left out of its pass rate. */
export interface CheckTally {
  pass: number;
  fail: number;
  unknown: number;
  /** pass / (pass + fail), percent with one decimal; null when no result was decided. */
  passRate: number | null;
}

/** A scorecard over a set of entities. */
export interface ScorecardTally {
  entities: number;
  /** Entities with a score (a decided check). */
  scored: number;
  averageScore: number | null;
  /** Scored entities that failed no check. */
  passing: number;
  /** passing / scored, percent; null when no entity is scored. */
  passRate: number | null;
}

export interface Scorecard {
  id: string;
  name: string;
  description: string;
  filter: { kind?: string[]; type?: string[]; lifecycle?: string[]; owner?: string[]; tags?: string[] };
  origin: 'built-in' | 'file' | 'api';
  source: { file: string; document: number; line: number } | null;
  readOnly: boolean;
  checks: ScorecardCheck[];
}

export interface ScorecardProblem {
  level: 'error' | 'warning';
  message: string;
  file: string;
  document?: number;
  line?: number;
  column?: number;
  field?: string;
}

export interface ScorecardList {
  items: Array<Scorecard & ScorecardTally & { checks: Array<ScorecardCheck & CheckTally> }>;
  problems: ScorecardProblem[];
}

export interface ScorecardResultRow extends EntityColumns {
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  /** Check id → status. */
  checks: Record<string, CheckStatus>;
  updatedAt: string;
}

export interface ScorecardResults {
  scorecard: { id: string; name: string };
  total: number;
  items: ScorecardResultRow[];
  /** Of the entities the filters select. */
  summary: ScorecardTally & { checks: Array<{ id: string; name: string; weight: number } & CheckTally> };
}

export interface ScorecardTrend {
  points: Array<{ date: string } & ScorecardTally & { checks: Array<{ id: string } & CheckTally> }>;
}

/** One rule of a check as it went for one entity. */
export interface RuleResult {
  dataPoint: string;
  input: string | null;
  operator: Operator;
  threshold: RuleValue;
  /** null: the data point has no value for the entity ("no data"), never zero. */
  observed: RuleValue | null;
  status: 'pass' | 'fail' | 'noData';
  /** The rule against what was observed, in words. */
  sentence: string;
}

export interface CheckResult {
  id: string;
  name: string;
  description: string;
  weight: number;
  strategy: 'allOf' | 'anyOf';
  whenNoData: 'fail' | 'pass' | 'unknown';
  status: CheckStatus;
  /** The rules could not be decided for lack of a value; whenNoData gave the status. */
  noData: boolean;
  message: string;
  rules: RuleResult[];
}

export interface EntityScorecard {
  id: string;
  name: string;
  description: string;
  origin: string;
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  updatedAt: string;
  /** Every check lacked data: no score for want of data. */
  noData: boolean;
  /** The result in a sentence. */
  summary: string;
  checks: CheckResult[];
}

export interface EntityScorecards {
  entityRef: string;
  scorecards: EntityScorecard[];
}

/** A role at a scope (account, ORG or ORG.PROJECT), as GET /api/auth/me lists a principal's grants. */
export interface Grant {
  role: string;
  scope: string;
}

export interface Principal {
  kind: 'user' | 'token' | 'anonymous' | 'local';
  /** `user:<subject>`, `token:<id>`, `anonymous`. */
  id: string;
  name: string;
  grants: Grant[];
}

/** GET /api/auth/me: who is calling (null: nobody, and no anonymous role), and where browsers sign in. */
export interface Me {
  principal: Principal | null;
  signIn: { url: string } | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  principal: string;
  principalName: string;
  action: string;
  objectType: string;
  objectId: string | null;
  scope: string;
  clientAddress: string | null;
  details: Record<string, unknown>;
}

/** GET /api/audit: newest first; nextCursor continues the list, null at its end. */
export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

/** Fixes over a period: slaCompliance and mttrDays are null when there is nothing to count ("—", never 0 % or 100 %). */
export interface RemediationTally {
  fixed: number;
  fixedWithinSla: number;
  fixedLate: number;
  slaCompliance: number | null;
  mttrDays: number | null;
}

/** GET /api/insights/sla-compliance. */
export interface SlaCompliance {
  period: { from: string; to: string; days: number };
  overall: RemediationTally;
  bySeverity: Record<Severity, RemediationTally>;
  byOwner: Array<RemediationTally & { owner: string }>;
  bySystem: Array<RemediationTally & { system: string }>;
  byDomain: Array<RemediationTally & { domain: string }>;
}
