import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { SEVERITIES, severityRank } from '../domain/severity.js';
import { isPostgres } from '../store/row-locks.js';
import type { Database } from '../store/schema.js';
import type { KevMatch } from './exploitation.js';
import { priorityParts } from './priority.js';
import { DUE_SOON_DAYS, type SlaPolicy, type SlaStatus } from './sla.js';

type Db = Kysely<Database>;

/**
 * The `kev`, `epssMin` and `sla` filters of an entity's issue list as conditions of the query that
 * orders it by the stored priority parts (priority-order.ts), each with exactly the meaning
 * entity-issues.ts gives it when it matches every issue with the feeds in JavaScript. They read
 * what priorityParts() wrote, at fixed places:
 *   - head: 1 character, 0 when listed in KEV; 10, CISA's due date (9999-12-31 when it has none);
 *   - tail: 1 character, fixable; 11, (1 - EPSS score) to 9 decimals, `20000000000` when unscored.
 */

const YES = sql<SqlBool>`1 = 1`;
const NO = sql<SqlBool>`1 = 0`;

/** Code-point order on PostgreSQL as on SQLite (BINARY): the parts are compared as written. */
function asWritten(db: Db, expression: RawBuilder<unknown>): RawBuilder<string> {
  return isPostgres(db) ? sql<string>`(${expression}) collate "C"` : sql<string>`${expression}`;
}

const listedInKev = sql<SqlBool>`(substr(issues.priority_head, 1, 1) = '0')`;
const kevDueDate = (db: Db) => asWritten(db, sql`substr(issues.priority_head, 2, 10)`);
const epssField = (db: Db) => asWritten(db, sql`substr(issues.priority_tail, 2, 11)`);

/** exploitation.ts's CVE pattern (/^CVE-\d{4}-\d{4,}$/i) in each store's own terms. */
function isCve(db: Db, value: RawBuilder<unknown>): RawBuilder<SqlBool> {
  if (isPostgres(db)) return sql<SqlBool>`(${value}) ~ '^[Cc][Vv][Ee]-[0-9]{4}-[0-9]{4,}$'`;
  return sql<SqlBool>`((${value}) glob '[Cc][Vv][Ee]-[0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]*' and substr(${value}, 14) not glob '*[^0-9]*')`;
}

/**
 * Whether exploitation.ts cvesOf() finds a CVE for the issue: its canonical id is one, or, for an
 * issue with a vulnerability id, an alias is — read only from details that start with the aliases
 * and hold `CVE-` (the same LIKE conditions, so each store answers as cvesOf() does on it).
 */
function hasCve(db: Db): RawBuilder<SqlBool> {
  const aliases = isPostgres(db)
    ? sql`select 1 from jsonb_array_elements_text(case when jsonb_typeof(issues.details::jsonb -> 'aliases') = 'array' then issues.details::jsonb -> 'aliases' else '[]'::jsonb end) as alias(value) where ${isCve(db, sql.ref('alias.value'))}`
    : sql`select 1 from json_each(issues.details, '$.aliases') as alias where ${isCve(db, sql.ref('alias.value'))}`;
  return sql<SqlBool>`(issues.vulnerability_id is not null and (${isCve(db, sql.ref('issues.vulnerability_id'))} or (issues.details like '{"aliases":[%' and issues.details like '%CVE-%' and exists (${aliases}))))`;
}

/** Whether a KEV feed is loaded: an uncorrelated subquery, which each store runs once per query. */
const kevLoaded = sql<SqlBool>`exists (select 1 from feeds where feeds.name = 'kev' and feeds.imported_at is not null)`;

/**
 * `kev=STATE` on the issues' rows: listed is the head's flag; not-listed and never-enriched (no KEV
 * feed loaded, or no CVE id to match) are told apart by whether a feed is loaded and the issue has
 * a CVE id, as exploitationOf() tells them apart. Whether the feed is loaded is read by the query
 * itself, so that a page reads the feeds' states once (exploitation.ts feedMatcher).
 */
export function kevCondition(db: Db, state: KevMatch['state']): RawBuilder<SqlBool> {
  if (state === 'listed') return sql<SqlBool>`(${kevLoaded} and ${listedInKev})`;
  if (state === 'not-listed') return sql<SqlBool>`(${kevLoaded} and not ${listedInKev} and ${hasCve(db)})`;
  return sql<SqlBool>`(not ${kevLoaded} or not ${hasCve(db)})`;
}

/**
 * The tail's EPSS field of a score: as priorityParts() writes it. It decreases as the score grows
 * and rounds to 9 decimals, so a field below the one of `epssMin` is a score above it, a field
 * above it a score below it (or none), and an equal field is decided on the score itself.
 */
export function epssFieldOf(score: number): string {
  return priorityParts({ kev: { state: 'never-enriched', cve: null, dateAdded: null, dueDate: null, knownRansomware: null }, epss: { state: 'scored', cve: null, score, percentile: null, date: null, source: 'feed' }, fixedVersion: null, vulnerabilityId: null, ruleId: null }).tail.slice(1, 12);
}

/** Issues whose EPSS field equals `field`: the only ones `epssMin` must decide on the score. */
export function epssFieldEquals(db: Db, field: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${epssField(db)} = ${field}`;
}

/** `epssMin`: a score at least it, the issues in `below` (an equal field, a lower score) left out. */
export function epssCondition(db: Db, field: string, below: readonly number[]): RawBuilder<SqlBool> {
  const atLeast = sql<SqlBool>`${epssField(db)} <= ${field}`;
  return below.length === 0 ? atLeast : sql<SqlBool>`(${atLeast} and issues.id not in (${sql.join(below)}))`;
}

/** The clock day of a grouped issue row: its open clock's start in the shown variant, else first seen. */
export const CLOCK_FROM = 'coalesce(sla_clock.clock_from, issues.first_seen_at)';

const DAY_MS = 24 * 60 * 60 * 1000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayOf(ms: number): string | undefined {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  const day = new Date(ms).toISOString().slice(0, 10);
  return DAY.test(day) ? day : undefined;
}

/**
 * `sla=STATE` on grouped issue rows (`max(scan_issues.severity)` the worst severity shown), with the
 * meaning of sla.ts slaStatus(): a severity without days is `none`; an exempted issue (the list of
 * `status=exempted`) `paused`; an active one breached once its due date (clock day + days, or CISA's
 * due date when its target's policy caps by it and that comes first) is before today, due-soon
 * within DUE_SOON_DAYS, else within. The days are turned into a cut-off day per target and
 * severity here, so the database compares days as written. Issues whose clock an exemption paused
 * (their due date moves by the paused days) are `decided`: their state computed in JavaScript.
 * Undefined when a cut-off day cannot be written as YYYY-MM-DD (then the caller falls back).
 */
export function slaCondition(
  db: Db,
  wanted: SlaStatus['state'],
  targets: ReadonlyArray<{ targetId: number; policy: SlaPolicy }>,
  now: string,
  exemptedList: boolean,
  decided: ReadonlyMap<number, SlaStatus['state']>,
): RawBuilder<SqlBool> | undefined {
  const severity = sql`max(scan_issues.severity)`;
  const anyOf = (parts: RawBuilder<SqlBool>[]) => (parts.length === 0 ? NO : sql<SqlBool>`(${sql.join(parts, sql` or `)})`);
  const today = Date.parse(now.slice(0, 10));
  const todayDay = dayOf(today);
  const soonDay = dayOf(today + DUE_SOON_DAYS * DAY_MS);
  if (todayDay === undefined || soonDay === undefined) return undefined;
  const clockDay = asWritten(db, sql`max(substr(${sql.raw(CLOCK_FROM)}, 1, 10))`);
  const due = kevDueDate(db);

  const perTarget: RawBuilder<SqlBool>[] = [];
  for (const { targetId, policy } of targets) {
    const bySeverity: RawBuilder<SqlBool>[] = [];
    for (const name of SEVERITIES) {
      const days = policy.days[name];
      const rank = severityRank(name);
      if (wanted === 'none' || wanted === 'paused') {
        if ((days === null) === (wanted === 'none') && (wanted === 'none' || exemptedList)) bySeverity.push(sql<SqlBool>`${severity} = ${rank}`);
        continue;
      }
      if (days === null || exemptedList) continue;
      const breachedBefore = dayOf(today - days * DAY_MS);
      const soonFrom = dayOf(today - (days - DUE_SOON_DAYS) * DAY_MS);
      if (breachedBefore === undefined || soonFrom === undefined) return undefined;
      const capped = (op: '<' | '<=', day: string) => (policy.kevDueDateCap ? sql<SqlBool>` or (${listedInKev} and ${due} ${sql.raw(op)} ${day})` : sql``);
      const breached = sql<SqlBool>`(${clockDay} < ${breachedBefore}${capped('<', todayDay)})`;
      const soonOrLater = sql<SqlBool>`(${clockDay} <= ${soonFrom}${capped('<=', soonDay)})`;
      const state = wanted === 'breached' ? breached : wanted === 'due-soon' ? sql<SqlBool>`(${soonOrLater} and not ${breached})` : sql<SqlBool>`not ${soonOrLater}`;
      bySeverity.push(sql<SqlBool>`(${severity} = ${rank} and ${state})`);
    }
    if (bySeverity.length > 0) perTarget.push(sql<SqlBool>`(issues.target_id = ${targetId} and ${anyOf(bySeverity)})`);
  }
  const computed = anyOf(perTarget);
  if (decided.size === 0) return computed;
  const matching = [...decided].filter(([, state]) => state === wanted).map(([id]) => id);
  return sql<SqlBool>`(${matching.length > 0 ? sql`issues.id in (${sql.join(matching)})` : NO} or (issues.id not in (${sql.join([...decided.keys()])}) and ${computed}))`;
}
