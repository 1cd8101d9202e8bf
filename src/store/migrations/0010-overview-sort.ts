import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The overview's sorts read by index (issue #17).
 *
 * entity_sort_keys holds one row per entity: the catalog fields the overview filters on, lowered,
 * and one key column per sort and direction, so that a page in any of the common sorts is the next
 * rows of one index instead of a sort of every matching entity. Each key is text that orders the
 * way the overview shows the sort, with its null rule folded in:
 *
 * - counts (`critical` … `total`): entities with data first ('0'), then the sorted count and the
 *   other severities as ten-digit numbers (for a descending sort, 9999999999 minus the count, so
 *   that every count key is read ascending);
 * - catalog fields and the last scan time: entities without the field last either way round ('1'
 *   before a null ascending, '0' descending, the lowered value after the other prefix digit).
 *
 * The entity's ref_key breaks ties, ascending. Triggers on entities and entity_summaries keep the
 * rows exact in the writing transaction, whatever code path writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let table = db.schema
    .createTable('entity_sort_keys')
    .addColumn('entity_id', 'integer', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('ref_key', 'text', (c) => c.notNull())
    .addColumn('kind_key', 'text', (c) => c.notNull())
    .addColumn('type_key', 'text')
    .addColumn('lifecycle_key', 'text')
    .addColumn('owner_key', 'text')
    .addColumn('system_key', 'text')
    .addColumn('owner_ref', 'text')
    .addColumn('system_ref', 'text')
    .addColumn('domain_ref', 'text')
    .addColumn('has_data', 'integer', (c) => c.notNull());
  for (const count of SEVERITIES) table = table.addColumn(count, 'integer', (c) => c.notNull());
  for (const key of KEYS) table = table.addColumn(key.column, 'text', (c) => c.notNull());
  await table.execute();

  const refresh = refreshStatement(postgres);
  // `where true`: SQLite reads `on conflict` after a join's select only behind a where.
  await sql.raw(refresh.replace('e.id = $ID', 'true')).execute(db);
  for (const statement of postgres ? postgresTriggers(refresh) : sqliteTriggers(refresh)) await sql.raw(statement).execute(db);

  for (const key of KEYS) {
    await db.schema
      .createIndex(`entity_sort_keys_${key.column}`)
      .on('entity_sort_keys')
      .columns([key.descending ? `${key.column} desc` : key.column, 'ref_key'])
      .execute();
  }
  await db.schema
    .createTable('entity_facet_rollups')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('kind_key', 'text', (c) => c.notNull())
    .addColumn('type_key', 'text', (c) => c.notNull())
    .addColumn('lifecycle_key', 'text', (c) => c.notNull())
    .addColumn('owner_ref', 'text', (c) => c.notNull())
    .addColumn('system_ref', 'text', (c) => c.notNull())
    .addColumn('domain_ref', 'text', (c) => c.notNull())
    .addColumn('entities', 'integer', (c) => c.notNull())
    .addColumn('with_data', 'integer', (c) => c.notNull())
    .$call((t) => SEVERITIES.reduce((table, count) => table.addColumn(count, 'integer', (c) => c.notNull()), t))
    .addPrimaryKeyConstraint('entity_facet_rollups_pk', [...FACETS])
    .execute();
  await sql.raw(`insert into entity_facet_rollups (${[...FACETS, ...FACET_SUMS].join(', ')})
    select ${FACETS.map((f) => `coalesce(${f}, '')`).join(', ')}, count(*), ${FACET_SUMS.slice(1).map((c) => `sum(${c === 'with_data' ? 'has_data' : c})`).join(', ')}
    from entity_sort_keys group by ${FACETS.map((f) => `coalesce(${f}, '')`).join(', ')}`).execute(db);

  await db.schema
    .createTable('target_sharing')
    .addColumn('target_id', 'integer', (c) => c.primaryKey())
    .addColumn('entities', 'integer', (c) => c.notNull())
    .execute();
  await sql.raw('insert into target_sharing (target_id, entities) select target_id, count(distinct entity_id) from entity_links where matched = 1 and target_id is not null group by target_id').execute(db);
  await db.schema.createIndex('target_sharing_entities').on('target_sharing').column('entities').execute();

  for (const statement of postgres ? postgresRollupTriggers() : sqliteRollupTriggers()) await sql.raw(statement).execute(db);

  // Selective filters: a team's or a system's entities are read by these, then sorted.
  await db.schema.createIndex('entity_sort_keys_owner').on('entity_sort_keys').column('owner_key').execute();
  await db.schema.createIndex('entity_sort_keys_system').on('entity_sort_keys').column('system_key').execute();
  // Without statistics SQLite guesses that a filter keeps few rows and reads every row to sort them
  // rather than walk the sort's index until the page is full; the table is new, so give it some.
  for (const name of ['entity_sort_keys', 'entity_facet_rollups', 'target_sharing']) await sql`analyze ${sql.table(name)}`.execute(db);
}

interface SortKey {
  column: string;
  /** Indexed descending: the text keys of descending sorts, which cannot be inverted in SQL. */
  descending: boolean;
  expression: (postgres: boolean) => string;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const TEXT_FIELDS: Record<string, string> = { name: 'e.name', kind: 'e.kind', type: 'e.type', owner: 'e.owner_ref', system: 'e.system_ref', lifecycle: 'e.lifecycle' };

const pad = (postgres: boolean, value: string) => (postgres ? `lpad((${value})::text, 10, '0')` : `printf('%010d', ${value})`);
const dataFirst = `case when coalesce(s.has_data, 0) = 1 then '0' else '1' end`;

function countKey(key: string, descending: boolean): SortKey {
  const order = key === 'total' ? ['total', ...SEVERITIES] : [key, ...SEVERITIES.filter((s) => s !== key)];
  return {
    column: `${descending ? 'desc' : 'asc'}_${key}`,
    descending: false,
    expression: (postgres) => [dataFirst, ...order.map((c) => pad(postgres, descending ? `9999999999 - coalesce(s.${c}, 0)` : `coalesce(s.${c}, 0)`))].join(' || '),
  };
}

function fieldKey(name: string, value: string, descending: boolean): SortKey {
  const [ifNull, ifValue] = descending ? ["'0'", "'1'"] : ["'1'", "'0'"];
  return { column: `${descending ? 'desc' : 'asc'}_${name}`, descending, expression: () => `case when ${value} is null then ${ifNull} else ${ifValue} || ${value} end` };
}

/** Every key column; overview.ts names the same columns. */
const KEYS: SortKey[] = [
  ...[...SEVERITIES, 'total'].flatMap((key) => [countKey(key, false), countKey(key, true)]),
  ...Object.entries(TEXT_FIELDS).flatMap(([name, column]) => [fieldKey(name, `lower(${column})`, false), fieldKey(name, `lower(${column})`, true)]),
  fieldKey('last_scan', 's.last_scan_at', false),
  fieldKey('last_scan', 's.last_scan_at', true),
];

const COLUMNS = ['entity_id', 'scope', 'ref_key', 'kind_key', 'type_key', 'lifecycle_key', 'owner_key', 'system_key', 'owner_ref', 'system_ref', 'domain_ref', 'has_data', ...SEVERITIES, ...KEYS.map((k) => k.column)];

/** Writes the sort row of the entity $ID (of every entity with `true` for the condition) from its entity and summary rows. */
function refreshStatement(postgres: boolean): string {
  const values = [
    'e.id',
    'e.scope',
    'e.ref_key',
    'lower(e.kind)',
    'lower(e.type)',
    'lower(e.lifecycle)',
    'lower(e.owner_ref)',
    'lower(e.system_ref)',
    'e.owner_ref',
    'e.system_ref',
    'e.domain_ref',
    'coalesce(s.has_data, 0)',
    ...SEVERITIES.map((c) => `coalesce(s.${c}, 0)`),
    ...KEYS.map((k) => k.expression(postgres)),
  ];
  return `insert into entity_sort_keys (${COLUMNS.join(', ')})
    select ${values.join(', ')} from entities e left join entity_summaries s on s.entity_id = e.id where e.id = $ID
    on conflict (entity_id) do update set ${COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`;
}

/** The catalog fields a sort row is made of: an update of others leaves it as it is. */
const ENTITY_FIELDS = 'scope, ref_key, kind, name, type, lifecycle, owner_ref, system_ref, domain_ref';

function sqliteTriggers(refresh: string): string[] {
  return [
    `create trigger entity_sort_keys_entity_insert after insert on entities begin ${refresh.replace('$ID', 'new.id')}; end`,
    `create trigger entity_sort_keys_entity_update after update of ${ENTITY_FIELDS} on entities begin ${refresh.replace('$ID', 'new.id')}; end`,
    'create trigger entity_sort_keys_entity_delete after delete on entities begin delete from entity_sort_keys where entity_id = old.id; end',
    `create trigger entity_sort_keys_summary_insert after insert on entity_summaries begin ${refresh.replace('$ID', 'new.entity_id')}; end`,
    `create trigger entity_sort_keys_summary_update after update on entity_summaries begin ${refresh.replace('$ID', 'new.entity_id')}; end`,
    `create trigger entity_sort_keys_summary_delete after delete on entity_summaries begin ${refresh.replace('$ID', 'old.entity_id')}; end`,
  ];
}

function postgresTriggers(refresh: string): string[] {
  const fn = (name: string, body: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`;
  return [
    fn('entity_sort_keys_entity', refresh.replace('$ID', 'new.id')),
    fn('entity_sort_keys_entity_delete', 'delete from entity_sort_keys where entity_id = old.id'),
    fn('entity_sort_keys_summary', refresh.replace('$ID', 'new.entity_id')),
    fn('entity_sort_keys_summary_delete', refresh.replace('$ID', 'old.entity_id')),
    'create trigger entity_sort_keys_entity_insert after insert on entities for each row execute function entity_sort_keys_entity()',
    `create trigger entity_sort_keys_entity_update after update of ${ENTITY_FIELDS} on entities for each row execute function entity_sort_keys_entity()`,
    'create trigger entity_sort_keys_entity_delete after delete on entities for each row execute function entity_sort_keys_entity_delete()',
    'create trigger entity_sort_keys_summary_write after insert or update on entity_summaries for each row execute function entity_sort_keys_summary()',
    'create trigger entity_sort_keys_summary_delete after delete on entity_summaries for each row execute function entity_sort_keys_summary_delete()',
  ];
}

/**
 * entity_facet_rollups: the sort rows summed per scope, kind, type, lifecycle, owner, system and
 * domain ('' for none), so that an overview filtered by those reads a few rows for its totals and
 * rollups. Kept from entity_sort_keys, whose rows carry every value: each write moves its old row
 * out of its group and its new row in.
 */
const FACETS = ['scope', 'kind_key', 'type_key', 'lifecycle_key', 'owner_ref', 'system_ref', 'domain_ref'] as const;
const FACET_SUMS = ['entities', 'with_data', ...SEVERITIES];
const facetDelta = (row: 'new' | 'old', sign: '+' | '-') =>
  `insert into entity_facet_rollups (${[...FACETS, ...FACET_SUMS].join(', ')}) values (${FACETS.map((f) => `coalesce(${row}.${f}, '')`).join(', ')}, ${sign}1, ${sign}${row}.has_data, ${SEVERITIES.map((c) => `${sign}${row}.${c}`).join(', ')})
    on conflict (${FACETS.join(', ')}) do update set ${FACET_SUMS.map((c) => `${c} = entity_facet_rollups.${c} + excluded.${c}`).join(', ')}`;

/**
 * target_sharing: per target, how many entities show it (a matched link). The overview counts a
 * target shown by several entities once in its totals; this says at a glance whether any is. Each
 * write recounts its target's links, so the count is right whatever order a statement's rows take.
 */
const recount = (row: 'new' | 'old') =>
  `insert into target_sharing (target_id, entities) select ${row}.target_id, (select count(distinct entity_id) from entity_links where target_id = ${row}.target_id and matched = 1) where ${row}.target_id is not null
    on conflict (target_id) do update set entities = excluded.entities`;

function sqliteRollupTriggers(): string[] {
  return [
    `create trigger entity_facet_rollups_insert after insert on entity_sort_keys begin ${facetDelta('new', '+')}; end`,
    `create trigger entity_facet_rollups_update after update on entity_sort_keys begin ${facetDelta('old', '-')}; ${facetDelta('new', '+')}; end`,
    `create trigger entity_facet_rollups_delete after delete on entity_sort_keys begin ${facetDelta('old', '-')}; end`,
    `create trigger target_sharing_insert after insert on entity_links begin ${recount('new')}; end`,
    `create trigger target_sharing_update after update of target_id, entity_id, matched on entity_links begin ${recount('old')}; ${recount('new')}; end`,
    `create trigger target_sharing_delete after delete on entity_links begin ${recount('old')}; end`,
  ];
}

function postgresRollupTriggers(): string[] {
  const fn = (name: string, body: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`;
  return [
    fn('entity_facet_rollups_insert', facetDelta('new', '+')),
    fn('entity_facet_rollups_update', `${facetDelta('old', '-')}; ${facetDelta('new', '+')}`),
    fn('entity_facet_rollups_delete', facetDelta('old', '-')),
    fn('target_sharing_insert', recount('new')),
    fn('target_sharing_update', `${recount('old')}; ${recount('new')}`),
    fn('target_sharing_delete', recount('old')),
    'create trigger entity_facet_rollups_insert after insert on entity_sort_keys for each row execute function entity_facet_rollups_insert()',
    'create trigger entity_facet_rollups_update after update on entity_sort_keys for each row execute function entity_facet_rollups_update()',
    'create trigger entity_facet_rollups_delete after delete on entity_sort_keys for each row execute function entity_facet_rollups_delete()',
    'create trigger target_sharing_insert after insert on entity_links for each row execute function target_sharing_insert()',
    'create trigger target_sharing_update after update of target_id, entity_id, matched on entity_links for each row execute function target_sharing_update()',
    'create trigger target_sharing_delete after delete on entity_links for each row execute function target_sharing_delete()',
  ];
}
