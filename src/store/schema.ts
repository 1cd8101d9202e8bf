import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The database schema, as Kysely sees it: the single source of truth for column names and types.
 * Times are ISO 8601 UTC strings and JSON values are text, on SQLite and PostgreSQL alike, so that
 * rows read back the same from both. Booleans are 0/1 integers.
 */
export interface Database {
  entity_summaries: EntitySummaryTable;
  entity_rollups: EntityRollupTable;
  variant_tallies: VariantTallyTable;
  entity_sort_keys: EntitySortKeyTable;
  entity_exploitation_rollups: EntityExploitationRollupTable;
  entity_facet_rollups: EntityFacetRollupTable;
  target_sharing: TargetSharingTable;
  entity_score_keys: EntityScoreKeyTable;
  score_key_scorecards: ScoreKeyScorecardTable;
  entity_tags: EntityTagTable;
  entity_tag_rollups: EntityTagRollupTable;
  entity_tag_exploitation_rollups: EntityTagExploitationRollupTable;
  summary_history: SummaryHistoryTable;
  trend_changes: TrendChangeTable;
  scorecard_trend_changes: ScorecardTrendChangeTable;
  trend_facet_changes: TrendFacetChangeTable;
  scorecard_trend_facet_changes: ScorecardTrendFacetChangeTable;
  exemptions: ExemptionTable;
  notification_deliveries: NotificationDeliveryTable;
  orgs: OrgTable;
  projects: ProjectTable;
  targets: TargetTable;
  target_name_versions: TargetNameVersionTable;
  link_hint_refreshes: LinkHintRefreshTable;
  variants: VariantTable;
  scans: ScanTable;
  issues: IssueTable;
  scan_issues: ScanIssueTable;
  sla_clocks: SlaClockTable;
  sla_pauses: SlaPauseTable;
  occurrences: OccurrenceTable;
  locations: LocationTable;
  entities: EntityTable;
  entity_references: EntityReferenceTable;
  entity_relations: EntityRelationTable;
  entity_search: EntitySearchTable;
  entity_name_search_content: EntityNameSearchContentTable;
  entity_links: EntityLinkTable;
  search_terms: SearchTermTable;
  issue_search_terms: IssueSearchTermTable;
  scan_search_terms: ScanSearchTermTable;
  scorecards: ScorecardTable;
  scorecard_results: ScorecardResultTable;
  scorecard_history: ScorecardHistoryTable;
  scorecard_tallies: ScorecardTallyTable;
  scorecard_check_tallies: ScorecardCheckTallyTable;
  scorecard_evaluations: ScorecardEvaluationTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  audit_log: AuditLogTable;
  feeds: FeedTable;
  kev_entries: KevEntryTable;
  epss_scores: EpssScoreTable;
}

/** An API token: `lnt_<key>_<secret>`; only the sha256 of the whole token is kept. */
export interface ApiTokenTable {
  id: Generated<number>;
  /** The public part, to find the row without comparing hashes in SQL. */
  key: string;
  /** sha256 hex of the whole token. */
  hash: string;
  name: string;
  role: string;
  /** Grant scope: account, ORG or ORG.PROJECT. */
  scope: string;
  /** The principal id that created it. */
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A signed-in person's session; the cookie holds the id, this row its sha256. */
export interface SessionTable {
  hash: string;
  subject: string;
  name: string;
  email: string | null;
  /** JSON array of the groups the identity provider said. */
  groups: string;
  /** JSON array of {role, scope} computed at sign-in. */
  grants: string;
  created_at: string;
  expires_at: string;
}

/** One state change: who did what to which object, where and when. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  /** Principal id: user:…, token:…, anonymous, local:… */
  principal: string;
  principal_name: string;
  /** e.g. scan.ingest, exemption.approve, token.create */
  action: string;
  object_type: string;
  object_id: string | null;
  /** The scope of the object: account, ORG or ORG.PROJECT. */
  scope: string;
  client_address: string | null;
  /** JSON object: what else the action recorded. */
  details: string;
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

/** A new target whose similar-name hints of waiting links are still to be refreshed (catalog/link-hints.ts). */
export interface LinkHintRefreshTable {
  target_id: number;
  queued_at: string;
  /** Refreshes of this target that failed (0041); past MAX_HINT_REFRESH_FAILURES it waits for a server's start. */
  failures: Generated<number>;
  /** The last failure's message. */
  last_error: string | null;
}

/**
 * A random value set anew whenever a target of the scope is created, deleted, renamed or moved
 * (migration 0036), and a counter bumped at once (migration 0037): once for each changed target on
 * SQLite, once for each committed transaction on PostgreSQL (a bigint, read as a string there).
 */
export interface TargetNameVersionTable {
  scope: string;
  stamp: string;
  version: Generated<number | string>;
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
  /**
   * The keys a link that found no target is compared with (catalog/matching.ts similarityKey,
   * lastSegment, and the similarity key's length): store/targets.ts targetKeyColumns sets them.
   * Null on no row since migration 0018 backfilled them; a new row must give them.
   */
  similarity_key: ColumnType<string | null, string, string>;
  last_segment: string | null;
  similarity_length: ColumnType<number | null, number, number>;
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
  /** The priority order's parts the feeds decide (migrations/0016, insights/priority-order.ts); null until first computed. */
  priority_head: string | null;
  /** The priority order's tie-breaks after severity: fixable, EPSS score, identifier. */
  priority_tail: string | null;
}

/** One stretch of time an issue was open in a variant: the SLA clock (migrations/0013-sla-clock.ts). */
export interface SlaClockTable {
  id: Generated<number>;
  variant_id: number;
  issue_id: number;
  /** The scan time that brought the issue into the variant's current state. */
  opened_at: string;
  /** Where its SLA clock starts: first seen in the target for its first stretch, `opened_at` once re-opened. */
  clock_from: string;
  /** The scan time after which no scanner's latest scan of the variant reported it; null while open. */
  fixed_at: string | null;
  fixed_scan_id: number | null;
  /** severityRank() as last reported before the fix (at opening while open). */
  severity: number | null;
  /** The fix's verdict, kept when judged (migrations/0015-sla-fix-verdicts.ts): the due date that applied (YYYY-MM-DD; null without an SLA). */
  due_date: string | null;
  /** 1 fixed on or before its due date, 0 after, null without an SLA. */
  fixed_within_sla: number | null;
  days_to_fix: number | null;
  paused_days: number | null;
  /** When the verdict was made; null while open, or fixed and not judged yet. */
  judged_at: string | null;
}
export type SlaClockRow = Selectable<SlaClockTable>;

/** A span an approved exemption paused the SLA clocks of what it covers: from its approval to its expiry or revocation. */
export interface SlaPauseTable {
  id: Generated<number>;
  exemption_id: number;
  /** What the exemption covered, as ExemptionTable says it (kept when a revoked exemption's row is deleted). */
  level: string;
  target_id: number | null;
  scope: string | null;
  issue_id: number | null;
  key: string | null;
  paused_from: string;
  /** Null: no expiry, still running. */
  paused_until: string | null;
}
export type SlaPauseRow = Selectable<SlaPauseTable>;

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
  /** Occurrence.baseId: the source-tree root the scanner says file_path is relative to, or null. */
  base_id: string | null;
  /** JSON: the rest of the Occurrence (domain/finding.ts) without filePath, lines and baseId. */
  place: string;
}

/** A registered catalog location: a file, folder, glob or URL, read again on every refresh. */
export interface LocationTable {
  id: Generated<number>;
  /** Absolute path, glob or URL, as registered. */
  target: string;
  /** `account` or `ORG.PROJECT`: Backstage-format entities read from it live there. */
  scope: string;
  /** `ok`, or `error` when the last read reported an error (a broken file, a conflict …). */
  status: string;
  /** The first error of the last read, as one line; null when it had none. */
  last_error: string | null;
  last_read_at: string | null;
  /** JSON array of the last read's CatalogProblems about files (not about single entities). */
  problems: string;
  created_at: string;
}

export interface EntityTable {
  id: Generated<number>;
  /** metadata.uid: derived from ref_key, so an entity keeps it across refreshes and re-registrations. */
  uid: string;
  /** `kind:namespace/name` as @backstage/catalog-model's stringifyEntityRef prints it. */
  ref: string;
  /** Lower-cased ref: refs compare case-insensitively. */
  ref_key: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  description: string | null;
  /** spec.type */
  type: string | null;
  /** spec.owner, spec.system and spec.domain as full refs. */
  owner_ref: string | null;
  system_ref: string | null;
  domain_ref: string | null;
  lifecycle: string | null;
  /** JSON array of strings. */
  tags: string;
  /** `account` or `ORG.PROJECT`: the entity's own scope. */
  scope: string;
  /** `backstage` or `harness` (harness.io/v1). */
  format: string;
  location_id: number;
  /** Web address of the repository the entity declares (catalog/annotations.ts entityRepository). */
  repository_url: string | null;
  /**
   * The Backstage-shaped JSON the API serves, with metadata.uid, metadata.etag and Lantern's
   * annotations; `relations` and `status` are added when served, from entity_relations and
   * entity_links, because they change without the entity's file changing.
   */
  envelope: string;
  /** JSON array of the CatalogProblems that did not stop the entity from loading. */
  problems: string;
  /** Hash of everything read for the entity: a refresh that reads the same skips it. */
  content_hash: string;
  source_file: string;
  source_document: number;
  source_line: number;
  created_at: string;
  updated_at: string;
}

/** A reference an entity declares in its spec (`spec.owner: team-a` → ownedBy group:default/team-a). */
export interface EntityReferenceTable {
  entity_id: number;
  /** The relation from the declaring entity's side: ownedBy, partOf, dependsOn … */
  type: string;
  target_ref: string;
  field: string;
}

/** Relations both ways: every reference gives a row on its source and, if it exists, its target. */
export interface EntityRelationTable {
  entity_id: number;
  type: string;
  target_ref: string;
  /** 0 when target_ref names no entity in the catalog. */
  target_exists: number;
}

/** One leaf of a served entity, for Backstage's filters, facets and ordering. */
export interface EntitySearchTable {
  entity_id: number;
  /** Lower-cased dotted path (`spec.type`, `metadata.tags.java`). */
  key: string;
  /** Lower-cased value; null for a null value or one over 200 characters. */
  value: string | null;
  /** The value as written, for facets. */
  original_value: string | null;
}

/** One target link of an entity, as last resolved (DESIGN.md: Matching). */
export interface EntityLinkTable {
  id: Generated<number>;
  entity_id: number;
  /** 0-based order among the entity's links: annotation entries, then the implicit repository link. */
  position: number;
  /** 0-based entry in the annotation list; null for the implicit repository link. */
  entry: number | null;
  /** `annotation` or `source-url`. */
  origin: string;
  /** The target name as written. */
  name: string;
  name_key: string;
  /** The name without scheme, host, `.git` and case (catalog/matching.ts similarityKey). */
  similarity_key: string;
  /** `repo` of `owner/repo`; null for a name without a path. */
  last_segment: string | null;
  /** The resolved scope, formatScope() form. */
  scope: string;
  /** The variant requested; null for the baseline. */
  variant: string | null;
  /** 1 when the link shows a scanned variant: there is data to show. */
  matched: number;
  /** The target found by name and scope, even when it has nothing to show. */
  target_id: number | null;
  /** The variant shown, when it exists. */
  variant_id: number | null;
  variant_name: string | null;
  /** `variant`, or how the baseline was chosen (explicit, regex, conventional, most-recent, none). */
  variant_reason: string | null;
  /** JSON array of {level, code, message}. */
  diagnostics: string;
  /**
   * JSON array of the ids of the similar-named targets the diagnostics offer, nearest first, when
   * the link found no target (else null); null too for links resolved before it was kept.
   */
  similar_targets: string | null;
  resolved_at: string;
}

export type LocationRow = Selectable<LocationTable>;
export type EntityRow = Selectable<EntityTable>;
export type EntityLinkRow = Selectable<EntityLinkTable>;
export type NewEntity = Insertable<EntityTable>;
export type NewEntityLink = Insertable<EntityLinkTable>;
export type TargetRow = Selectable<TargetTable>;
export type VariantRow = Selectable<VariantTable>;
export type ScanRow = Selectable<ScanTable>;
export type IssueRow = Selectable<IssueTable>;
export type NewScan = Insertable<ScanTable>;
export type NewIssue = Insertable<IssueTable>;
export type NewScanIssue = Insertable<ScanIssueTable>;
export type NewOccurrence = Insertable<OccurrenceTable>;

interface CountColumns {
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  total: number;
}

/** An entity's security summary, kept current by every change that can alter it (insights/summaries.ts). */
export interface EntitySummaryTable extends CountColumns {
  entity_id: number;
  /** 0 when no link of the entity shows a scanned variant: "no data", not zero issues. */
  has_data: number;
  fixable: number;
  new_count: number;
  exempted: number;
  last_scan_at: string | null;
  /** Links that show nothing. */
  unmatched_links: number;
  /** JSON SeverityBreakdown (insights/summary.ts): fixable and oldest open issue per severity. */
  breakdown: string;
  updated_at: string;
  /** Active issues in CISA KEV; null when unknown (no data, or none of its active issues could be matched with a KEV feed). */
  known_exploited: number | null;
  /** Active issues past their SLA due date, and due within 7 days, at updated_at (migrations/0014-exploitation-sort-keys.ts). */
  sla_breached: number | null;
  sla_due_soon: number | null;
  /** YYYY-MM-DD: the first day an SLA state of its active issues changes by time alone; null when none will. */
  sla_next_change: string | null;
}

/**
 * The entities of one scope, owner, system and domain ('' for none) with the sums of their stored
 * summaries, kept by triggers (migrations/0007-scale-reads.ts): the overview's rollups.
 */
export interface EntityRollupTable {
  scope: string;
  owner_ref: string;
  system_ref: string;
  domain_ref: string;
  entities: number;
  with_data: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
}

/**
 * What an entity summary needs of one variant's current issues, stored (insights/variant-tallies.ts,
 * migrations/0011-target-counts.ts): valid while its target's scans and the exemptions that apply
 * are what the marks say.
 */
export interface VariantTallyTable {
  variant_id: number;
  target_id: number;
  /** `count:max` of the target's scan ids when computed: any scan of the target changes it. */
  scan_mark: string;
  /** Hash of the approved, unexpired exemptions that can cover the target's issues when computed. */
  exemption_mark: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  total: number;
  exempted: number;
  /** JSON VariantTally: the counts above with fixable, new, breakdown and per-scanner counts. */
  tally: string;
  updated_at: string;
}

type SortKeyColumn = `${'asc' | 'desc'}_${'critical' | 'high' | 'medium' | 'low' | 'info' | 'total' | 'name' | 'kind' | 'type' | 'owner' | 'system' | 'lifecycle' | 'last_scan' | 'known_exploited' | 'sla_breached'}`;

/**
 * One row per entity: its filter fields lowered and a key per overview sort and direction, kept by
 * triggers (migrations/0010-overview-sort.ts), so that overview pages are read by index.
 */
export type EntitySortKeyTable = {
  entity_id: number;
  scope: string;
  ref_key: string;
  kind_key: string;
  type_key: string | null;
  lifecycle_key: string | null;
  owner_key: string | null;
  system_key: string | null;
  owner_ref: string | null;
  system_ref: string | null;
  domain_ref: string | null;
  has_data: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  /** The summary's counts, null when unknown or without data (migrations/0014-exploitation-sort-keys.ts). */
  known_exploited: number | null;
  sla_breached: number | null;
} & Record<SortKeyColumn, string>;

/**
 * The sort rows' known-exploited and SLA-breached counts summed per scope, kind, type, lifecycle,
 * owner, system and domain ('' for none), kept by triggers (0014-exploitation-sort-keys.ts).
 */
export interface EntityExploitationRollupTable {
  scope: string;
  kind_key: string;
  type_key: string;
  lifecycle_key: string;
  owner_ref: string;
  system_ref: string;
  domain_ref: string;
  /** Entities whose known-exploited count is known: none, and the sum is unknown rather than 0. */
  entities_known: number;
  known_exploited: number;
  sla_breached: number;
}

/**
 * The sort rows summed per scope, kind, type, lifecycle, owner, system and domain ('' for none),
 * kept by triggers (migrations/0010-overview-sort.ts): the rollups of a filtered overview.
 */
export interface EntityFacetRollupTable extends EntityRollupTable {
  kind_key: string;
  type_key: string;
  lifecycle_key: string;
}

/** How many entities show a target through a matched link, kept by triggers (0010-overview-sort.ts). */
export interface TargetSharingTable {
  target_id: number;
  entities: number;
}

/**
 * Per scorecard with results, one row per entity: its score as the overview's `score` sort reads
 * it, kept by triggers (migrations/0017-score-sort-keys.ts). `missing` 1: no score, last either way.
 */
export interface EntityScoreKeyTable {
  scorecard_id: string;
  entity_id: number;
  ref_key: string;
  missing: number;
  /** The score, 0 when missing. */
  score: number;
  /** -score: the descending sort read ascending. */
  neg_score: number;
}

/** The scorecards that have entity_score_keys rows (0017-score-sort-keys.ts). */
export interface ScoreKeyScorecardTable {
  scorecard_id: string;
}

/** An entity's distinct lowered tags, kept from entity_search by triggers (0017-score-sort-keys.ts). */
export interface EntityTagTable {
  entity_id: number;
  tag: string;
}

/** The sort rows of a tag's entities summed like entity_facet_rollups, kept by triggers (0017-score-sort-keys.ts). */
export interface EntityTagRollupTable extends EntityFacetRollupTable {
  tag: string;
}

/** Per tag, the sort rows' known-exploited and SLA-breached counts summed per facet (migrations/0025), as entity_exploitation_rollups. */
export interface EntityTagExploitationRollupTable extends EntityExploitationRollupTable {
  tag: string;
}

/** The summary as it stood at the end of each day it changed: the trend. */
export interface SummaryHistoryTable extends CountColumns {
  entity_id: number;
  /** YYYY-MM-DD (UTC). */
  day: string;
  has_data: number;
}

/**
 * The steps of the entities' history summed per scope, day and shard (migrations/0019): a scope's
 * trend on a day is the sum of its rows on or before it.
 */
export interface TrendChangeTable extends CountColumns {
  scope: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** entity id modulo 16. */
  shard: number;
  with_data: number;
}

/** Steps of a scorecard's trend per entity scope, day and check (migrations/0021-scorecard-trend.ts). */
export interface ScorecardTrendChangeTable {
  scorecard_id: string;
  scope: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** '' for the scorecard's own counts, else a check's id. */
  check_id: string;
  entities: number;
  scored: number;
  score_tenths: number;
  passing: number;
  pass: number;
  fail: number;
}

/** trend_changes' steps once more per facet value of the entity (migrations/0027-trend-facets.ts). */
export interface TrendFacetChangeTable extends TrendChangeTable {
  /** kind, type, lifecycle, owner, owner_name, system or system_name. */
  facet: string;
  /** The entity's lowered value of the facet (of a ref's name part for *_name). */
  value: string;
}

/** scorecard_trend_changes' steps once more per facet value of the entity (migrations/0027-trend-facets.ts). */
export interface ScorecardTrendFacetChangeTable extends ScorecardTrendChangeTable {
  facet: string;
  value: string;
}

/** A decision to ignore an issue, at target, project, org or account level (DESIGN.md: exemption). */
export interface ExemptionTable {
  id: Generated<number>;
  /** `target`, `project`, `org` or `account`. */
  level: string;
  /** Target level: the target. */
  target_id: number | null;
  /** Project level `ORG.PROJECT`, org level `ORG`, account level null. */
  scope: string | null;
  /** One issue (target level), or null when `key` names what is exempted. */
  issue_id: number | null;
  /** A vulnerability or rule id the exemption covers at its level. */
  key: string | null;
  /** insights/exemptions.ts EXEMPTION_REASONS. */
  reason: string;
  /** The requester's justification. */
  comment: string;
  /** An optional http(s) link the requester gives (a ticket, a design note). */
  link: string | null;
  /** What the decider wrote when approving, rejecting or cancelling. */
  decision_comment: string | null;
  /** Project, org or account level asked from one issue: that issue (issue_id stays null). */
  source_issue_id: number | null;
  /** A request re-opened from a rejected, expired or cancelled one: that one. */
  reopened_from: number | null;
  /** `pending`, `approved`, `rejected` or `cancelled`; expiry is read from expires_at. */
  status: string;
  /** The names people read. */
  requested_by: string | null;
  decided_by: string | null;
  /** The principal ids (user:…, token:…): who asked and who decided, from the identity, never the request. */
  requested_by_id: string | null;
  decided_by_id: string | null;
  expires_at: string | null;
  created_at: string;
  decided_at: string | null;
}
export type ExemptionRow = Selectable<ExemptionTable>;

/** One notification to send to one channel (notifications/deliveries.ts). */
export interface NotificationDeliveryTable {
  id: Generated<number>;
  event: string;
  /** What happened, uniquely (e.g. exemption.requested:12): with `channel`, sent at most once. */
  event_key: string;
  channel: string;
  scope: string;
  /** JSON NotificationMessage. */
  payload: string;
  /** `pending`, `sending` (claimed until lease_until), `sent` or `failed` (gave up). */
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  /** Why the last attempt failed: a status or a network error, never a secret. */
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}
export type NotificationDeliveryRow = Selectable<NotificationDeliveryTable>;

/** A scorecard defined through the API; YAML-defined ones live in their files. */
export interface ScorecardTable {
  id: string;
  /** JSON Scorecard (scorecards/scorecard.ts), its checks written out. */
  definition: string;
  created_at: string;
  updated_at: string;
}

/** An entity's current result on one scorecard that applies to it. */
export interface ScorecardResultTable {
  scorecard_id: string;
  entity_id: number;
  /** Weighted share of passed checks in percent; null when no check was decided. */
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  /**
   * JSON object, in the scorecard's check order: check id → [status, noData (1/0), ...observed
   * values] (scorecards/evaluate.ts). A value that counts days since a moment is kept as that
   * moment, {"daysSince": ISO time}, and counted when read (migrations/0031-scorecard-observed.ts).
   */
  checks: string;
  /** When the result last changed, its statuses, score or stored values. */
  updated_at: string;
  /** The entity's ref: the results page's tie-break (migrations/0019). */
  entity_ref: string | null;
  /** 1 without a score: those rows come last whichever way scores sort. */
  score_missing: number;
  /** The score, 0 without one: a never-null key for the results page's index. */
  score_order: number;
  /**
   * JSON [scope, kind, type, lifecycle, owner, system] of the entity when this result was counted in
   * scorecard_tallies; null when it is not counted (a result stored before those tallies existed).
   */
  tally_group: string | null;
}

/**
 * A scorecard's results summed per group of entities with the same scope, kind, type, lifecycle,
 * owner and system (the facets its pages filter on), kept by evaluation (scorecards/evaluate.ts).
 */
export interface ScorecardTallyTable {
  scorecard_id: string;
  /** ScorecardResultTable.tally_group. */
  entity_group: string;
  entities: number;
  scored: number;
  /** The sum of the scores in tenths (whole numbers: sums of decimals drift). */
  score_tenths: number;
  /** Scored entities whose result failed no check. */
  passing: number;
}

/** Per check, the results of a group that pass and fail it; the rest of the group's entities are unknown. */
export interface ScorecardCheckTallyTable {
  scorecard_id: string;
  entity_group: string;
  check_id: string;
  pass: number;
  fail: number;
}

/** When each scorecard was last evaluated over every entity (migrations/0031-scorecard-observed.ts). */
export interface ScorecardEvaluationTable {
  scorecard_id: string;
  evaluated_at: string;
}

/** The result as it stood at the end of each day it changed: the scorecard's trend. */
export interface ScorecardHistoryTable {
  scorecard_id: string;
  entity_id: number;
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** 0 from the day the scorecard stopped applying to the entity. */
  applies: number;
  score: number | null;
  /** JSON object: check id → pass, fail or unknown. */
  statuses: string;
}

/** One exploitation feed (`kev`, `epss`): what its latest import held, and how its latest attempt went. */
export interface FeedTable {
  name: string;
  /** The file or URL of the latest successful import. */
  source: string | null;
  /** The date the feed says it was released (KEV dateReleased, EPSS score_date), YYYY-MM-DD. */
  feed_date: string | null;
  /** KEV catalogVersion, EPSS model_version. */
  version: string | null;
  rows: number;
  /** When the latest successful import finished; null when none ever did. */
  imported_at: string | null;
  attempted_at: string;
  /** Why the latest attempt failed, null when it succeeded; the previous data stays. */
  error: string | null;
}

/** One CVE in CISA's Known Exploited Vulnerabilities catalog. */
export interface KevEntryTable {
  cve: string;
  date_added: string;
  due_date: string | null;
  /** knownRansomwareCampaignUse: `Known` or `Unknown`. */
  ransomware: string | null;
  vendor: string | null;
  product: string | null;
  name: string | null;
}

/** One CVE's EPSS score: the probability of exploitation in the next 30 days, and its percentile. */
export interface EpssScoreTable {
  cve: string;
  epss: number;
  percentile: number;
}

/**
 * SQLite only: the content table of the FTS5 table entity_name_search (migrations/0032-entity-name-search.ts),
 * which FTS5 keeps with it: each entity's name and title under its id, as its triggers wrote them.
 */
export interface EntityNameSearchContentTable {
  id: number;
  /** The entity's name. */
  c0: string;
  /** The entity's title. */
  c1: string | null;
}

/** A distinct lowered search term of issues: a vulnerability id, package, rule id or alias (migrations/0020). */
export interface SearchTermTable {
  term: string;
}

/** An issue that has (or had: rows are never deleted) a search term; alias 1 for an alias, else 0 (migrations/0020). */
export interface IssueSearchTermTable {
  term: string;
  alias: number;
  issue_id: number;
}

/** A term (alias 1 for an alias, else 0) that `issues` of a current scan's issues have now (migrations/0026). */
export interface ScanSearchTermTable {
  term: string;
  alias: number;
  variant_id: number;
  scan_id: number;
  issues: number;
}
