import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { emptyCounts, type Severity, severityFromRank, severityRank, type SeverityCounts } from '../domain/severity.js';
import { batches } from '../store/batches.js';
import { approvedExemptionsFor } from '../store/exemptions.js';
import type { Database } from '../store/schema.js';
import { scopeAllowed } from '../store/scope-filter.js';
import { issuesWithTerm } from '../store/search-terms.js';
import { containsText } from '../store/text-search.js';
import { coveringExemption } from './exemptions.js';

type Db = Kysely<Database>;

/** Search text shorter than this finds nothing by issue: two letters would match most packages. */
export const MIN_ISSUE_SEARCH = 3;
/** At most this many matching issues are read; the answer says when there were more. */
export const MAX_SEARCHED_ISSUES = 5000;

/**
 * An issue matches a search when its vulnerability id, package or rule id contains the text, or
 * when one of its aliases (kept in `details`) is the text, all case-insensitively.
 */
export function issueMatches<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, alias: string, text: string): Expression<SqlBool> {
  return eb.or([
    containsText(`${alias}.vulnerability_id`, text),
    containsText(`${alias}.package`, text),
    containsText(`${alias}.rule_id`, text),
    containsText(`${alias}.details`, JSON.stringify(text)),
  ]);
}

/** The latest scan of each variant by each scanner: a variant's current state (DESIGN.md). */
function currentScanIds(db: Db, targetIds?: readonly number[]) {
  let latest = db.selectFrom('scans').select((eb) => eb.fn.max('id').as('id'));
  if (targetIds) latest = latest.where('target_id', 'in', targetIds);
  return latest.groupBy(['variant_id', 'scanner']);
}

export interface IssueSearchQuery {
  q: string;
  severity?: Severity[] | undefined;
  /** Only issues on targets, and entities, in these scopes. */
  scopes: ScopeFilter;
  now: string;
}

/** One issue as one variant of its target has it now. */
export interface AffectedRow {
  issueId: number;
  severity: Severity;
  kind: string;
  title: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
  package: string | null;
  installedVersion: string | null;
  fixedVersion: string | null;
  targetId: number;
  targetName: string;
  targetScope: string;
  targetType: string;
  variant: string;
  scanners: string[];
  exempted: boolean;
  /** The entities that show this variant of the target. */
  entities: string[];
}

export interface AffectedEntity {
  entityRef: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  owner: string | null;
  /** The matching active issues this entity shows, each once. */
  counts: SeverityCounts;
  targets: number;
}

export interface IssueSearch {
  q: string;
  /** The matching active issues, each once. */
  counts: SeverityCounts;
  exempted: number;
  entities: AffectedEntity[];
  targets: number;
  variants: number;
  rows: AffectedRow[];
  /** True when more than MAX_SEARCHED_ISSUES issues matched and only that many were read. */
  truncated: boolean;
}

function countOnce(worst: Map<number, number>): SeverityCounts {
  const counts = emptyCounts();
  for (const rank of worst.values()) {
    counts[severityFromRank(rank)]++;
    counts.total++;
  }
  return counts;
}

/**
 * Where is an issue: every current issue of every target in the caller's scopes whose id, alias,
 * package or rule matches, with the variants that have it now and the entities that show them.
 */
export async function searchIssues(db: Db, query: IssueSearchQuery): Promise<IssueSearch> {
  const text = query.q.trim().toLowerCase();
  const empty: IssueSearch = { q: query.q, counts: emptyCounts(), exempted: 0, entities: [], targets: 0, variants: 0, rows: [], truncated: false };
  if (text.length < MIN_ISSUE_SEARCH) return empty;

  const issues = await db
    .selectFrom('issues as i')
    .innerJoin('targets as t', 't.id', 'i.target_id')
    .select(['i.id', 'i.target_id', 'i.kind', 'i.title', 'i.vulnerability_id', 'i.rule_id', 'i.package', 'i.installed_version', 'i.fixed_version', 't.name as target_name', 't.scope as target_scope', 't.type as target_type'])
    // The candidates by their search terms (an index), each checked against its current columns.
    .where('i.id', 'in', issuesWithTerm(db, text))
    .where((eb) => eb.and([issueMatches(eb, 'i', text), scopeAllowed(eb, 't.scope', query.scopes)]))
    .orderBy('i.id')
    .limit(MAX_SEARCHED_ISSUES + 1)
    .execute();
  const truncated = issues.length > MAX_SEARCHED_ISSUES;
  if (truncated) issues.pop();
  if (issues.length === 0) return empty;
  const issueById = new Map(issues.map((i) => [i.id, i]));
  const targetIds = [...new Set(issues.map((i) => i.target_id))];

  // Which variants have each issue now, at the worst severity their current scans give it.
  const presence = new Map<string, { issueId: number; variantId: number; rank: number; scanners: Set<string> }>();
  for (const ids of batches(issues.map((i) => i.id))) {
    const rows = await db
      .selectFrom('scan_issues as si')
      .innerJoin('scans as s', 's.id', 'si.scan_id')
      .select(['si.issue_id', 'si.severity', 's.variant_id', 's.scanner'])
      .where('si.issue_id', 'in', ids)
      .where('s.id', 'in', currentScanIds(db, targetIds))
      .execute();
    for (const row of rows) {
      const key = `${row.issue_id}:${row.variant_id}`;
      const seen = presence.get(key) ?? { issueId: row.issue_id, variantId: row.variant_id, rank: row.severity, scanners: new Set<string>() };
      seen.rank = Math.max(seen.rank, row.severity);
      seen.scanners.add(row.scanner);
      presence.set(key, seen);
    }
  }
  const variantIds = [...new Set([...presence.values()].map((p) => p.variantId))];
  const variantName = new Map<number, string>();
  const showing = new Map<number, Array<{ entityId: number }>>();
  const entityRows = new Map<number, { ref: string; kind: string; namespace: string; name: string; title: string | null; owner_ref: string | null }>();
  for (const ids of batches(variantIds)) {
    for (const v of await db.selectFrom('variants').select(['id', 'name']).where('id', 'in', ids).execute()) variantName.set(v.id, v.name);
    const links = await db
      .selectFrom('entity_links as l')
      .innerJoin('entities as e', 'e.id', 'l.entity_id')
      .select(['l.variant_id', 'e.id', 'e.ref', 'e.kind', 'e.namespace', 'e.name', 'e.title', 'e.owner_ref'])
      .where('l.matched', '=', 1)
      .where('l.variant_id', 'in', ids)
      .where((eb) => scopeAllowed(eb, 'e.scope', query.scopes))
      .execute();
    for (const link of links) {
      entityRows.set(link.id, link);
      const list = showing.get(link.variant_id as number) ?? [];
      if (!list.some((s) => s.entityId === link.id)) list.push({ entityId: link.id });
      showing.set(link.variant_id as number, list);
    }
  }

  const exemptions = await approvedExemptionsFor(db, targetIds);
  const wanted = query.severity ? new Set(query.severity) : undefined;
  const rows: AffectedRow[] = [];
  const active = new Map<number, number>();
  const exempted = new Set<number>();
  const perEntity = new Map<number, { worst: Map<number, number>; targets: Set<number> }>();
  for (const p of presence.values()) {
    const issue = issueById.get(p.issueId);
    if (!issue) continue;
    const severity = severityFromRank(p.rank);
    if (wanted && !wanted.has(severity)) continue;
    const isExempted =
      exemptions.length > 0 &&
      coveringExemption({ id: issue.id, targetId: issue.target_id, targetScope: issue.target_scope, vulnerabilityId: issue.vulnerability_id, ruleId: issue.rule_id }, exemptions, query.now) !== undefined;
    const shownBy = showing.get(p.variantId) ?? [];
    rows.push({
      issueId: issue.id,
      severity,
      kind: issue.kind,
      title: issue.title,
      vulnerabilityId: issue.vulnerability_id,
      ruleId: issue.rule_id,
      package: issue.package,
      installedVersion: issue.installed_version,
      fixedVersion: issue.fixed_version,
      targetId: issue.target_id,
      targetName: issue.target_name,
      targetScope: issue.target_scope,
      targetType: issue.target_type,
      variant: variantName.get(p.variantId) ?? '',
      scanners: [...p.scanners].sort(),
      exempted: isExempted,
      entities: shownBy.map((s) => entityRows.get(s.entityId)?.ref ?? '').sort(),
    });
    if (isExempted) {
      exempted.add(issue.id);
      continue;
    }
    active.set(issue.id, Math.max(active.get(issue.id) ?? 0, p.rank));
    for (const { entityId } of shownBy) {
      const entry = perEntity.get(entityId) ?? { worst: new Map<number, number>(), targets: new Set<number>() };
      entry.worst.set(issue.id, Math.max(entry.worst.get(issue.id) ?? 0, p.rank));
      entry.targets.add(issue.target_id);
      perEntity.set(entityId, entry);
    }
  }
  rows.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      a.targetName.localeCompare(b.targetName) ||
      a.variant.localeCompare(b.variant) ||
      (a.vulnerabilityId ?? a.ruleId ?? a.title).localeCompare(b.vulnerabilityId ?? b.ruleId ?? b.title) ||
      a.issueId - b.issueId,
  );
  const entities = [...perEntity.entries()]
    .map(([id, entry]): AffectedEntity => {
      const e = entityRows.get(id) as NonNullable<ReturnType<typeof entityRows.get>>;
      return { entityRef: e.ref, kind: e.kind, namespace: e.namespace, name: e.name, title: e.title, owner: e.owner_ref, counts: countOnce(entry.worst), targets: entry.targets.size };
    })
    .sort((a, b) => b.counts.critical - a.counts.critical || b.counts.high - a.counts.high || b.counts.total - a.counts.total || a.entityRef.localeCompare(b.entityRef));
  return {
    q: query.q,
    counts: countOnce(active),
    exempted: [...exempted].filter((id) => !active.has(id)).length,
    entities,
    targets: new Set(rows.map((r) => r.targetId)).size,
    variants: new Set(rows.map((r) => `${r.targetId}:${r.variant}`)).size,
    rows,
    truncated,
  };
}
