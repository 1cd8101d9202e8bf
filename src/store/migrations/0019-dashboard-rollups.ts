import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The dashboard trend and the scorecard pages from stored rows (issue #17).
 *
 * The dashboard trend read every entity's summary history per request.
 * The trend adds, for each day, each entity's latest history row on or before it (insights/trend.ts).
 * An entity's contribution is a step function of the day; trend_changes holds the steps, summed per
 * scope (and per shard, entity id modulo 16, so that concurrent ingests of different entities rarely
 * update one row): a scope's sum on a day is the sum of its changes on or before that day. Writes of
 * summary_history record their steps here (store/trend-changes.ts); triggers take an entity's steps
 * away when it goes and move them when its scope changes. The sums count the entities with data
 * and their issues per severity: an entity without data on a day adds nothing to it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let table = db.schema
    .createTable('trend_changes')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull());
  for (const column of COUNTS) table = table.addColumn(column, 'integer', (c) => c.notNull());
  await table.addPrimaryKeyConstraint('trend_changes_pk', ['scope', 'day', 'shard']).execute();
  await db.schema.createIndex('trend_changes_day').on('trend_changes').columns(['day', 'scope']).execute();

  await sql.raw(`insert into trend_changes (scope, day, shard, ${COUNTS.join(', ')})
    select e.scope, s.day, e.id % 16, ${COUNTS.map((c) => `sum(s.${c})`).join(', ')}
    from (${steps('h.entity_id is not null', '+')}) s join entities e on e.id = s.entity_id
    group by e.scope, s.day, e.id % 16`).execute(db);

  for (const statement of postgres ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS) await sql.raw(statement).execute(db);

  await scorecardPages(db, postgres);
}

/**
 * The scorecard pages from stored rows: they read every result of the scorecard per request.
 *
 * scorecard_tallies and scorecard_check_tallies sum the results per scorecard and group of entities
 * (scope, kind, type, lifecycle, owner, system: what the pages filter on), so that the pass rates and
 * counts read a few rows per group. Evaluation keeps them (scorecards/evaluate.ts), and each result
 * says in tally_group where it is counted. Results stored before have none and are counted by the
 * next evaluation, which `lantern serve` runs at start.
 *
 * A result also carries its entity's ref and a never-null score key, so that a results page in
 * score order (the default) is the next rows of one index, from a keyset cursor.
 */
async function scorecardPages(db: Kysely<unknown>, postgres: boolean): Promise<void> {
  await db.schema.alterTable('scorecard_results').addColumn('entity_ref', 'text').execute();
  await db.schema.alterTable('scorecard_results').addColumn('score_missing', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('scorecard_results').addColumn('score_order', postgres ? 'double precision' : 'real', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('scorecard_results').addColumn('tally_group', 'text').execute();
  await sql`update scorecard_results set entity_ref = (select ref from entities where entities.id = scorecard_results.entity_id),
      score_missing = case when score is null then 1 else 0 end, score_order = coalesce(score, 0)`.execute(db);
  await db.schema.createIndex('scorecard_results_score_asc').on('scorecard_results').columns(['scorecard_id', 'score_missing', 'score_order', 'entity_ref']).execute();
  await db.schema.createIndex('scorecard_results_score_desc').on('scorecard_results').columns(['scorecard_id', 'score_missing', 'score_order desc', 'entity_ref']).execute();

  await db.schema
    .createTable('scorecard_tallies')
    .addColumn('scorecard_id', 'text', (c) => c.notNull())
    .addColumn('entity_group', 'text', (c) => c.notNull())
    .addColumn('entities', 'integer', (c) => c.notNull())
    .addColumn('scored', 'integer', (c) => c.notNull())
    .addColumn('score_tenths', 'integer', (c) => c.notNull())
    .addColumn('passing', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scorecard_tallies_pk', ['scorecard_id', 'entity_group'])
    .execute();
  await db.schema
    .createTable('scorecard_check_tallies')
    .addColumn('scorecard_id', 'text', (c) => c.notNull())
    .addColumn('entity_group', 'text', (c) => c.notNull())
    .addColumn('check_id', 'text', (c) => c.notNull())
    .addColumn('pass', 'integer', (c) => c.notNull())
    .addColumn('fail', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scorecard_check_tallies_pk', ['scorecard_id', 'entity_group', 'check_id'])
    .execute();
}

const COUNTS = ['with_data', 'critical', 'high', 'medium', 'low', 'info', 'total'];

/** What one history row adds to its day's sums: the entity with data and its counts, or nothing. */
const contribution = (column: string) => (column === 'with_data' ? 'case when h.has_data = 1 then 1 else 0 end' : `case when h.has_data = 1 then h.${column} else 0 end`);

/** The steps of the history rows matching `where`: each row's contribution less the row before's, times `sign`. */
const steps = (where: string, sign: '+' | '-') =>
  `select h.entity_id, h.day, ${COUNTS.map((c) => `${sign}(${contribution(c)} - coalesce(lag(${contribution(c)}) over (partition by h.entity_id order by h.day), 0)) as ${c}`).join(', ')}
    from summary_history h where ${where}`;

/** Adds `sign` times the steps of the entity `row` (new or old) to its scope's changes. */
const addSteps = (row: 'new' | 'old', sign: '+' | '-') =>
  `insert into trend_changes (scope, day, shard, ${COUNTS.join(', ')})
    select ${row}.scope, s.day, ${row}.id % 16, ${COUNTS.map((c) => `s.${c}`).join(', ')} from (${steps(`h.entity_id = ${row}.id`, sign)}) s where true
    on conflict (scope, day, shard) do update set ${COUNTS.map((c) => `${c} = trend_changes.${c} + excluded.${c}`).join(', ')}`;

const SQLITE_TRIGGERS = [
  // Before the delete: its history goes with it (the cascade).
  `create trigger trend_changes_entity_delete before delete on entities begin ${addSteps('old', '-')}; end`,
  `create trigger trend_changes_entity_scope after update of scope on entities when old.scope is not new.scope begin ${addSteps('old', '-')}; ${addSteps('new', '+')}; end`,
];

const plpgsql = (name: string, body: string, result: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return ${result}; end $$`;

const POSTGRES_TRIGGERS = [
  plpgsql('trend_changes_entity_delete', addSteps('old', '-'), 'old'),
  plpgsql('trend_changes_entity_scope', `${addSteps('old', '-')}; ${addSteps('new', '+')}`, 'null'),
  'create trigger trend_changes_entity_delete before delete on entities for each row execute function trend_changes_entity_delete()',
  'create trigger trend_changes_entity_scope after update of scope on entities for each row when (old.scope is distinct from new.scope) execute function trend_changes_entity_scope()',
];
