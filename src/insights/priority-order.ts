import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { type Severity, severityRank } from '../domain/severity.js';
import { batches, inValues } from '../store/batches.js';
import { aggregateIssues, aliasDetailsIn, aliasDetailsOf, type PriorityInputs, SCAN_ISSUE_COLUMNS, type ScanIssueRowWithAliases, scanIssueRowsOf } from '../store/issues.js';
import { isPostgres } from '../store/row-locks.js';
import type { Database, ExemptionRow, SlaPauseRow } from '../store/schema.js';
import type { EpssTable } from '../store/feeds.js';
import { slaPausesFor } from '../store/sla-pauses.js';
import type { EntityState } from './entity-state.js';
import { coveringExemption, namesIssue } from './exemptions.js';
import { cvesOf, type Exploitation, exploitationOf, feedMatcher, higherScannerEpss, type KevMatch, type ScannerEpss, scannerEpssOf, unenriched } from './exploitation.js';
import { priorityParts } from './priority.js';
import { epssCondition, epssFieldEquals, epssFieldOf, kevCondition, slaCondition } from './priority-filters.js';
import { DEFAULT_SLA_POLICIES, policyFor, type SlaPolicies, type SlaStatus, slaStatus } from './sla.js';
import { openSlaClocks } from './sla-clock.js';
import { type KeyedRow, refreshEveryPriorityKey, writePriorityParts } from './priority-refresh.js';
import type { ShownIssue } from './summary.js';

type Db = Kysely<Database>;

/** An issue's first occurrence with a file: where a listed issue is. */
export interface Location {
  filePath: string;
  startLine: number | null;
  endLine: number | null;
}

/**
 * The priority order stored per issue (migrations/0016): `issues.priority_head` and
 * `priority_tail` are priorityParts() of the issue as exploitationOf() matches it now, so that the
 * database orders an entity's issues by head, worst severity, tail, id — exactly priorityKey()'s
 * order — instead of every issue being matched with the feeds and sorted in JavaScript on every
 * request. They are written in the transaction of whatever changes them:
 *   - an ingest, for the scan's issues (new issues, rewritten aliases or fixed version, an EPSS a
 *     scanner reported on a new occurrence);
 *   - a feed import, for every issue with a vulnerability id (an issue without one is never
 *     matched with a feed).
 * Exemptions take issues out of the list when read; they never change an issue's place.
 */

const REFRESH_BATCH = 5000;

/**
 * Writes the stored priority parts of these issues where they changed. Issues in `written` (an
 * ingest's, as store/issues.ts writeIssues left them in this transaction) are not read back.
 */
export async function refreshPriorityKeys(db: Db, issueIds: Iterable<number>, written?: ReadonlyMap<number, PriorityInputs>): Promise<number> {
  let changed = 0;
  const postgres = isPostgres(db);
  for (const batch of batches(issueIds, REFRESH_BATCH)) {
    const rows: KeyedRow[] = [];
    const unread: number[] = [];
    for (const id of batch) {
      const known = written?.get(id);
      if (known) rows.push({ id, ...known, alias_details: known.vulnerability_id === null ? null : aliasDetailsIn(known.details, postgres) });
      else unread.push(id);
    }
    if (unread.length > 0) rows.push(...(await db.selectFrom('issues').select(['id', 'vulnerability_id', 'rule_id', 'fixed_version', 'priority_head', 'priority_tail']).where(inValues(db, 'id', unread)).execute()));
    changed += await writePriorityParts(db, rows);
    // On SQLite every statement ran synchronously: let other requests in between batches.
    await nextTurn();
  }
  return changed;
}

/** What an issue about to be inserted is given its priority parts from: its fields, and the places of its occurrences in this scan. */
export interface NewIssueInputs {
  vulnerability_id: string | null;
  rule_id: string | null;
  fixed_version: string | null;
  details: string;
  places: ReadonlyArray<{ details?: unknown }>;
}

/**
 * The priority parts of issues an ingest is about to insert, so that they are written with the
 * row instead of by an update of every new issue after it: exactly what refreshPriorityKeys would
 * compute once the rows and their occurrences are stored. A new issue has no occurrence but this
 * scan's, so the EPSS a scanner reported (while no EPSS feed is loaded) is read from the places
 * in memory, as scannerEpssOf reads each stored one; its CVE aliases from its details, as the
 * store's LIKE would pick them (aliasDetailsIn). The feeds are read in one query, as for a page,
 * and not at all when no issue has a CVE id or a scanner's EPSS.
 * An issue the same scan reports again in a later chunk gets more occurrences, so its parts are
 * computed again after them (the ingest's refreshPriorityKeys).
 */
export async function partsOfNewIssues(db: Db, issues: readonly NewIssueInputs[]): Promise<Array<{ head: string; tail: string }>> {
  if (issues.length === 0) return [];
  const postgres = isPostgres(db);
  // Keyed by position: aliasDetails given, so cvesOf reads nothing.
  const cves = await cvesOf(
    db,
    issues.map((issue, i) => ({ id: i, vulnerabilityId: issue.vulnerability_id, aliasDetails: issue.vulnerability_id === null ? null : aliasDetailsIn(issue.details, postgres) })),
  );
  // The highest EPSS a scanner reported, for an issue with a vulnerability id (as exploitationOf reads them).
  const scanner = issues.map((issue) =>
    issue.vulnerability_id === null ? undefined : issue.places.reduce<ScannerEpss | undefined>((highest, place) => higherScannerEpss(highest, scannerEpssOf(place)), undefined),
  );
  const parts = (issue: NewIssueInputs, match: Exploitation) => priorityParts({ ...match, fixedVersion: issue.fixed_version, vulnerabilityId: issue.vulnerability_id, ruleId: issue.rule_id });
  // Issues without a CVE id or a scanner's EPSS (a code, secret or configuration scanner's) match
  // no feed: the feeds are not read for them.
  if (cves.size === 0 && scanner.every((s) => s === undefined)) {
    const none = unenriched();
    return issues.map((issue) => parts(issue, none));
  }
  const feeds = await feedMatcher(db, [...new Set([...cves.values()].flat())]);
  // A scanner's EPSS stands in only while no EPSS feed is loaded.
  return issues.map((issue, i) => parts(issue, feeds.match(cves.get(i) ?? [], feeds.epssLoaded ? undefined : scanner[i])));
}

/**
 * Writes the stored priority parts of every issue a feed can change (those with a vulnerability
 * id) and of any not computed yet, where they changed: after a feed import, in its transaction.
 * Each distinct (vulnerability id, aliases) is matched once and the rows are written by one
 * set-based UPDATE (insights/priority-refresh.ts). An EPSS import names the table it filled.
 */
export async function refreshAllPriorityKeys(db: Db, epssTable: EpssTable = 'epss_scores'): Promise<number> {
  return refreshEveryPriorityKey(db, epssTable);
}

/**
 * The filters of an entity's issue list that the database answers from stored columns: each is
 * as entity-issues.ts applies it in JavaScript — `severity` the issue's worst severity over the
 * shown scans, `scanner` any shown scan of those scanners reports it, `status` new (new in every
 * shown scan that reports it), common (not new in one of them) or exempted (listed instead of the
 * active ones); `kev`, `epssMin` and `sla` read the stored parts (priority-filters.ts) and the
 * open SLA clocks. The `q` filter is not here: it needs the text of each issue's first file, and
 * such lists are sorted in JavaScript.
 */
export interface PriorityFilter {
  severity?: readonly Severity[] | undefined;
  scanner?: readonly string[] | undefined;
  kind?: readonly string[] | undefined;
  target?: number | undefined;
  status?: 'new' | 'common' | 'exempted' | undefined;
  /** Listed in KEV; not listed (a KEV feed is loaded and the issue has a CVE id); never enriched (no feed, or no CVE id). */
  kev?: KevMatch['state'] | undefined;
  /** An EPSS score (the feed's, or the scanner's while no EPSS feed is loaded) of at least this. */
  epssMin?: number | undefined;
  /** This SLA state now, by the policy of the issue's target (`policies`). */
  sla?: SlaStatus['state'] | undefined;
}

/**
 * Issues `offset` to `offset + limit` of the entity's active issues (or its exempted ones) in
 * priority order, or its reverse when `descending`, ordered by the database from the stored parts:
 * one query over the shown scans' (scan, issue) pairs orders the first `offset + limit` ids
 * (exempted ones left out by id) and, in the same query, reads only the page's issues whole, each
 * with its first file, which are then matched with the feeds and given their reason. The total
 * comes from the shown variants' tallies when nothing
 * is filtered, else from a count over the same query's rows (a window: one query, one pass over
 * the pairs). Undefined when this path cannot answer: a target
 * shown through several variants (its issues are merged as entity-issues.ts does), a variant
 * without a valid tally, or an issue whose parts are not computed yet (after the upgrade, until its
 * target's next ingest or the next feed import: such issues pass every filter on the parts and are
 * ordered first, so the first row tells).
 */
export async function issuesByPriority(
  db: Db,
  state: EntityState,
  offset: number,
  limit: number,
  now: string,
  filter: PriorityFilter = {},
  descending = false,
  policies: SlaPolicies = DEFAULT_SLA_POLICIES,
): Promise<{ page: Array<ShownIssue & { location: Location | null }>; total: number } | undefined> {
  if (state.targets.some((t) => t.tally === undefined)) return undefined;
  if (new Set(state.targets.map((t) => t.targetId)).size !== state.targets.length) return undefined;
  const filtered = Object.values(filter).some((v) => v !== undefined);
  const shown = state.targets.filter((t) => filter.target === undefined || t.targetId === filter.target);
  const scanIds = shown.flatMap((t) => t.scans.map((s) => s.id));
  const tallied = filtered ? undefined : state.targets.reduce((n, t) => n + (t.tally as NonNullable<typeof t.tally>).counts.total, 0);
  if (scanIds.length === 0 || (tallied !== undefined && offset >= tallied)) return { page: [], total: tallied ?? 0 };
  const targetOf = new Map(state.targets.map((t) => [t.targetId, t]));
  // A scanner filter keeps the issues any of those scanners' shown scans report; their severity
  // stays the worst over every shown scan, as in JavaScript.
  const scannerScans = filter.scanner ? shown.flatMap((t) => t.scans.filter((s) => filter.scanner?.includes(s.scanner)).map((s) => s.id)) : undefined;
  if (scannerScans?.length === 0) return { page: [], total: 0 };
  // What the conditions need is read at once, each read on its own connection on PostgreSQL.
  const exemptedList = filter.status === 'exempted';
  const [exempted, decided] = await Promise.all([
    exemptedIssues(db, state, scanIds, now),
    filter.sla !== undefined && !exemptedList ? pausedStates(db, state, scanIds, now, policies) : new Map<number, SlaStatus['state']>(),
  ]);
  if (exemptedList && exempted.size === 0) return { page: [], total: 0 };

  // The kev and epssMin conditions read the issue's row; sla reads its worst severity and its
  // open clock in the shown variant (joined only then). An issue whose parts are not computed yet
  // passes them, so that the first row tells.
  const onParts: RawBuilder<SqlBool>[] = [];
  if (filter.kev !== undefined) onParts.push(kevCondition(db, filter.kev));
  let onClock: RawBuilder<SqlBool> | undefined;
  if (filter.sla !== undefined) {
    onClock = slaCondition(db, filter.sla, shown.map((t) => ({ targetId: t.targetId, policy: policyFor(policies, t.scope) })), now, exemptedList, decided);
    if (onClock === undefined) return undefined;
  }
  const unkeyed = sql<SqlBool>`issues.priority_head is null or issues.priority_tail is null`;

  const pairs = db.selectFrom('scan_issues').innerJoin('issues', 'issues.id', 'scan_issues.issue_id');
  const clocked =
    onClock === undefined
      ? pairs
      : (pairs.leftJoin('sla_clocks as sla_clock', (join) =>
          join
            .onRef('sla_clock.issue_id', '=', 'issues.id')
            .on('sla_clock.fixed_at', 'is', null)
            .on('sla_clock.variant_id', 'in', shown.map((t) => t.variantId)),
        ) as unknown as typeof pairs);
  // The first `offset + limit` matching issues in order and, when filtered, how many match in all
  // (a window over the grouped rows, so one query both counts and orders), the page's issues (past
  // `offset`) joined in the same query with their (scan, issue) rows, the details that may name a
  // CVE alias and their first file: the page is listed and matched with the feeds without another
  // round trip. Of the issues before a deep page only the first comes back (it tells whether any
  // parts are not computed yet), picked by its place in the order: a window only deep pages pay
  // for, as it makes SQLite sort every matching issue instead of keeping the first few. `epss` is
  // the epssMin condition: issues whose EPSS field equals epssMin's are counted (`edge`) and, when
  // there are any, decided on their scores by a second query (epssAtLeast).
  const orderedBy = async (epss: { condition: RawBuilder<SqlBool>; countEdge: boolean } | undefined) => {
    const conditions = epss ? [...onParts, epss.condition] : onParts;
    let query = clocked.select(['issues.id', 'issues.target_id', 'issues.priority_head', 'issues.priority_tail']).where('scan_issues.scan_id', 'in', scanIds);
    if (conditions.length > 0) query = query.where(sql<SqlBool>`(${unkeyed} or (${sql.join(conditions, sql` and `)}))`);
    if (exemptedList) query = query.where(inValues(db, 'issues.id', [...exempted.keys()]));
    else if (exempted.size > 0) query = query.where((eb) => eb.not(inValues(db, 'issues.id', [...exempted.keys()])));
    if (filter.kind) query = query.where('issues.kind', 'in', filter.kind.length > 0 ? [...filter.kind] : ['']);
    let grouped = query.groupBy(['issues.id', 'issues.target_id', 'issues.priority_head', 'issues.priority_tail']);
    if (filter.severity) {
      const ranks = filter.severity.map((s) => severityRank(s));
      grouped = grouped.having(sql<number>`max(scan_issues.severity)`, 'in', ranks.length > 0 ? ranks : [-1]);
    }
    if (scannerScans) grouped = grouped.having(sql<number>`max(case when ${inValues(db, 'scan_issues.scan_id', scannerScans)} then 1 else 0 end)`, '=', 1);
    if (filter.status === 'new') grouped = grouped.having(sql<number>`min(scan_issues.is_new)`, '=', 1);
    if (filter.status === 'common') grouped = grouped.having(sql<number>`min(scan_issues.is_new)`, '=', 0);
    if (onClock) grouped = grouped.having(sql<SqlBool>`(${unkeyed} or ${onClock})`);
    // Code-point order on PostgreSQL as on SQLite (BINARY): the parts are compared as written. Not
    // computed parts come first either way, so that the first row tells. The joined rows are put
    // in the same order again.
    const [up, down] = descending ? [sql.raw('desc'), sql.raw('asc')] : [sql.raw('asc'), sql.raw('desc')];
    const orderOf = (head: RawBuilder<unknown>, worst: RawBuilder<unknown>, tail: RawBuilder<unknown>, id: RawBuilder<unknown>) => {
      const text = (part: RawBuilder<unknown>) => (isPostgres(db) ? sql`${part} collate "C"` : part);
      return sql.join([sql`case when ${head} is null or ${tail} is null then 0 else 1 end`, sql`${text(head)} ${up}`, sql`${worst} ${down}`, sql`${text(tail)} ${up}`, sql`${id} ${up}`]);
    };
    const order = orderOf(sql.ref('issues.priority_head'), sql`max(scan_issues.severity)`, sql.ref('issues.priority_tail'), sql.ref('issues.id'));
    const ordered = grouped
      .select([
        sql<number>`max(scan_issues.severity)`.as('worst'),
        tallied === undefined ? sql<number | string | bigint>`count(*) over ()`.as('total') : sql<null>`null`.as('total'),
        filter.epssMin !== undefined && epss?.countEdge ? sql<number | string | bigint>`sum(case when ${epssFieldEquals(db, epssFieldOf(filter.epssMin))} then 1 else 0 end) over ()`.as('edge') : sql<null>`null`.as('edge'),
        offset > 0 ? sql<number | string | bigint>`row_number() over (order by ${order})`.as('place') : sql<number>`1`.as('place'),
      ])
      .orderBy(order)
      .limit(offset + limit);
    // Each issue's first occurrence with a file in the shown scans (entity-issues.ts
    // firstLocations), each column a subquery through the (issue_id, scan_id) index: a join would
    // let the planner hash the whole table. The few shown scans are an IN list, which SQLite does
    // not read again for each row as it would a json_each (inValues).
    const firstFile = <T>(column: 'file_path' | 'start_line' | 'end_line') =>
      sql<T>`(select ${sql.ref(`o.${column}`)} from occurrences as o where o.issue_id = scan_issues.issue_id and o.scan_id in (${sql.join(scanIds)}) and o.file_path is not null order by o.id limit 1)`;
    // Left joins: SQLite then reads the ordered issues first, as PostgreSQL does.
    let rows = db
      .with('ordered', () => ordered)
      .selectFrom('ordered')
      .leftJoin('scan_issues', (join) => {
        const paired = join.onRef('scan_issues.issue_id', '=', 'ordered.id').on('scan_issues.scan_id', 'in', scanIds);
        return offset > 0 ? paired.on('ordered.place', '>', offset) : paired;
      })
      .leftJoin('scans', 'scans.id', 'scan_issues.scan_id')
      .leftJoin('issues', 'issues.id', 'scan_issues.issue_id')
      .select([firstFile<string | null>('file_path').as('file_path'), firstFile<number | null>('start_line').as('start_line'), firstFile<number | null>('end_line').as('end_line')])
      .select(['ordered.id as ordered_id', 'ordered.target_id as ordered_target_id', 'ordered.priority_head as ordered_head', 'ordered.priority_tail as ordered_tail', 'ordered.total', 'ordered.edge'])
      .select(SCAN_ISSUE_COLUMNS)
      .select(aliasDetailsOf().as('alias_details'));
    if (offset > 0) rows = rows.where((eb) => eb.or([eb('ordered.place', '=', 1), eb('ordered.place', '>', offset)]));
    return rows.orderBy(orderOf(sql.ref('ordered.priority_head'), sql.ref('ordered.worst'), sql.ref('ordered.priority_tail'), sql.ref('ordered.id'))).execute();
  };
  const epssMin = filter.epssMin;
  let rows = await orderedBy(epssMin === undefined ? undefined : { condition: epssCondition(db, epssFieldOf(epssMin), []), countEdge: true });
  if (epssMin !== undefined && Number(rows[0]?.edge ?? 0) > 0) rows = await orderedBy({ condition: await epssAtLeast(db, scanIds, epssMin), countEdge: false });
  if (rows[0] && (rows[0].ordered_head === null || rows[0].ordered_tail === null)) return undefined;
  // The rows start at the first: none means none match.
  const total = tallied ?? Number(rows[0]?.total ?? 0);

  // The page's issues in order, each aggregated over its (scan, issue) rows, which follow one another.
  const page: Array<ShownIssue & { location: Location | null }> = [];
  for (let i = 0; i < rows.length; ) {
    const first = rows[i] as (typeof rows)[number];
    let next = i + 1;
    while (next < rows.length && (rows[next] as (typeof rows)[number]).ordered_id === first.ordered_id) next++;
    const target = targetOf.get(first.ordered_target_id);
    // The first issue before a deep page comes without its rows.
    if (first.scan_id !== null && target) {
      const [issue] = aggregateIssues(rows.slice(i, next) as ScanIssueRowWithAliases[]);
      const exemption = exempted.get(first.ordered_id);
      const location = first.file_path === null ? null : { filePath: first.file_path, startLine: first.start_line, endLine: first.end_line };
      if (issue) page.push({ issue, target, exempted: exemption !== undefined, exemption, aliasDetails: first.alias_details, location });
    }
    i = next;
  }
  return { page, total };
}

/**
 * `epssMin` as a condition on the stored parts: the tail's EPSS field decides every issue but those
 * whose field equals the one of `epssMin` (their scores round alike), which are matched with the
 * feeds here and left out when their score is below it.
 */
async function epssAtLeast(db: Db, scanIds: readonly number[], epssMin: number): Promise<RawBuilder<SqlBool>> {
  const field = epssFieldOf(epssMin);
  const edge = await db
    .selectFrom('scan_issues')
    .innerJoin('issues', 'issues.id', 'scan_issues.issue_id')
    .select(['issues.id', 'issues.vulnerability_id'])
    .distinct()
    .where('scan_issues.scan_id', 'in', scanIds)
    .where(epssFieldEquals(db, field))
    .execute();
  const known = await exploitationOf(db, edge.map((r) => ({ id: r.id, vulnerabilityId: r.vulnerability_id })));
  const below = edge.filter((r) => {
    const score = known.get(r.id)?.epss.score ?? null;
    return score === null || score < epssMin;
  });
  return epssCondition(db, field, below.map((r) => r.id));
}

/**
 * The SLA state of each shown issue whose open clock an exemption paused (its due date moves by
 * the paused days): computed as entity-issues.ts computes every issue's, for the few issues a
 * pause names (by id, or by vulnerability or rule id).
 */
async function pausedStates(db: Db, state: EntityState, scanIds: readonly number[], now: string, policies: SlaPolicies): Promise<Map<number, SlaStatus['state']>> {
  const out = new Map<number, SlaStatus['state']>();
  const pauses = state.slaPauses ?? (await slaPausesFor(db, [...new Set(state.targets.map((t) => t.targetId))]));
  if (pauses.length === 0) return out;
  const targetOf = new Map(state.targets.map((t) => [t.targetId, t]));
  const named = (await namedIssues(db, state, scanIds, pauses)).flatMap((r) => {
    const target = targetOf.get(r.target_id);
    const issue = { id: r.id, targetId: r.target_id, vulnerabilityId: r.vulnerability_id, ruleId: r.rule_id };
    return target && pauses.some((p: SlaPauseRow) => namesIssue(p, { ...issue, targetScope: target.scope })) ? [{ issue, target }] : [];
  });
  const clocks = await openSlaClocks(db, named, now, pauses);
  const paused = named.filter((n) => (clocks.get(`${n.target.variantId}:${n.issue.id}`)?.pausedDays ?? 0) > 0);
  if (paused.length === 0) return out;
  const known = await exploitationOf(db, paused.map((p) => p.issue));
  for (const target of state.targets) {
    const ids = paused.filter((p) => p.target.targetId === target.targetId).map((p) => p.issue.id);
    if (ids.length === 0) continue;
    for (const issue of aggregateIssues(await scanIssueRowsOf(db, target.scans.map((s) => s.id), ids))) {
      const kev = (known.get(issue.id) as Exploitation).kev;
      out.set(issue.id, slaStatus({ ...issue, kev }, policyFor(policies, target.scope), now, false, clocks.get(`${target.variantId}:${issue.id}`)).state);
    }
  }
  return out;
}

/**
 * The shown issues an approved exemption covers now, each with that exemption: only those an exemption names (by id, or by
 * vulnerability or rule id) are read, then judged as entity-issues.ts judges every issue.
 */
async function exemptedIssues(db: Db, state: EntityState, scanIds: readonly number[], now: string): Promise<Map<number, ExemptionRow>> {
  const out = new Map<number, ExemptionRow>();
  if (state.exemptions.length === 0) return out;
  const targetOf = new Map(state.targets.map((t) => [t.targetId, t]));
  for (const r of await namedIssues(db, state, scanIds, state.exemptions)) {
    const target = targetOf.get(r.target_id);
    const exemption = target && coveringExemption({ id: r.id, targetId: r.target_id, targetScope: target.scope, vulnerabilityId: r.vulnerability_id, ruleId: r.rule_id }, state.exemptions, now);
    if (exemption) out.set(r.id, exemption);
  }
  return out;
}

/** The shown issues that exemptions or pauses name: by id, or by vulnerability or rule id (compared lower-cased). */
async function namedIssues(db: Db, state: EntityState, scanIds: readonly number[], names: ReadonlyArray<{ issue_id: number | null; key: string | null }>) {
  const ids = names.flatMap((e) => (e.issue_id === null ? [] : [e.issue_id]));
  const keys = [...new Set(names.flatMap((e) => (e.issue_id === null && e.key !== null ? [e.key.toLowerCase()] : [])))];
  if (ids.length === 0 && keys.length === 0) return [];
  return db
    .selectFrom('issues')
    .select(['issues.id', 'issues.target_id', 'issues.vulnerability_id', 'issues.rule_id'])
    .where('issues.target_id', 'in', [...new Set(state.targets.map((t) => t.targetId))])
    .where((eb) => {
      const any = [];
      if (ids.length > 0) any.push(inValues(db, 'issues.id', ids));
      if (keys.length > 0) any.push(sql<boolean>`lower(issues.vulnerability_id) in (${sql.join(keys)})`, sql<boolean>`lower(issues.rule_id) in (${sql.join(keys)})`);
      return eb.or(any);
    })
    .where('issues.id', 'in', (eb) => eb.selectFrom('scan_issues').select('scan_issues.issue_id').where('scan_issues.scan_id', 'in', scanIds))
    .execute();
}
