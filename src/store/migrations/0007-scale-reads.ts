import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Reads that do not grow with the catalog (issue #17).
 *
 * entity_rollups holds, per group of entities sharing a scope, owner, system and domain, how many
 * entities it has and the sums of their stored summaries: the overview's totals and its rollups by
 * owner, system and domain read these few rows instead of every entity. Triggers keep it exact on
 * every write to entities and entity_summaries, whatever code path makes it, in the writing
 * transaction. A missing owner, system or domain is '' here (a key column cannot be null).
 *
 * The indexes let the overview's pages walk entities in the order of each sort instead of sorting
 * the whole catalog per request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('entity_rollups')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('owner_ref', 'text', (c) => c.notNull())
    .addColumn('system_ref', 'text', (c) => c.notNull())
    .addColumn('domain_ref', 'text', (c) => c.notNull())
    .addColumn('entities', 'integer', (c) => c.notNull())
    .addColumn('with_data', 'integer', (c) => c.notNull())
    .addColumn('critical', 'integer', (c) => c.notNull())
    .addColumn('high', 'integer', (c) => c.notNull())
    .addColumn('medium', 'integer', (c) => c.notNull())
    .addColumn('low', 'integer', (c) => c.notNull())
    .addColumn('info', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('entity_rollups_pk', ['scope', 'owner_ref', 'system_ref', 'domain_ref'])
    .execute();
  await sql`insert into entity_rollups (scope, owner_ref, system_ref, domain_ref, entities, ${sql.raw(COUNTS.join(', '))})
    select e.scope, coalesce(e.owner_ref, ''), coalesce(e.system_ref, ''), coalesce(e.domain_ref, ''), count(*),
      ${sql.raw(SUMMARY_COLUMNS.map((c) => `sum(coalesce(s.${c}, 0))`).join(', '))}
    from entities e left join entity_summaries s on s.entity_id = e.id
    group by e.scope, coalesce(e.owner_ref, ''), coalesce(e.system_ref, ''), coalesce(e.domain_ref, '')`.execute(db);
  for (const statement of postgres ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS) await sql.raw(statement).execute(db);

  // The domain of each system, read per overview request.
  await db.schema.createIndex('entities_kind_lower').on('entities').expression(sql`lower(kind)`).execute();
}

/** Rollup columns and the summary columns summed into them, in the same order. */
const COUNTS = ['with_data', 'critical', 'high', 'medium', 'low', 'info'];
const SUMMARY_COLUMNS = ['has_data', 'critical', 'high', 'medium', 'low', 'info'];
const KEY = (row: string) => `${row}.scope, coalesce(${row}.owner_ref, ''), coalesce(${row}.system_ref, ''), coalesce(${row}.domain_ref, '')`;
const UPSERT = `insert into entity_rollups (scope, owner_ref, system_ref, domain_ref, entities, ${COUNTS.join(', ')})`;
const ADD = `on conflict (scope, owner_ref, system_ref, domain_ref) do update set entities = entity_rollups.entities + excluded.entities, ${COUNTS.map((c) => `${c} = entity_rollups.${c} + excluded.${c}`).join(', ')}`;
const KEY_CHANGED = ['scope', 'owner_ref', 'system_ref', 'domain_ref'].map((c) => `old.${c} is not new.${c}`).join(' or ');

/**
 * `sign` times an entity (`row`: new or old) with its stored summary, if it has one, added to its
 * group. Entities are counted by the entities triggers, summaries by the entity_summaries ones:
 * a summary written or removed while its entity exists moves its group's sums; one removed with its
 * entity (the cascade) was taken away with the entity, before it went.
 */
const entityDelta = (row: string, sign: '+' | '-') =>
  `${UPSERT} select ${KEY(row)}, ${sign}1, ${SUMMARY_COLUMNS.map((c) => `${sign}coalesce((select ${c} from entity_summaries where entity_id = ${row}.id), 0)`).join(', ')} where true ${ADD}`;
const summaryDelta = (values: string) => `${UPSERT} select ${KEY('e')}, 0, ${values} from entities e where e.id = entity_id_of_row ${ADD}`;

const SQLITE_TRIGGERS = [
  `create trigger entity_rollups_entity_insert after insert on entities begin ${entityDelta('new', '+')}; end`,
  `create trigger entity_rollups_entity_delete before delete on entities begin ${entityDelta('old', '-')}; end`,
  `create trigger entity_rollups_entity_update after update of scope, owner_ref, system_ref, domain_ref on entities when ${KEY_CHANGED} begin
    ${entityDelta('old', '-')}; ${entityDelta('new', '+')}; end`,
  `create trigger entity_rollups_summary_insert after insert on entity_summaries begin
    ${summaryDelta(SUMMARY_COLUMNS.map((c) => `new.${c}`).join(', ')).replace('entity_id_of_row', 'new.entity_id')}; end`,
  `create trigger entity_rollups_summary_update after update on entity_summaries begin
    ${summaryDelta(SUMMARY_COLUMNS.map((c) => `new.${c} - old.${c}`).join(', ')).replace('entity_id_of_row', 'new.entity_id')}; end`,
  `create trigger entity_rollups_summary_delete after delete on entity_summaries begin
    ${summaryDelta(SUMMARY_COLUMNS.map((c) => `-old.${c}`).join(', ')).replace('entity_id_of_row', 'old.entity_id')}; end`,
];

const plpgsql = (name: string, body: string, result: string) =>
  `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return ${result}; end $$`;

const POSTGRES_TRIGGERS = [
  plpgsql('entity_rollups_entity_insert', entityDelta('new', '+'), 'null'),
  plpgsql('entity_rollups_entity_delete', entityDelta('old', '-'), 'old'),
  plpgsql('entity_rollups_entity_update', `${entityDelta('old', '-')}; ${entityDelta('new', '+')}`, 'null'),
  plpgsql('entity_rollups_summary_insert', summaryDelta(SUMMARY_COLUMNS.map((c) => `new.${c}`).join(', ')).replace('entity_id_of_row', 'new.entity_id'), 'null'),
  plpgsql('entity_rollups_summary_update', summaryDelta(SUMMARY_COLUMNS.map((c) => `new.${c} - old.${c}`).join(', ')).replace('entity_id_of_row', 'new.entity_id'), 'null'),
  plpgsql('entity_rollups_summary_delete', summaryDelta(SUMMARY_COLUMNS.map((c) => `-old.${c}`).join(', ')).replace('entity_id_of_row', 'old.entity_id'), 'null'),
  'create trigger entity_rollups_entity_insert after insert on entities for each row execute function entity_rollups_entity_insert()',
  'create trigger entity_rollups_entity_delete before delete on entities for each row execute function entity_rollups_entity_delete()',
  `create trigger entity_rollups_entity_update after update of scope, owner_ref, system_ref, domain_ref on entities for each row when (${KEY_CHANGED.replaceAll(' is not ', ' is distinct from ')}) execute function entity_rollups_entity_update()`,
  'create trigger entity_rollups_summary_insert after insert on entity_summaries for each row execute function entity_rollups_summary_insert()',
  'create trigger entity_rollups_summary_update after update on entity_summaries for each row execute function entity_rollups_summary_update()',
  'create trigger entity_rollups_summary_delete after delete on entity_summaries for each row execute function entity_rollups_summary_delete()',
];
