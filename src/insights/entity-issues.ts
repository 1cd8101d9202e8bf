import type { Kysely } from 'kysely';
import { InputError } from '../domain/errors.js';
import { readCursor, writeCursor } from '../domain/page-cursor.js';
import { type Severity, severityRank } from '../domain/severity.js';
import { batches } from '../store/batches.js';
import type { IssueListing } from '../store/issues.js';
import type { Database } from '../store/schema.js';
import { entityState, type EntityState } from './entity-state.js';
import { identifierOrder, issuesBySeverity } from './issue-pages.js';
import type { ExemptionLevel, ExemptionReason } from './exemptions.js';
import { type EpssMatch, type Exploitation, exploitationOf, type KevMatch } from './exploitation.js';
import { priorityKey, priorityReason } from './priority.js';
import { issuesByPriority } from './priority-order.js';
import { openSlaClocks } from './sla-clock.js';
import { DEFAULT_SLA_POLICIES, policyFor, type SlaPolicies, type SlaStatus, slaStatus } from './sla.js';
import { type ShownIssue, shownIssues } from './summary.js';

type Db = Kysely<Database>;

export const ISSUE_SORTS = ['severity', 'title', 'package', 'firstSeen', 'priority'] as const;
export type IssueSortKey = (typeof ISSUE_SORTS)[number];

export interface IssueQuery {
  severity?: Severity[] | undefined;
  scanner?: string[] | undefined;
  kind?: string[] | undefined;
  target?: number | undefined;
  /** Default: active issues (new and common); `exempted` lists the exempted ones instead. */
  status?: 'new' | 'common' | 'exempted' | undefined;
  q?: string | undefined;
  /** Only issues in KEV (`listed`), not in it, or never matched with it (no feed, no CVE id). */
  kev?: KevMatch['state'] | undefined;
  /** Only issues whose EPSS score is at least this. */
  epssMin?: number | undefined;
  /** Only issues in this SLA state. */
  sla?: SlaStatus['state'] | undefined;
  /** `priority`, `severity`, `-severity`, `title`, `package`, `firstSeen`, with `-` for descending. */
  sort?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** The approved exemption that takes an issue out of the counts: what an exempted row shows. */
export interface CoveringExemption {
  id: number;
  reason: ExemptionReason;
  level: ExemptionLevel;
  expiresAt: string | null;
}

/** An issue in an entity's list: the issue listing, where it is shown, and whether it is exempted (and by which exemption). */
export interface EntityIssue extends IssueListing {
  exempted: boolean;
  exemption: CoveringExemption | null;
  targetName: string;
  variant: string;
  location: { filePath: string; startLine: number | null; endLine: number | null } | null;
  kev: KevMatch;
  epss: EpssMatch;
  /** Why the priority order puts it where it is (insights/priority.ts). */
  priorityReason: string;
  sla: SlaStatus;
}

export interface IssuePage {
  items: EntityIssue[];
  total: number;
  nextCursor: string | null;
  facets: { scanners: string[]; kinds: string[]; targets: Array<{ targetId: number; name: string }> };
}

export const DEFAULT_ISSUE_LIMIT = 50;
export const MAX_ISSUE_LIMIT = 500;

/**
 * An entity's current issues, filtered, sorted and paged (docs/insights-api.md). A state read with
 * tallies (entity-state.ts) answers the first pages by severity through indexes (issue-pages.ts);
 * `priority` and `-priority`, unfiltered or filtered by anything but `q`, are ordered by the
 * database from stored parts (priority-order.ts); any other
 * query reads every issue of the state, reading the state again when it came with tallies.
 */
export async function entityIssues(db: Db, state: EntityState, query: IssueQuery, now: string, policies: SlaPolicies = DEFAULT_SLA_POLICIES): Promise<IssuePage> {
  const sort = query.sort ?? '-severity';
  const key = sortKey(sort);
  const limit = query.limit ?? DEFAULT_ISSUE_LIMIT;
  const offset = readCursor(query.cursor);
  const unfiltered = [query.severity, query.scanner, query.kind, query.target, query.status, query.q?.trim() || undefined, query.kev, query.epssMin, query.sla].every((v) => v === undefined);
  if (key === 'severity' && unfiltered) {
    const indexed = await issuesBySeverity(db, state, sort.startsWith('-'), offset, limit, now);
    if (indexed) {
      return {
        items: await itemsOf(db, state, indexed.page, now, policies),
        total: indexed.total,
        nextCursor: offset + limit < indexed.total ? writeCursor(offset + limit) : null,
        facets: talliedFacets(state),
      };
    }
  }
  // Ordered (and filtered) by the database from each issue's stored priority parts and open SLA
  // clocks (priority-order.ts). The q filter needs the text of each issue's first file: such lists
  // fall back to matching and sorting every issue below.
  if (key === 'priority' && !query.q?.trim()) {
    const filter = { severity: query.severity, scanner: query.scanner, kind: query.kind, target: query.target, status: query.status, kev: query.kev, epssMin: query.epssMin, sla: query.sla };
    const ordered = await issuesByPriority(db, state, offset, limit, now, filter, sort.startsWith('-'), policies);
    if (ordered) {
      // Each issue's first file came with the page.
      const locations = new Map(ordered.page.flatMap((p) => (p.location ? [[p.issue.id, p.location] as const] : [])));
      return {
        items: await itemsOf(db, state, ordered.page, now, policies, undefined, locations),
        total: ordered.total,
        nextCursor: offset + limit < ordered.total ? writeCursor(offset + limit) : null,
        facets: talliedFacets(state),
      };
    }
  }
  if (state.targets.some((t) => t.tally !== undefined)) state = await entityState(db, state.entity);

  const issues = mergeVariants(shownIssues(state, now));
  const text = query.q?.trim().toLowerCase();
  // A text search looks at every issue's file; otherwise only the page's files are read.
  const searched = text ? await firstLocations(db, state, issues) : undefined;
  const facets = {
    scanners: [...new Set(issues.flatMap((i) => i.issue.scanners))].sort(),
    kinds: [...new Set(issues.map((i) => i.issue.kind))].sort(),
    targets: targetFacets(state),
  };

  const matching = issues.filter(({ issue, target, exempted }) => {
    if (query.status === 'exempted' ? !exempted : exempted) return false;
    if (query.status === 'new' && !issue.new) return false;
    if (query.status === 'common' && issue.new) return false;
    if (query.severity && !query.severity.includes(issue.severity)) return false;
    if (query.scanner && !issue.scanners.some((s) => query.scanner?.includes(s))) return false;
    if (query.kind && !query.kind.includes(issue.kind)) return false;
    if (query.target !== undefined && target.targetId !== query.target) return false;
    if (text) {
      const haystack = [issue.title, issue.vulnerabilityId, issue.ruleId, issue.package, searched?.get(issue.id)?.filePath];
      if (!haystack.some((field) => field?.toLowerCase().includes(text))) return false;
    }
    return true;
  });
  // Exploitation is read for every matching issue only when the order or a filter needs it.
  const whole = key === 'priority' || query.kev !== undefined || query.epssMin !== undefined || query.sla !== undefined;
  const known = whole ? await exploitationOf(db, matching.map((m) => m.issue)) : undefined;
  const clocks = query.sla !== undefined ? await openSlaClocks(db, matching, now) : undefined;
  const clockOf = (issue: IssueListing, target: { variantId: number }) => clocks?.get(`${target.variantId}:${issue.id}`);
  const chosen = known
    ? matching.filter(({ issue, target, exempted }) => {
        const { kev, epss } = known.get(issue.id) as Exploitation;
        return (
          (query.kev === undefined || kev.state === query.kev) &&
          (query.epssMin === undefined || (epss.score !== null && epss.score >= query.epssMin)) &&
          (query.sla === undefined || slaStatus({ ...issue, kev }, policyFor(policies, target.scope), now, exempted, clockOf(issue, target)).state === query.sla)
        );
      })
    : matching;
  chosen.sort(comparator(sort, key, known));

  const page = chosen.slice(offset, offset + limit);
  return {
    items: await itemsOf(db, state, page, now, policies, known, searched, clocks),
    total: chosen.length,
    nextCursor: offset + limit < chosen.length ? writeCursor(offset + limit) : null,
    facets,
  };
}

/** The facets of a state whose every target comes with its tally. */
function talliedFacets(state: EntityState): IssuePage['facets'] {
  const tallies = state.targets.map((t) => t.tally as NonNullable<typeof t.tally>);
  return {
    scanners: [...new Set(tallies.flatMap((t) => t.reporting))].sort(),
    kinds: [...new Set(tallies.flatMap((t) => t.kinds))].sort(),
    targets: targetFacets(state),
  };
}

function targetFacets(state: EntityState): IssuePage['facets']['targets'] {
  return state.targets.filter((t, i, all) => all.findIndex((o) => o.targetId === t.targetId) === i).map((t) => ({ targetId: t.targetId, name: t.name }));
}

/** A page's issues with where they are, their exploitation, priority and SLA; what is given (`located`: each issue's first file) is not read again. */
async function itemsOf(
  db: Db,
  state: EntityState,
  page: readonly ShownIssue[],
  now: string,
  policies: SlaPolicies,
  known?: Map<number, Exploitation>,
  located?: Map<number, NonNullable<EntityIssue['location']>>,
  clocks?: Awaited<ReturnType<typeof openSlaClocks>>,
): Promise<EntityIssue[]> {
  // Independent reads, each on its own connection on PostgreSQL.
  const [locations, exploitation, pageClocks] = await Promise.all([
    located ?? firstLocations(db, state, page),
    known ?? exploitationOf(db, page.map((p) => ({ id: p.issue.id, vulnerabilityId: p.issue.vulnerabilityId, aliasDetails: p.aliasDetails }))),
    clocks ?? openSlaClocks(db, page, now, state.slaPauses),
  ]);
  return page.map(({ issue, target, exempted, exemption }) => {
    const found = exploitation.get(issue.id) as Exploitation;
    return {
      ...issue,
      exempted,
      exemption: exemption ? { id: exemption.id, reason: exemption.reason as ExemptionReason, level: exemption.level as ExemptionLevel, expiresAt: exemption.expires_at } : null,
      targetName: target.name,
      variant: target.variant,
      location: locations.get(issue.id) ?? null,
      ...found,
      priorityReason: priorityReason({ ...issue, ...found }),
      sla: slaStatus({ ...issue, kev: found.kev }, policyFor(policies, target.scope), now, exempted, pageClocks.get(`${target.variantId}:${issue.id}`)),
    };
  });
}

/** An issue shown through two variants of one target is one row: worst severity, new only if new in both. */
export function mergeVariants(issues: ShownIssue[]): ShownIssue[] {
  const byId = new Map<number, ShownIssue>();
  for (const shown of issues) {
    const seen = byId.get(shown.issue.id);
    if (!seen) byId.set(shown.issue.id, shown);
    else {
      const a = seen.issue;
      const b = shown.issue;
      byId.set(b.id, {
        ...seen,
        issue: {
          ...a,
          severity: severityRank(b.severity) > severityRank(a.severity) ? b.severity : a.severity,
          new: a.new && b.new,
          scanners: [...new Set([...a.scanners, ...b.scanners])].sort(),
          occurrences: a.occurrences + b.occurrences,
        },
      });
    }
  }
  return [...byId.values()];
}

/** Each issue's first occurrence with a file, in its current scans. */
async function firstLocations(db: Db, state: EntityState, issues: readonly ShownIssue[]): Promise<Map<number, NonNullable<EntityIssue['location']>>> {
  const scanIds = state.targets.flatMap((t) => t.scans.map((s) => s.id));
  const out = new Map<number, NonNullable<EntityIssue['location']>>();
  if (scanIds.length === 0 || issues.length === 0) return out;
  // By issue, through the (issue_id, scan_id) index.
  for (const batch of batches(issues.map((i) => i.issue.id))) {
    const rows = await db
      .selectFrom('occurrences')
      .select(['issue_id', 'file_path', 'start_line', 'end_line'])
      .where('issue_id', 'in', batch)
      .where('scan_id', 'in', scanIds)
      .where('file_path', 'is not', null)
      .orderBy('id')
      .execute();
    for (const row of rows) {
      if (!out.has(row.issue_id)) out.set(row.issue_id, { filePath: row.file_path as string, startLine: row.start_line, endLine: row.end_line });
    }
  }
  return out;
}

function sortKey(sort: string): IssueSortKey {
  const key = sort.startsWith('-') ? sort.slice(1) : sort;
  if (!(ISSUE_SORTS as readonly string[]).includes(key)) {
    throw new InputError(`Invalid sort ${JSON.stringify(sort)}: expected one of ${ISSUE_SORTS.join(', ')}, with a leading "-" for descending.`);
  }
  return key as IssueSortKey;
}

/** `known` holds the exploitation of every issue sorted when the key is `priority`. */
function comparator(sort: string, key: IssueSortKey, known: Map<number, Exploitation> | undefined): (x: ShownIssue, y: ShownIssue) => number {
  const descending = sort.startsWith('-');
  // Each issue's priority key is made once, not on each of the sort's comparisons.
  const keys = new Map<number, string>();
  const keyOf = (i: IssueListing) => {
    let key = keys.get(i.id);
    if (key === undefined) keys.set(i.id, (key = priorityKey({ ...i, ...(known?.get(i.id) as Exploitation) })));
    return key;
  };
  const text = (value: string | null) => (value ?? '').toLowerCase();
  const compare: Record<IssueSortKey, (a: IssueListing, b: IssueListing) => number> = {
    severity: (a, b) => severityRank(a.severity) - severityRank(b.severity),
    title: (a, b) => text(a.title).localeCompare(text(b.title)),
    package: (a, b) => text(a.package).localeCompare(text(b.package)),
    firstSeen: (a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt),
    priority: (a, b) => {
      const x = keyOf(a);
      const y = keyOf(b);
      return x < y ? -1 : x > y ? 1 : 0;
    },
  };
  const byKey = compare[key];
  // Ties break on the identifier, then the id, so pages never overlap; the identifier compares as
  // the index that reads the first pages orders it (issue-pages.ts).
  return ({ issue: a }, { issue: b }) =>
    (descending ? -byKey(a, b) : byKey(a, b)) ||
    identifierOrder({ key: text(a.vulnerabilityId ?? a.ruleId), id: a.id }, { key: text(b.vulnerabilityId ?? b.ruleId), id: b.id });
}
