import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The dashboard trend from stored rows (issue #17): it read every entity's summary history per
 * request.
 *
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
