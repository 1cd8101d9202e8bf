import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { InputError } from '../domain/errors.js';
import { type EntityColumns, lowerIn as loweredIn, refIn } from '../insights/overview.js';
import { isPostgres } from '../store/row-locks.js';
import { removedCheckFailed, storedScorecardTrendSums } from '../store/scorecard-trend.js';
import { facetSelection } from '../store/trend-facets.js';
import { scorecardEvaluations, scorecardTallyRows } from '../store/scorecards.js';
import type { Database } from '../store/schema.js';
import { ruleSentence } from './sentences.js';
import { type CheckStatus, checkMessage, type Operator, ruleStatus, type RuleStatus, type Strategy, type WhenNoData } from './checks.js';
import type { Value } from './data-points.js';
import type { DefinedScorecard } from './definitions.js';
import { readStoredResult, storedStatuses } from './evaluate.js';
import { refMatches, type Scorecard } from './scorecard.js';
import { inFilter, type ScopeFilter } from '../access/roles.js';
import { scopeAllowed } from '../store/scope-filter.js';

type Db = Kysely<Database>;

/** One check over a set of entities. passRate leaves unknown results out: pass / (pass + fail). */
export interface CheckTally {
  id: string;
  name: string;
  weight: number;
  pass: number;
  fail: number;
  unknown: number;
  /** Percent with one decimal; null when no entity's result was decided. */
  passRate: number | null;
}

/** A scorecard over a set of entities. */
export interface ScorecardTally {
  /** Entities the scorecard applies to. */
  entities: number;
  /** Of those, entities with a score (a decided check). */
  scored: number;
  /** Mean of the entities' scores; null when none has one. */
  averageScore: number | null;
  /** Scored entities that failed no check. */
  passing: number;
  /** passing / scored, in percent; null when none is scored. */
  passRate: number | null;
  checks: CheckTally[];
}

type Statuses = Record<string, CheckStatus>;

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((1000 * part) / whole) / 10);

/** Tallies entity results (score and each check's status) against a scorecard's current checks. */
export function tally(scorecard: Scorecard, results: Iterable<{ score: number | null; statuses: Statuses }>): ScorecardTally {
  const checks = scorecard.checks.map((c) => ({ id: c.id, name: c.name, weight: c.weight, pass: 0, fail: 0, unknown: 0 }));
  let entities = 0;
  let scored = 0;
  let sum = 0;
  let passing = 0;
  for (const result of results) {
    entities++;
    if (result.score !== null) {
      scored++;
      // In tenths, whole numbers: scores have one decimal, and sums of decimals drift.
      sum += Math.round(result.score * 10);
    }
    let failed = false;
    for (const check of checks) {
      const status = result.statuses[check.id] ?? 'unknown';
      check[status]++;
      failed ||= status === 'fail';
    }
    if (result.score !== null && !failed) passing++;
  }
  return {
    entities,
    scored,
    averageScore: scored === 0 ? null : Math.round(sum / scored) / 10,
    passing,
    passRate: percent(passing, scored),
    checks: checks.map((c) => ({ ...c, passRate: percent(c.pass, c.pass + c.fail) })),
  };
}

/** Filters over the entities of a scorecard's results; owner and system take full refs or bare names. */
export interface ResultFilter {
  owner?: string[] | undefined;
  system?: string[] | undefined;
  kind?: string[] | undefined;
  type?: string[] | undefined;
  lifecycle?: string[] | undefined;
  /** Only entities in these scopes (the caller's readable ones). */
  scopes?: ScopeFilter | undefined;
}

const lowerIn = (value: string | null, wanted: readonly string[] | undefined) => wanted === undefined || (value !== null && wanted.some((w) => w.toLowerCase() === value.toLowerCase()));

function matches(filter: ResultFilter, entity: { owner_ref: string | null; system_ref: string | null; kind: string; type: string | null; lifecycle: string | null; scope: string }): boolean {
  return (
    (filter.scopes === undefined || inFilter(filter.scopes, entity.scope)) &&
    (filter.owner === undefined || refMatches(entity.owner_ref, filter.owner)) &&
    (filter.system === undefined || refMatches(entity.system_ref, filter.system)) &&
    lowerIn(entity.kind, filter.kind) &&
    lowerIn(entity.type, filter.type) &&
    lowerIn(entity.lifecycle, filter.lifecycle)
  );
}

type TallyRows = Awaited<ReturnType<typeof scorecardTallyRows>>;

/** The entity facets a tally group stands for (evaluate.ts: tallyGroup). */
function groupFacets(group: string) {
  const [scope, kind, type, lifecycle, owner, system] = JSON.parse(group) as [string, string, string | null, string | null, string | null, string | null];
  return { scope, kind, type, lifecycle, owner_ref: owner, system_ref: system };
}

/**
 * A scorecard's tally over the entities the filter picks, from its stored tallies: the groups of
 * entities the filter picks, summed. As tally() counts the results they were made from.
 */
function storedTally(scorecard: Scorecard, rows: TallyRows, filter: ResultFilter): ScorecardTally {
  const picked = new Set<string>();
  let [entities, scored, tenths, passing] = [0, 0, 0, 0];
  for (const row of rows.groups) {
    if (row.scorecard_id !== scorecard.id || !matches(filter, groupFacets(row.entity_group))) continue;
    picked.add(row.entity_group);
    entities += Number(row.entities);
    scored += Number(row.scored);
    tenths += Number(row.score_tenths);
    passing += Number(row.passing);
  }
  const decided = new Map<string, { pass: number; fail: number }>();
  for (const row of rows.checks) {
    if (row.scorecard_id !== scorecard.id || !picked.has(row.entity_group)) continue;
    const check = decided.get(row.check_id) ?? { pass: 0, fail: 0 };
    check.pass += Number(row.pass);
    check.fail += Number(row.fail);
    decided.set(row.check_id, check);
  }
  return {
    entities,
    scored,
    averageScore: scored === 0 ? null : Math.round(tenths / scored) / 10,
    passing,
    passRate: percent(passing, scored),
    checks: scorecard.checks.map((c) => {
      const { pass, fail } = decided.get(c.id) ?? { pass: 0, fail: 0 };
      return { id: c.id, name: c.name, weight: c.weight, pass, fail, unknown: entities - pass - fail, passRate: percent(pass, pass + fail) };
    }),
  };
}

/**
 * Every scorecard with its tally over all the entities it applies to (GET /api/scorecards): from
 * the stored tallies, a few rows per group of entities.
 */
export async function scorecardTallies(db: Db, scorecards: readonly Scorecard[], scopes: ScopeFilter = { all: true }): Promise<Map<string, ScorecardTally>> {
  const rows = await scorecardTallyRows(db, scorecards.map((s) => s.id));
  return new Map(scorecards.map((scorecard) => [scorecard.id, storedTally(scorecard, rows, { scopes })]));
}

/** The same tallies counted from every stored result: what the stored tallies must equal. */
export async function computedScorecardTallies(db: Db, scorecards: readonly Scorecard[], scopes: ScopeFilter = { all: true }): Promise<Map<string, ScorecardTally>> {
  const out = new Map<string, ScorecardTally>();
  for (const scorecard of scorecards) {
    let query = db.selectFrom('scorecard_results').select(['score', 'checks']).where('scorecard_id', '=', scorecard.id);
    if (!scopes.all) query = query.where('entity_id', 'in', db.selectFrom('entities').select('id').where((eb) => scopeAllowed(eb, 'entities.scope', scopes)));
    const rows = await query.execute();
    out.set(scorecard.id, tally(scorecard, rows.map((r) => ({ score: r.score, statuses: storedStatuses(r.checks) }))));
  }
  return out;
}

export const RESULT_SORTS = ['score', 'name', 'owner', 'system', 'failed'] as const;

export interface ResultsQuery extends ResultFilter {
  /** Only entities whose result on this check is `status`. */
  check?: string | undefined;
  status?: CheckStatus | undefined;
  q?: string | undefined;
  /** RESULT_SORTS, `-` first for descending. Default `score` (worst first, no score last). */
  sort?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Where the page starts, in score order: the nextCursor of the page before. */
  cursor?: string | undefined;
}

export interface EntityResultRow extends EntityColumns {
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  /** Check id → status, for the scorecard's checks. */
  checks: Statuses;
  updatedAt: string;
}

export interface ScorecardResultsPage {
  scorecard: { id: string; name: string };
  /** Entities matching the filters, all pages. */
  total: number;
  items: EntityResultRow[];
  /** The tally of the entities matching the filters (before `check`/`status`, which pick rows within it). */
  summary: ScorecardTally;
  /** In score order, the cursor of the page after this one; null on the last page and in other orders. */
  nextCursor: string | null;
}

/** How the results page orders, per sort: never-null terms, the entity's ref last. */
function resultOrder(key: (typeof RESULT_SORTS)[number], direction: 'asc' | 'desc'): Array<{ expression: RawBuilder<unknown>; direction: 'asc' | 'desc' }> {
  const ref = (column: string) => sql.ref(column);
  const lastIfNull = (column: string) => [
    { expression: sql`case when ${ref(column)} is null then 1 else 0 end`, direction: 'asc' as const },
    { expression: sql`lower(coalesce(${ref(column)}, ''))`, direction },
  ];
  const terms = {
    // No score is not a low score: those entities come last either way round.
    score: [
      { expression: sql`${ref('r.score_missing')}`, direction: 'asc' as const },
      { expression: sql`${ref('r.score_order')}`, direction },
    ],
    failed: [{ expression: sql`${ref('r.failed')}`, direction }],
    name: [{ expression: sql`lower(${ref('e.name')})`, direction }],
    owner: lastIfNull('e.owner_ref'),
    system: lastIfNull('e.system_ref'),
  }[key];
  return [...terms, { expression: sql`${ref('r.entity_ref')}`, direction: 'asc' }];
}

/** `checks` JSON's status of one check, in SQL. */
function checkStatus(db: Db, checkId: string): RawBuilder<string> {
  return isPostgres(db) ? sql<string>`(${sql.ref('r.checks')}::jsonb -> ${checkId} ->> 0)` : sql<string>`json_extract(${sql.ref('r.checks')}, ${`$."${checkId.replace(/["\\]/g, (c) => `\\${c}`)}"[0]`})`;
}

/**
 * A scorecard's results over its entities, filtered, sorted and paged, with pass rates per check:
 * the tally and the counts from the stored tallies, the page from the results' index (by score,
 * from a keyset cursor as fast at any depth as the first) with its entities joined. A text search
 * picks entities one by one: it is computed from every result (computedResultsPage).
 */
export async function scorecardResultsPage(db: Db, scorecard: Scorecard, query: ResultsQuery): Promise<ScorecardResultsPage> {
  const sort = query.sort ?? 'score';
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  if (!(RESULT_SORTS as readonly string[]).includes(key)) {
    throw new InputError(`Invalid sort ${JSON.stringify(sort)}: expected one of ${RESULT_SORTS.join(', ')}, with a leading "-" for descending.`);
  }
  if (query.check !== undefined && !scorecard.checks.some((c) => c.id === query.check)) {
    throw new InputError(`The scorecard ${scorecard.id} has no check ${JSON.stringify(query.check)}: expected one of ${scorecard.checks.map((c) => c.id).join(', ')}.`);
  }
  if (query.cursor !== undefined && query.offset) throw new InputError('Pass either cursor or offset, not both: a cursor already says where the page starts.');
  if (query.q?.trim()) {
    if (query.cursor !== undefined) throw new InputError('A cursor pages the results in score order without a text search: pass offset with q.');
    return { ...(await computedResultsPage(db, scorecard, query)), nextCursor: null };
  }
  const summary = storedTally(scorecard, await scorecardTallyRows(db, [scorecard.id]), query);
  const byStatus = query.check !== undefined && query.status !== undefined ? summary.checks.find((c) => c.id === query.check) : undefined;
  const total = byStatus && query.status ? byStatus[query.status] : summary.entities;

  const terms = resultOrder(key as (typeof RESULT_SORTS)[number], descending ? 'desc' : 'asc');
  const from = query.cursor === undefined ? undefined : readResultCursor(query.cursor, sort, terms.length);
  if (from && key !== 'score') throw new InputError(`A cursor pages the results in score order: pass offset with sort ${JSON.stringify(sort)}.`);
  const limit = query.limit ?? 50;
  // The page's place is found from its order's keys alone, and only the page's rows are read whole:
  // a deep offset steps over keys (in score order, index entries), not over joined rows with their
  // checks. The entities are joined to the keys only when a filter or the order needs them (each
  // result has its entity): PostgreSQL plans a sort of every result, not the index, even for a join
  // it then drops.
  const scoped = query.scopes !== undefined && !query.scopes.all;
  let keys = db
    .selectFrom('scorecard_results as r')
    .$if(scoped || !['score', 'failed'].includes(key), (qb) => qb.innerJoin('entities as e', 'e.id', 'r.entity_id'))
    .select([...terms.map((t, i) => t.expression.as(`k${i}`)), ...(key === 'score' ? [] : (['r.entity_id'] as const))])
    .where('r.scorecard_id', '=', scorecard.id);
  if (scoped) {
    const scopes = query.scopes as ScopeFilter;
    keys = keys.where((eb) => scopeAllowed(eb, 'e.scope', scopes));
  }
  if (query.kind?.length || query.type?.length || query.lifecycle?.length || query.owner?.length || query.system?.length) {
    keys = keys.where('r.entity_id', 'in', (eb) =>
      eb
        .selectFrom('entity_sort_keys as o')
        .select('o.entity_id')
        .where(() => {
          const all: RawBuilder<SqlBool>[] = [];
          if (query.kind?.length) all.push(loweredIn('o.kind_key', query.kind));
          if (query.type?.length) all.push(loweredIn('o.type_key', query.type));
          if (query.lifecycle?.length) all.push(loweredIn('o.lifecycle_key', query.lifecycle));
          if (query.owner?.length) all.push(refIn(sql.ref('o.owner_key'), query.owner));
          if (query.system?.length) all.push(refIn(sql.ref('o.system_key'), query.system));
          return sql<SqlBool>`${sql.join(all, sql` and `)}`;
        }),
    );
  }
  if (query.check !== undefined && query.status !== undefined) keys = keys.where(checkStatus(db, query.check), '=', query.status);
  if (from) keys = keys.where(after(terms, from));
  for (const term of terms) keys = keys.orderBy(term.expression, term.direction);
  const keyRef = (i: number) => sql.ref(`p.k${i}`);
  // In score order the keys are the columns of the results' score index, which finds each row again.
  const sameRow =
    key === 'score'
      ? sql<SqlBool>`r.score_missing = ${keyRef(0)} and r.score_order = ${keyRef(1)} and r.entity_ref = ${keyRef(2)}`
      : sql<SqlBool>`r.entity_id = ${sql.ref('p.entity_id')}`;
  let rows = db
    .selectFrom(keys.limit(limit + 1).offset(from ? 0 : (query.offset ?? 0)).as('p'))
    .innerJoin('scorecard_results as r', (join) => join.on('r.scorecard_id', '=', scorecard.id).on(sameRow))
    .innerJoin('entities as e', 'e.id', 'r.entity_id')
    .select([...RESULT_COLUMNS, ...terms.map((_, i) => keyRef(i).as(`k${i}`))]);
  for (const [i, term] of terms.entries()) rows = rows.orderBy(keyRef(i), term.direction);
  const read = await rows.execute();
  const page = read.slice(0, limit);
  const evaluatedAt = (await scorecardEvaluations(db, [scorecard.id])).get(scorecard.id);
  const last = page.at(-1) as Record<string, unknown> | undefined;
  return {
    scorecard: { id: scorecard.id, name: scorecard.name },
    total,
    items: page.map((r) => resultRow(r, evaluatedAt)),
    summary,
    nextCursor: key === 'score' && read.length > limit && last ? Buffer.from(JSON.stringify({ sort, after: terms.map((_, i) => last[`k${i}`]) })).toString('base64url') : null,
  };
}

/**
 * Rows after the cursor's row: (t0, t1, …) after (v0, v1, …) term by term, each term in its
 * direction, bounded by the first term so that the index starts near the cursor.
 */
function after(terms: ReadonlyArray<{ expression: RawBuilder<unknown>; direction: 'asc' | 'desc' }>, values: readonly unknown[]): RawBuilder<SqlBool> {
  const beyond = (direction: 'asc' | 'desc', or: '' | '=') => sql.raw(`${direction === 'asc' ? '>' : '<'}${or}`);
  const alternatives = terms.map((term, i) => {
    const equal = terms.slice(0, i).map((t, j) => sql`${t.expression} = ${values[j]}`);
    return sql.join([...equal, sql`${term.expression} ${beyond(term.direction, '')} ${values[i]}`], sql` and `);
  });
  const first = terms[0] as (typeof terms)[number];
  return sql<SqlBool>`(${first.expression} ${beyond(first.direction, '=')} ${values[0]} and (${sql.join(alternatives.map((a) => sql`(${a})`), sql` or `)}))`;
}

function readResultCursor(cursor: string, sort: string, terms: number): unknown[] {
  let parsed: { sort?: unknown; after?: unknown } | undefined;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const values = parsed?.after;
  if (parsed?.sort !== sort || !Array.isArray(values) || values.length !== terms || !values.every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw new InputError(`Invalid cursor ${JSON.stringify(cursor.slice(0, 60))}: pass the nextCursor of the previous page, with the same sort.`);
  }
  return values;
}

/** The columns of a result row on a results page, read by both the stored and the computed page. */
const RESULT_COLUMNS = ['r.score', 'r.passed', 'r.failed', 'r.unknown', 'r.checks', 'r.updated_at', 'e.ref', 'e.kind', 'e.namespace', 'e.name', 'e.title', 'e.type', 'e.owner_ref', 'e.system_ref', 'e.lifecycle'] as const;

/** A result row as the page shows it; `evaluatedAt`: when its scorecard was last evaluated over every entity (readStoredResult). */
function resultRow(r: {
  ref: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  type: string | null;
  owner_ref: string | null;
  system_ref: string | null;
  lifecycle: string | null;
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  checks: string;
  updated_at: string;
}, evaluatedAt: string | undefined): EntityResultRow {
  const stored = readStoredResult(r, evaluatedAt);
  return {
    entityRef: r.ref,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    title: r.title,
    type: r.type,
    owner: r.owner_ref,
    system: r.system_ref,
    lifecycle: r.lifecycle,
    score: r.score,
    passed: r.passed,
    failed: r.failed,
    unknown: r.unknown,
    checks: Object.fromEntries([...stored.results].map(([id, result]) => [id, result.status])),
    updatedAt: stored.updatedAt,
  };
}

/** The results page computed from every result of the scorecard: what scorecardResultsPage reads from stored rows. */
export async function computedResultsPage(db: Db, scorecard: Scorecard, query: ResultsQuery): Promise<Omit<ScorecardResultsPage, 'nextCursor'>> {
  const sort = query.sort ?? 'score';
  const descending = sort.startsWith('-');
  const key = descending ? sort.slice(1) : sort;
  if (!(RESULT_SORTS as readonly string[]).includes(key)) {
    throw new InputError(`Invalid sort ${JSON.stringify(sort)}: expected one of ${RESULT_SORTS.join(', ')}, with a leading "-" for descending.`);
  }
  if (query.check !== undefined && !scorecard.checks.some((c) => c.id === query.check)) {
    throw new InputError(`The scorecard ${scorecard.id} has no check ${JSON.stringify(query.check)}: expected one of ${scorecard.checks.map((c) => c.id).join(', ')}.`);
  }
  const rows = await db
    .selectFrom('scorecard_results as r')
    .innerJoin('entities as e', 'e.id', 'r.entity_id')
    .select([...RESULT_COLUMNS, 'e.scope'])
    .where('r.scorecard_id', '=', scorecard.id)
    .execute();
  const evaluatedAt = (await scorecardEvaluations(db, [scorecard.id])).get(scorecard.id);
  const text = query.q?.trim().toLowerCase();
  const selected: EntityResultRow[] = [];
  for (const r of rows) {
    if (!matches(query, r)) continue;
    if (text && !r.name.toLowerCase().includes(text) && !(r.title ?? '').toLowerCase().includes(text)) continue;
    selected.push(resultRow(r, evaluatedAt));
  }
  const summary = tally(scorecard, selected.map((s) => ({ score: s.score, statuses: s.checks })));
  const picked = query.check === undefined || query.status === undefined ? selected : selected.filter((s) => s.checks[query.check as string] === query.status);

  const direction = descending ? -1 : 1;
  // Plain code-point order, as the database's lower() ordering gives: localeCompare would cost
  // more than the rest of the request on 10 000 entities.
  const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const byText = (value: (r: EntityResultRow) => string | null) => (a: EntityResultRow, b: EntityResultRow) => {
    const [x, y] = [value(a), value(b)];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return direction * order(x.toLowerCase(), y.toLowerCase());
  };
  const sorts: Record<(typeof RESULT_SORTS)[number], (a: EntityResultRow, b: EntityResultRow) => number> = {
    // No score is not a low score: those entities come last either way round.
    score: (a, b) => (a.score === null || b.score === null ? (a.score === b.score ? 0 : a.score === null ? 1 : -1) : direction * (a.score - b.score)),
    failed: (a, b) => direction * (a.failed - b.failed),
    name: byText((r) => r.name),
    owner: byText((r) => r.owner),
    system: byText((r) => r.system),
  };
  const compare = sorts[key as (typeof RESULT_SORTS)[number]];
  picked.sort((a, b) => compare(a, b) || order(a.entityRef, b.entityRef));
  const offset = query.offset ?? 0;
  return {
    scorecard: { id: scorecard.id, name: scorecard.name },
    total: picked.length,
    items: picked.slice(offset, offset + (query.limit ?? 50)),
    summary,
  };
}

export type TrendPoint = { date: string } & Omit<ScorecardTally, 'checks'> & { checks: Array<Omit<CheckTally, 'name' | 'weight'>> };

const DAY = 24 * 60 * 60 * 1000;

/** The last `days` days (UTC) up to `now`'s, ascending. */
function trendDates(days: number, now: string): string[] {
  const end = now.slice(0, 10);
  const start = Date.parse(`${end}T00:00:00Z`) - (days - 1) * DAY;
  return Array.from({ length: days }, (_, i) => new Date(start + i * DAY).toISOString().slice(0, 10));
}

/** Whether the filter picks entities by more than their scope: the stored trend is summed per scope only. */
const beyondScope = (filter: ResultFilter) => [filter.owner, filter.system, filter.kind, filter.type, filter.lifecycle].some((f) => f !== undefined);

/**
 * The scorecard at the end of each of the last `days` days (UTC): each entity counts as its latest
 * history row on or before that day, as long as the scorecard applied to it then.
 *
 * Read from scorecard_trend_changes (a few rows per day and scope), and filtered by one facet (owner,
 * system, kind, type or lifecycle, any of several values) from scorecard_trend_facet_changes (a few
 * rows per day and value), as computedScorecardTrend counts them from the history. Filters on
 * several facets, and a scorecard one of whose removed checks failed in its history (its stored
 * passing counts that failure), are computed.
 */
export async function scorecardTrend(db: Db, scorecard: Scorecard, options: ResultFilter & { days: number; now: string }): Promise<TrendPoint[]> {
  const facets = beyondScope(options) ? facetSelection(options) : undefined;
  if ((beyondScope(options) && !facets) || (await removedCheckFailed(db, scorecard.id, scorecard.checks.map((c) => c.id)))) return computedScorecardTrend(db, scorecard, options);
  const dates = trendDates(options.days, options.now);
  const sums = await storedScorecardTrendSums(db, scorecard.id, dates, options.scopes ?? { all: true }, facets);
  return dates.map((date, d) => {
    const day = sums[d] ?? new Map();
    const own = day.get('') ?? { entities: 0, scored: 0, score_tenths: 0, passing: 0 };
    const [entities, scored, tenths, passing] = [Number(own.entities), Number(own.scored), Number(own.score_tenths), Number(own.passing)];
    return {
      date,
      entities,
      scored,
      averageScore: scored === 0 ? null : Math.round(tenths / scored) / 10,
      passing,
      passRate: percent(passing, scored),
      checks: scorecard.checks.map((c) => {
        const check = day.get(c.id);
        const [pass, fail] = [Number(check?.pass ?? 0), Number(check?.fail ?? 0)];
        return { id: c.id, pass, fail, unknown: entities - pass - fail, passRate: percent(pass, pass + fail) };
      }),
    };
  });
}

/** The trend counted from every history row of the scorecard: the reference scorecardTrend answers as. */
export async function computedScorecardTrend(db: Db, scorecard: Scorecard, options: ResultFilter & { days: number; now: string }): Promise<TrendPoint[]> {
  const end = options.now.slice(0, 10);
  const dates = trendDates(options.days, options.now);
  const rows = await db
    .selectFrom('scorecard_history as h')
    .innerJoin('entities as e', 'e.id', 'h.entity_id')
    .select(['h.entity_id', 'h.day', 'h.applies', 'h.score', 'h.statuses', 'e.owner_ref', 'e.system_ref', 'e.kind', 'e.type', 'e.lifecycle', 'e.scope'])
    .where('h.scorecard_id', '=', scorecard.id)
    .where('h.day', '<=', end)
    .orderBy('h.entity_id')
    .orderBy('h.day')
    .execute();
  const perDay = dates.map(() => [] as Array<{ score: number | null; statuses: Statuses }>);
  for (let i = 0; i < rows.length; ) {
    let j = i;
    while (j < rows.length && rows[j]?.entity_id === rows[i]?.entity_id) j++;
    const first = rows[i];
    if (first && matches(options, first)) {
      const parsed = new Map<number, Statuses>();
      let k = i;
      dates.forEach((date, d) => {
        while (k + 1 < j && (rows[k + 1]?.day ?? '') <= date) k++;
        const row = rows[k];
        if (!row || row.day > date || row.applies !== 1) return;
        let statuses = parsed.get(k);
        if (!statuses) parsed.set(k, (statuses = storedStatuses(row.statuses)));
        perDay[d]?.push({ score: row.score, statuses });
      });
    }
    i = j;
  }
  return dates.map((date, d) => {
    const { checks, ...rest } = tally(scorecard, perDay[d] ?? []);
    return { date, ...rest, checks: checks.map(({ name: _name, weight: _weight, ...c }) => c) };
  });
}

export interface RuleView {
  dataPoint: string;
  input: string | null;
  operator: Operator;
  threshold: Value;
  /** null: no value for this entity. */
  observed: Value | null;
  status: RuleStatus;
  /** The rule against what was observed, in words: "9 critical issues; this check wants none." */
  sentence: string;
}

export interface CheckView {
  id: string;
  name: string;
  description: string;
  weight: number;
  strategy: Strategy;
  whenNoData: WhenNoData;
  status: CheckStatus;
  noData: boolean;
  message: string;
  rules: RuleView[];
}

export interface EntityScorecardView {
  id: string;
  name: string;
  description: string;
  origin: string;
  score: number | null;
  passed: number;
  failed: number;
  unknown: number;
  updatedAt: string;
  /** True when every check lacked data: the entity has no score on this scorecard for want of data. */
  noData: boolean;
  /** The result in a sentence: "4 of 6 checks passed.", "No data: none of the 6 checks has a value for this entity." */
  summary: string;
  checks: CheckView[];
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** An entity's result on a scorecard in one sentence. */
function scoreSummary(checks: number, row: { score: number | null; passed: number; failed: number }, noData: boolean): string {
  if (noData) return `No data: none of the ${plural(checks, 'check', 'checks')} has a value for this entity, so it has no score.`;
  if (row.score === null) return 'No check could be decided for this entity, so it has no score: unknown checks count neither for nor against it.';
  return `${row.passed} of ${plural(row.passed + row.failed, 'decided check', 'decided checks')} passed.`;
}

/** Each scorecard that applies to the entity, with every check's status, observed values, thresholds and message. */
export async function entityScorecards(db: Db, entityId: number, scorecards: readonly DefinedScorecard[]): Promise<EntityScorecardView[]> {
  const rows = new Map((await db.selectFrom('scorecard_results').selectAll().where('entity_id', '=', entityId).execute()).map((r) => [r.scorecard_id, r]));
  const evaluated = await scorecardEvaluations(db, [...rows.keys()]);
  const views: EntityScorecardView[] = [];
  for (const scorecard of scorecards) {
    const row = rows.get(scorecard.id);
    if (!row) continue;
    const { results, updatedAt } = readStoredResult(row, evaluated.get(scorecard.id));
    const noData = scorecard.checks.length > 0 && scorecard.checks.every((check) => results.get(check.id)?.noData ?? true);
    views.push({
      id: scorecard.id,
      name: scorecard.name,
      description: scorecard.description,
      origin: scorecard.origin,
      score: row.score,
      passed: row.passed,
      failed: row.failed,
      unknown: row.unknown,
      updatedAt,
      noData,
      summary: scoreSummary(scorecard.checks.length, row, noData),
      checks: scorecard.checks.map((check) => {
        const result = results.get(check.id) ?? { status: 'unknown' as const, noData: true, observed: check.rules.map(() => null) };
        return {
          id: check.id,
          name: check.name,
          description: check.description,
          weight: check.weight,
          strategy: check.strategy,
          whenNoData: check.whenNoData,
          status: result.status,
          noData: result.noData,
          message: checkMessage(check, result),
          rules: check.rules.map((rule, i) => {
            const observed = result.observed[i] ?? null;
            const status = ruleStatus(rule, observed);
            return { dataPoint: rule.dataPoint, input: rule.input ?? null, operator: rule.operator, threshold: rule.value, observed, status, sentence: ruleSentence(rule, observed, status === 'pass') };
          }),
        };
      }),
    });
  }
  return views;
}
