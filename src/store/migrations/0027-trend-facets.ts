import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Facet-filtered trends from stored rows (issue #17).
 *
 * trend_changes (0019) and scorecard_trend_changes (0021) sum the history's steps per scope only, so
 * the catalog trend filtered by kind, type, lifecycle, owner or system, and the scorecard trend so
 * filtered, were counted from every chosen entity's history per request. trend_facet_changes and
 * scorecard_trend_facet_changes keep the same steps once more per facet value of the entity: its
 * lowered kind, type, lifecycle, owner ref and system ref, and the name part of the two refs (what
 * a bare name such as `team-a` matches, `group:default/team-a`). A filter on one facet then reads a
 * few rows per day and value. An entity has one value per facet (or none), so the values of one
 * facet pick disjoint sets of entities and their rows add up.
 *
 * The writes of history record the steps (store/trend-changes.ts, store/scorecard-trend.ts); the
 * triggers below take an entity's steps away when it goes and move them when its scope or a facet
 * changes (a catalog refresh that moves it to another team).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let catalog = db.schema
    .createTable('trend_facet_changes')
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull());
  for (const column of COUNTS) catalog = catalog.addColumn(column, 'integer', (c) => c.notNull());
  await catalog.addPrimaryKeyConstraint('trend_facet_changes_pk', ['facet', 'value', 'day', 'scope', 'shard']).execute();

  let scorecards = db.schema
    .createTable('scorecard_trend_facet_changes')
    .addColumn('scorecard_id', 'text', (c) => c.notNull())
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('check_id', 'text', (c) => c.notNull());
  for (const column of SUMS) scorecards = scorecards.addColumn(column, 'integer', (c) => c.notNull());
  await scorecards.addPrimaryKeyConstraint('scorecard_trend_facet_changes_pk', ['scorecard_id', 'facet', 'value', 'day', 'scope', 'check_id']).execute();

  await fillTrendFacets(db, postgres);
  for (const statement of postgres ? postgresTriggers() : sqliteTriggers()) await sql.raw(statement).execute(db);
}

/** Adds the steps of every stored history row to both tables (the migration's fill, and its tests). */
export async function fillTrendFacets(db: Kysely<unknown>, postgres: boolean): Promise<void> {
  await sql.raw(`insert into trend_facet_changes (facet, value, day, scope, shard, ${COUNTS.join(', ')})
    select x.facet, x.value, x.day, x.scope, x.shard, ${COUNTS.map((c) => `sum(x.${c})`).join(', ')}
    from (select n.facet, ${facetValue(postgres, 'e', 'n.facet')} as value, s.day, e.scope, e.id % 16 as shard, ${COUNTS.map((c) => `s.${c}`).join(', ')}
      from (${catalogSteps('h.entity_id is not null', '+')}) s join entities e on e.id = s.entity_id cross join ${FACET_NAMES} n) x
    where x.value is not null group by x.facet, x.value, x.day, x.scope, x.shard`).execute(db);
  await sql.raw(`insert into scorecard_trend_facet_changes (scorecard_id, facet, value, day, scope, check_id, ${SUMS.join(', ')})
    select x.scorecard_id, x.facet, x.value, x.day, x.scope, x.check_id, ${SUMS.map((c) => `sum(x.${c})`).join(', ')}
    from (select s.scorecard_id, n.facet, ${facetValue(postgres, 'e', 'n.facet')} as value, s.day, e.scope, s.check_id, ${SUMS.map((c) => `s.${c}`).join(', ')}
      from (${scorecardSteps(postgres, 'true', '+')}) s join entities e on e.id = s.entity_id cross join ${FACET_NAMES} n) x
    where x.value is not null group by x.scorecard_id, x.facet, x.value, x.day, x.scope, x.check_id`).execute(db);
}

const COUNTS = ['with_data', 'critical', 'high', 'medium', 'low', 'info', 'total'];
const SUMS = ['entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail'];

/** The columns whose change moves an entity's steps. */
const FACET_COLUMNS = ['scope', 'kind', 'type', 'lifecycle', 'owner_ref', 'system_ref'];

/** The part of a lowered ref after its last '/' (null without one). */
const namePart = (postgres: boolean, ref: string) =>
  postgres ? `case when strpos(${ref}, '/') > 0 then regexp_replace(${ref}, '^.*/', '') end` : `case when instr(${ref}, '/') > 0 then replace(${ref}, rtrim(${ref}, replace(${ref}, '/', '')), '') end`;

const FACETS = ['kind', 'type', 'lifecycle', 'owner', 'owner_name', 'system', 'system_name'];

/** One row per facet (column `facet`). */
const FACET_NAMES = `(${FACETS.map((f) => `select '${f}' as facet`).join(' union all ')})`;

/** The entity `row`'s value of the facet in `facet` (null where it has none). */
const facetValue = (postgres: boolean, row: string, facet: string) =>
  `case ${facet} when 'kind' then lower(${row}.kind) when 'type' then lower(${row}.type) when 'lifecycle' then lower(${row}.lifecycle)
    when 'owner' then lower(${row}.owner_ref) when 'owner_name' then ${namePart(postgres, `lower(${row}.owner_ref)`)}
    when 'system' then lower(${row}.system_ref) when 'system_name' then ${namePart(postgres, `lower(${row}.system_ref)`)} end`;

/** What a summary history row adds to its day's sums (as 0019 counts it). */
const contribution = (column: string) => (column === 'with_data' ? 'case when h.has_data = 1 then 1 else 0 end' : `case when h.has_data = 1 then h.${column} else 0 end`);

/** The steps of the summary history rows matching `where`, times `sign`. */
const catalogSteps = (where: string, sign: '+' | '-') =>
  `select h.entity_id, h.day, ${COUNTS.map((c) => `${sign}(${contribution(c)} - coalesce(lag(${contribution(c)}) over (partition by h.entity_id order by h.day), 0)) as ${c}`).join(', ')}
    from summary_history h where ${where}`;

const each = (postgres: boolean, column: string) => (postgres ? `jsonb_each_text(${column}::jsonb)` : `json_each(${column})`);

/** Each scorecard history row matching `where` with the day its successor starts, and its contribution (as 0021 counts it). */
function scorecardContributions(postgres: boolean, where: string): string {
  const all = `select h.scorecard_id, h.entity_id, h.day, lead(h.day) over (partition by h.scorecard_id, h.entity_id order by h.day) as until, h.applies, h.score, h.statuses
    from scorecard_history h where ${where}`;
  const scored = 'case when r.score is null then 0 else 1 end';
  const passing = `case when r.score is not null and not exists (select 1 from ${each(postgres, 'r.statuses')} f where f.value = 'fail') then 1 else 0 end`;
  return `select r.scorecard_id, r.entity_id, r.day, r.until, '' as check_id, 1 as entities, ${scored} as scored,
      cast(coalesce(round(r.score * 10), 0) as integer) as score_tenths, ${passing} as passing, 0 as pass, 0 as fail
    from (${all}) r where r.applies = 1
    union all
    select r.scorecard_id, r.entity_id, r.day, r.until, j.key as check_id, 0, 0, 0, 0,
      case when j.value = 'pass' then 1 else 0 end, case when j.value = 'fail' then 1 else 0 end
    from (${all}) r, ${each(postgres, 'r.statuses')} j where r.applies = 1 and j.value in ('pass', 'fail')`;
}

/** The steps of the scorecard history rows matching `where`, times `sign`: + on a row's day, - on its successor's. */
function scorecardSteps(postgres: boolean, where: string, sign: '+' | '-'): string {
  const other = sign === '+' ? '-' : '+';
  const c = scorecardContributions(postgres, where);
  return `select entity_id, scorecard_id, day, check_id, ${SUMS.map((s) => `${sign}${s} as ${s}`).join(', ')} from (${c}) a
    union all
    select entity_id, scorecard_id, until as day, check_id, ${SUMS.map((s) => `${other}${s} as ${s}`).join(', ')} from (${c}) b where until is not null`;
}

/** Adds `sign` times the entity `row`'s (new or old) steps to its facet values' changes, in both tables. */
const addSteps = (postgres: boolean, row: 'new' | 'old', sign: '+' | '-') => [
  `insert into trend_facet_changes (facet, value, day, scope, shard, ${COUNTS.join(', ')})
    select x.facet, x.value, x.day, ${row}.scope, ${row}.id % 16, ${COUNTS.map((c) => `x.${c}`).join(', ')}
    from (select n.facet, ${facetValue(postgres, row, 'n.facet')} as value, s.* from (${catalogSteps(`h.entity_id = ${row}.id`, sign)}) s cross join ${FACET_NAMES} n) x
    where x.value is not null
    on conflict (facet, value, day, scope, shard) do update set ${COUNTS.map((c) => `${c} = trend_facet_changes.${c} + excluded.${c}`).join(', ')}`,
  `insert into scorecard_trend_facet_changes (scorecard_id, facet, value, day, scope, check_id, ${SUMS.join(', ')})
    select x.scorecard_id, x.facet, x.value, x.day, ${row}.scope, x.check_id, ${SUMS.map((c) => `sum(x.${c})`).join(', ')}
    from (select n.facet, ${facetValue(postgres, row, 'n.facet')} as value, s.* from (${scorecardSteps(postgres, `h.entity_id = ${row}.id`, sign)}) s cross join ${FACET_NAMES} n) x
    where x.value is not null group by x.scorecard_id, x.facet, x.value, x.day, x.check_id
    on conflict (scorecard_id, facet, value, day, scope, check_id) do update set ${SUMS.map((c) => `${c} = scorecard_trend_facet_changes.${c} + excluded.${c}`).join(', ')}`,
];

const changed = (distinct: string) => FACET_COLUMNS.map((c) => `old.${c} ${distinct} new.${c}`).join(' or ');

const sqliteTriggers = () => [
  // Before the delete: its history goes with it (the cascade).
  `create trigger trend_facets_entity_delete before delete on entities begin ${addSteps(false, 'old', '-').join('; ')}; end`,
  `create trigger trend_facets_entity_move after update of ${FACET_COLUMNS.join(', ')} on entities when ${changed('is not')}
    begin ${[...addSteps(false, 'old', '-'), ...addSteps(false, 'new', '+')].join('; ')}; end`,
];

const plpgsql = (name: string, body: string, result: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return ${result}; end $$`;

const postgresTriggers = () => [
  plpgsql('trend_facets_entity_delete', addSteps(true, 'old', '-').join('; '), 'old'),
  plpgsql('trend_facets_entity_move', [...addSteps(true, 'old', '-'), ...addSteps(true, 'new', '+')].join('; '), 'null'),
  'create trigger trend_facets_entity_delete before delete on entities for each row execute function trend_facets_entity_delete()',
  `create trigger trend_facets_entity_move after update of ${FACET_COLUMNS.join(', ')} on entities for each row when (${changed('is distinct from')}) execute function trend_facets_entity_move()`,
];
