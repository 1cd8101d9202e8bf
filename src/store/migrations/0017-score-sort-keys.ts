import { type Kysely, PostgresAdapter, sql } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * The overview's `score` sort and `tag` filter read by index (issue #17), beside entity_sort_keys
 * (0010-overview-sort.ts), whose refresh is left as it is.
 *
 * entity_score_keys: one row per scorecard and entity, for every entity once a scorecard has a
 * result, so that a page sorted by score is the next rows of one index. `missing` is 1 when the
 * entity has no score on the scorecard (no result, or a result that decided no check): those come
 * last either way round, as in every other sort. `score` orders ascending, `neg_score` (its
 * negation) descending, both read ascending; the entity's ref_key breaks ties. Entities of a
 * scorecard without any result have no rows: the overview then orders by ref alone.
 *
 * entity_tags and entity_tag_rollups: an entity's distinct lowered tags (from entity_search's
 * `metadata.tags` rows), and per tag the sort rows summed per scope, kind, type, lifecycle, owner,
 * system and domain, as entity_facet_rollups does for the facets, so that an overview filtered by
 * a tag (and facets) reads a few rows for its totals and rollups. An entity counts in a tag's
 * rollup while it has both the tag and a sort row: each side's triggers add or take away its
 * contribution when the other side exists, so the order in which the two are written (or deleted
 * by the cascade of an entity) does not matter.
 *
 * Triggers keep all of them exact in the writing transaction, whatever code path writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const t = columnTypes(db);
  const run = async (statements: string[]) => {
    for (const statement of statements) await sql.raw(statement).execute(db);
  };

  await db.schema
    .createTable('entity_score_keys')
    .addColumn('scorecard_id', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('ref_key', 'text', (c) => c.notNull())
    .addColumn('missing', 'integer', (c) => c.notNull())
    .addColumn('score', t.real, (c) => c.notNull())
    .addColumn('neg_score', t.real, (c) => c.notNull())
    .addPrimaryKeyConstraint('entity_score_keys_pk', ['scorecard_id', 'entity_id'])
    .execute();
  await db.schema.createTable('score_key_scorecards').addColumn('scorecard_id', 'text', (c) => c.primaryKey()).execute();
  await run([
    'insert into score_key_scorecards (scorecard_id) select distinct scorecard_id from scorecard_results',
    `insert into entity_score_keys (${SCORE_COLUMNS}) select k.scorecard_id, e.id, e.ref_key, 1, 0, 0 from score_key_scorecards k cross join entities e`,
    `update entity_score_keys set missing = 0, score = r.score, neg_score = -r.score from scorecard_results r
      where r.scorecard_id = entity_score_keys.scorecard_id and r.entity_id = entity_score_keys.entity_id and r.score is not null`,
  ]);
  await db.schema.createIndex('entity_score_keys_asc').on('entity_score_keys').columns(['scorecard_id', 'missing', 'score', 'ref_key', 'entity_id']).execute();
  await db.schema.createIndex('entity_score_keys_desc').on('entity_score_keys').columns(['scorecard_id', 'missing', 'neg_score', 'ref_key', 'entity_id']).execute();
  await db.schema.createIndex('entity_score_keys_entity').on('entity_score_keys').column('entity_id').execute();
  await run(postgres ? postgresScoreTriggers() : sqliteScoreTriggers());

  await db.schema
    .createTable('entity_tags')
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('entity_tags_pk', ['entity_id', 'tag'])
    .execute();
  await db.schema.createIndex('entity_tags_tag').on('entity_tags').columns(['tag', 'entity_id']).execute();
  let rollups = db.schema.createTable('entity_tag_rollups').addColumn('tag' as string, 'text', (c) => c.notNull());
  for (const facet of FACETS) rollups = rollups.addColumn(facet, 'text', (c) => c.notNull());
  for (const sum of TAG_SUMS) rollups = rollups.addColumn(sum, 'integer', (c) => c.notNull());
  await rollups.addPrimaryKeyConstraint('entity_tag_rollups_pk', ['tag', ...FACETS]).execute();
  await run([
    "insert into entity_tags (entity_id, tag) select distinct entity_id, value from entity_search where key = 'metadata.tags' and value is not null",
    `insert into entity_tag_rollups (tag, ${[...FACETS, ...TAG_SUMS].join(', ')})
      select t.tag, ${FACETS.map((f) => `coalesce(o.${f}, '')`).join(', ')}, count(*), sum(o.has_data), ${SEVERITIES.map((s) => `sum(o.${s})`).join(', ')}
      from entity_tags t join entity_sort_keys o on o.entity_id = t.entity_id
      group by t.tag, ${FACETS.map((f) => `coalesce(o.${f}, '')`).join(', ')}`,
  ]);
  await run(postgres ? postgresTagTriggers() : sqliteTagTriggers());
  for (const name of ['entity_score_keys', 'score_key_scorecards', 'entity_tags', 'entity_tag_rollups']) await sql`analyze ${sql.table(name)}`.execute(db);
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
export const SCORE_COLUMNS = 'scorecard_id, entity_id, ref_key, missing, score, neg_score';

/** Writes the score key of the result `new` (its entity's row exists: results reference entities). */
export const upsertScore = `insert into entity_score_keys (${SCORE_COLUMNS})
  select new.scorecard_id, new.entity_id, e.ref_key, case when new.score is null then 1 else 0 end, coalesce(new.score, 0), -coalesce(new.score, 0) from entities e where e.id = new.entity_id
  on conflict (scorecard_id, entity_id) do update set ref_key = excluded.ref_key, missing = excluded.missing, score = excluded.score, neg_score = excluded.neg_score`;
/** A scorecard's first result: every entity gets its row, without a score until its own result says. */
const fillScorecard = `insert into entity_score_keys (${SCORE_COLUMNS}) select new.scorecard_id, e.id, e.ref_key, 1, 0, 0 from entities e
  where not exists (select 1 from score_key_scorecards where scorecard_id = new.scorecard_id) on conflict (scorecard_id, entity_id) do nothing`;
export const registerScorecard = 'insert into score_key_scorecards (scorecard_id) values (new.scorecard_id) on conflict (scorecard_id) do nothing';
export const clearScore = 'update entity_score_keys set missing = 1, score = 0, neg_score = 0 where scorecard_id = old.scorecard_id and entity_id = old.entity_id';
const entityRows = `insert into entity_score_keys (${SCORE_COLUMNS}) select scorecard_id, new.id, new.ref_key, 1, 0, 0 from score_key_scorecards where true
  on conflict (scorecard_id, entity_id) do nothing`;
const renameEntity = 'update entity_score_keys set ref_key = new.ref_key where entity_id = new.id';
const deleteEntity = 'delete from entity_score_keys where entity_id = old.id';
/** A deleted scorecard's keys go once its results have gone too (deleteScorecard removes those first). */
const dropScorecard = [
  'delete from entity_score_keys where scorecard_id = old.id and not exists (select 1 from scorecard_results where scorecard_id = old.id)',
  'delete from score_key_scorecards where scorecard_id = old.id and not exists (select 1 from scorecard_results where scorecard_id = old.id)',
];

function sqliteScoreTriggers(): string[] {
  return [
    `create trigger entity_score_keys_result_insert after insert on scorecard_results begin ${fillScorecard}; ${registerScorecard}; ${upsertScore}; end`,
    `create trigger entity_score_keys_result_update after update of score, scorecard_id, entity_id on scorecard_results
      when old.score is not new.score or old.scorecard_id <> new.scorecard_id or old.entity_id <> new.entity_id begin ${clearScore}; ${fillScorecard}; ${registerScorecard}; ${upsertScore}; end`,
    `create trigger entity_score_keys_result_delete after delete on scorecard_results begin ${clearScore}; end`,
    `create trigger entity_score_keys_entity_insert after insert on entities begin ${entityRows}; end`,
    `create trigger entity_score_keys_entity_update after update of ref_key on entities when old.ref_key <> new.ref_key begin ${renameEntity}; end`,
    `create trigger entity_score_keys_entity_delete after delete on entities begin ${deleteEntity}; end`,
    `create trigger entity_score_keys_scorecard_delete after delete on scorecards begin ${dropScorecard.join('; ')}; end`,
  ];
}

/**
 * On PostgreSQL a scorecard's first result fills its rows under a share lock of entities: an entity
 * inserted by a transaction running meanwhile is then either seen by the fill or sees the
 * scorecard registered, never neither.
 */
function postgresScoreTriggers(): string[] {
  const fn = (name: string, body: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`;
  const write = `if not exists (select 1 from score_key_scorecards where scorecard_id = new.scorecard_id) then
      lock table entities in share mode; ${fillScorecard}; ${registerScorecard}; end if; ${upsertScore}`;
  return [
    fn('entity_score_keys_result_insert', write),
    fn('entity_score_keys_result_update', `${clearScore}; ${write}`),
    fn('entity_score_keys_result_delete', clearScore),
    fn('entity_score_keys_entity_insert', entityRows),
    fn('entity_score_keys_entity_update', renameEntity),
    fn('entity_score_keys_entity_delete', deleteEntity),
    fn('entity_score_keys_scorecard_delete', dropScorecard.join('; ')),
    'create trigger entity_score_keys_result_insert after insert on scorecard_results for each row execute function entity_score_keys_result_insert()',
    `create trigger entity_score_keys_result_update after update of score, scorecard_id, entity_id on scorecard_results for each row
      when (old.score is distinct from new.score or old.scorecard_id <> new.scorecard_id or old.entity_id <> new.entity_id) execute function entity_score_keys_result_update()`,
    'create trigger entity_score_keys_result_delete after delete on scorecard_results for each row execute function entity_score_keys_result_delete()',
    'create trigger entity_score_keys_entity_insert after insert on entities for each row execute function entity_score_keys_entity_insert()',
    'create trigger entity_score_keys_entity_update after update of ref_key on entities for each row when (old.ref_key <> new.ref_key) execute function entity_score_keys_entity_update()',
    'create trigger entity_score_keys_entity_delete after delete on entities for each row execute function entity_score_keys_entity_delete()',
    'create trigger entity_score_keys_scorecard_delete after delete on scorecards for each row execute function entity_score_keys_scorecard_delete()',
  ];
}

/** The facets entity_facet_rollups sums by (0010-overview-sort.ts), '' for none. */
const FACETS = ['scope', 'kind_key', 'type_key', 'lifecycle_key', 'owner_ref', 'system_ref', 'domain_ref'] as const;
const TAG_SUMS = ['entities', 'with_data', ...SEVERITIES];

/** Adds (`+`) or takes away (`-`) the sort row `o` from the rollup of the tag `tag`, for the rows `from … where`. */
const tagDelta = (tag: string, o: string, sign: '+' | '-', from: string) =>
  `insert into entity_tag_rollups (tag, ${[...FACETS, ...TAG_SUMS].join(', ')})
    select ${tag}, ${FACETS.map((f) => `coalesce(${o}.${f}, '')`).join(', ')}, ${sign}1, ${sign}${o}.has_data, ${SEVERITIES.map((s) => `${sign}${o}.${s}`).join(', ')} ${from}
    on conflict (tag, ${FACETS.join(', ')}) do update set ${TAG_SUMS.map((c) => `${c} = entity_tag_rollups.${c} + excluded.${c}`).join(', ')}`;
/** A sort row written or deleted: its entity's tags. */
const sortRowDelta = (row: 'new' | 'old', sign: '+' | '-') => tagDelta('t.tag', row, sign, `from entity_tags t where t.entity_id = ${row}.entity_id`);
/** A tag given or taken: its entity's sort row, if it has one. */
const tagRowDelta = (row: 'new' | 'old', sign: '+' | '-') => tagDelta(`${row}.tag`, 'o', sign, `from entity_sort_keys o where o.entity_id = ${row}.entity_id`);
const addTag = "insert into entity_tags (entity_id, tag) select new.entity_id, new.value where new.key = 'metadata.tags' and new.value is not null on conflict (entity_id, tag) do nothing";
/** A search row of a tag deleted: the entity keeps the tag while another row (the same tag, another case) says so. */
const removeTag = `delete from entity_tags where old.key = 'metadata.tags' and entity_id = old.entity_id and tag = old.value
  and not exists (select 1 from entity_search s where s.entity_id = old.entity_id and s.key = 'metadata.tags' and s.value = old.value)`;

function sqliteTagTriggers(): string[] {
  return [
    `create trigger entity_tags_search_insert after insert on entity_search when new.key = 'metadata.tags' begin ${addTag}; end`,
    `create trigger entity_tags_search_update after update on entity_search when old.key = 'metadata.tags' or new.key = 'metadata.tags' begin ${removeTag}; ${addTag}; end`,
    `create trigger entity_tags_search_delete after delete on entity_search when old.key = 'metadata.tags' begin ${removeTag}; end`,
    `create trigger entity_tag_rollups_tag_insert after insert on entity_tags begin ${tagRowDelta('new', '+')}; end`,
    `create trigger entity_tag_rollups_tag_delete after delete on entity_tags begin ${tagRowDelta('old', '-')}; end`,
    `create trigger entity_tag_rollups_sort_insert after insert on entity_sort_keys begin ${sortRowDelta('new', '+')}; end`,
    `create trigger entity_tag_rollups_sort_update after update on entity_sort_keys begin ${sortRowDelta('old', '-')}; ${sortRowDelta('new', '+')}; end`,
    `create trigger entity_tag_rollups_sort_delete after delete on entity_sort_keys begin ${sortRowDelta('old', '-')}; end`,
  ];
}

function postgresTagTriggers(): string[] {
  const fn = (name: string, body: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`;
  return [
    fn('entity_tags_search_insert', addTag),
    fn('entity_tags_search_update', `${removeTag}; ${addTag}`),
    fn('entity_tags_search_delete', removeTag),
    fn('entity_tag_rollups_tag_insert', tagRowDelta('new', '+')),
    fn('entity_tag_rollups_tag_delete', tagRowDelta('old', '-')),
    fn('entity_tag_rollups_sort_insert', sortRowDelta('new', '+')),
    fn('entity_tag_rollups_sort_update', `${sortRowDelta('old', '-')}; ${sortRowDelta('new', '+')}`),
    fn('entity_tag_rollups_sort_delete', sortRowDelta('old', '-')),
    "create trigger entity_tags_search_insert after insert on entity_search for each row when (new.key = 'metadata.tags') execute function entity_tags_search_insert()",
    "create trigger entity_tags_search_update after update on entity_search for each row when (old.key = 'metadata.tags' or new.key = 'metadata.tags') execute function entity_tags_search_update()",
    "create trigger entity_tags_search_delete after delete on entity_search for each row when (old.key = 'metadata.tags') execute function entity_tags_search_delete()",
    'create trigger entity_tag_rollups_tag_insert after insert on entity_tags for each row execute function entity_tag_rollups_tag_insert()',
    'create trigger entity_tag_rollups_tag_delete after delete on entity_tags for each row execute function entity_tag_rollups_tag_delete()',
    'create trigger entity_tag_rollups_sort_insert after insert on entity_sort_keys for each row execute function entity_tag_rollups_sort_insert()',
    'create trigger entity_tag_rollups_sort_update after update on entity_sort_keys for each row execute function entity_tag_rollups_sort_update()',
    'create trigger entity_tag_rollups_sort_delete after delete on entity_sort_keys for each row execute function entity_tag_rollups_sort_delete()',
  ];
}
