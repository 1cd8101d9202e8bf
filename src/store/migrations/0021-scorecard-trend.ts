import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The per-scorecard trend from stored rows (issue #17).
 *
 * GET /api/scorecards/:id/trend read every history row of the scorecard per request. A point of the
 * trend counts, for each entity, its latest history row on or before the day (when the scorecard
 * applied then). A history row stands for the days from its own to the entity's next row's, so it
 * adds its contribution on its day and takes it away on the next row's day: scorecard_trend_changes
 * holds those steps summed per scorecard, entity scope, day and check (check_id '' for the
 * scorecard's own counts: entities, scored, score tenths, passing; a check's row: pass, fail). A
 * scope's sum on a day is the sum of its changes on or before that day.
 *
 * Writes of scorecard_history record their steps (store/scorecard-trend.ts); triggers take an
 * entity's steps away when it goes and move them when its scope changes, as for trend_changes
 * (0019-dashboard-rollups.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('scorecard_trend_changes')
    .addColumn('scorecard_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('check_id', 'text', (c) => c.notNull())
    .addColumn('entities', 'integer', (c) => c.notNull())
    .addColumn('scored', 'integer', (c) => c.notNull())
    .addColumn('score_tenths', 'integer', (c) => c.notNull())
    .addColumn('passing', 'integer', (c) => c.notNull())
    .addColumn('pass', 'integer', (c) => c.notNull())
    .addColumn('fail', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scorecard_trend_changes_pk', ['scorecard_id', 'scope', 'day', 'check_id'])
    .execute();

  await fillScorecardTrend(db, postgres);
  for (const statement of postgres ? postgresTriggers() : sqliteTriggers()) await sql.raw(statement).execute(db);
}

/** Adds the steps of every stored history row to scorecard_trend_changes (the migration's fill, and its test). */
export async function fillScorecardTrend(db: Kysely<unknown>, postgres: boolean): Promise<void> {
  await sql.raw(`insert into scorecard_trend_changes (scorecard_id, scope, day, check_id, ${SUMS.join(', ')})
    select s.scorecard_id, e.scope, s.day, s.check_id, ${SUMS.map((c) => `sum(s.${c})`).join(', ')}
    from (${steps(postgres, 'true', '+')}) s join entities e on e.id = s.entity_id
    group by s.scorecard_id, e.scope, s.day, s.check_id`).execute(db);
}

const SUMS = ['entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail'];

/** The check statuses of a history row's statuses (a JSON object: check id → status). */
const each = (postgres: boolean, column: string) => (postgres ? `jsonb_each_text(${column}::jsonb)` : `json_each(${column})`);

/**
 * Each history row matching `where` (alias h) with the day its successor starts (null: none), and
 * its contribution: one row for the scorecard's counts, one per decided check.
 */
function contributions(postgres: boolean, where: string): string {
  // Rows that stopped applying end the one before (lead above counts them) and add nothing.
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

/** The steps of the history rows matching `where`, times `sign`: + on a row's day, - on its successor's. */
function steps(postgres: boolean, where: string, sign: '+' | '-'): string {
  const other = sign === '+' ? '-' : '+';
  const c = contributions(postgres, where);
  return `select entity_id, scorecard_id, day, check_id, ${SUMS.map((s) => `${sign}${s} as ${s}`).join(', ')} from (${c}) a
    union all
    select entity_id, scorecard_id, until as day, check_id, ${SUMS.map((s) => `${other}${s} as ${s}`).join(', ')} from (${c}) b where until is not null`;
}

/** Adds `sign` times the steps of the entity `row` (new or old) to its scope's changes. */
const addSteps = (postgres: boolean, row: 'new' | 'old', sign: '+' | '-') =>
  `insert into scorecard_trend_changes (scorecard_id, scope, day, check_id, ${SUMS.join(', ')})
    select s.scorecard_id, ${row}.scope, s.day, s.check_id, ${SUMS.map((c) => `sum(s.${c})`).join(', ')}
    from (${steps(postgres, `h.entity_id = ${row}.id`, sign)}) s where true group by s.scorecard_id, s.day, s.check_id
    on conflict (scorecard_id, scope, day, check_id) do update set ${SUMS.map((c) => `${c} = scorecard_trend_changes.${c} + excluded.${c}`).join(', ')}`;

const sqliteTriggers = () => [
  // Before the delete: its history goes with it (the cascade).
  `create trigger scorecard_trend_entity_delete before delete on entities begin ${addSteps(false, 'old', '-')}; end`,
  `create trigger scorecard_trend_entity_scope after update of scope on entities when old.scope is not new.scope begin ${addSteps(false, 'old', '-')}; ${addSteps(false, 'new', '+')}; end`,
];

const plpgsql = (name: string, body: string, result: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return ${result}; end $$`;

const postgresTriggers = () => [
  plpgsql('scorecard_trend_entity_delete', addSteps(true, 'old', '-'), 'old'),
  plpgsql('scorecard_trend_entity_scope', `${addSteps(true, 'old', '-')}; ${addSteps(true, 'new', '+')}`, 'null'),
  'create trigger scorecard_trend_entity_delete before delete on entities for each row execute function scorecard_trend_entity_delete()',
  'create trigger scorecard_trend_entity_scope after update of scope on entities for each row when (old.scope is distinct from new.scope) execute function scorecard_trend_entity_scope()',
];
