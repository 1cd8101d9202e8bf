import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The overview's facet filters read by index, and its tag-filtered totals from stored rows (issue
 * #17), beside entity_sort_keys (0010-overview-sort.ts), whose rows and triggers are left as they are.
 *
 * A facet filter that keeps few entities reads them through one of the indexes below and sorts
 * them; one that keeps many walks the sort's index and checks each row (insights/overview-facets.ts
 * chooses from the stored counts). An owner or system given as a bare name (`team-a` for
 * `group:default/team-a`) compares the part of the lowered ref after its last `/`: refNameKey, the
 * same text on SQLite and PostgreSQL (rtrim by every character but `/` keeps the ref up to its last `/`).
 *
 * entity_tag_exploitation_rollups: per tag, the sort rows' known-exploited and SLA-breached counts
 * summed per scope, kind, type, lifecycle, owner, system and domain, as entity_exploitation_rollups
 * (0014-exploitation-sort-keys.ts) sums them per facet, so that a tag-filtered overview's totals
 * read a few rows. An entity counts in a tag's row while it has both the tag and a sort row: each
 * side's triggers add or take away its contribution when the other side exists (as 0017's
 * entity_tag_rollups), so the order in which the two are written does not matter.
 */
export const refNameKey = (column: string) => `substr(${column}, length(rtrim(${column}, replace(${column}, '/', ''))) + 1)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  for (const column of ['kind_key', 'type_key', 'lifecycle_key', 'has_data']) {
    await db.schema.createIndex(`entity_sort_keys_${column}`).on('entity_sort_keys').column(column).execute();
  }
  for (const column of ['owner_key', 'system_key']) {
    await db.schema
      .createIndex(`entity_sort_keys_${column.replace('_key', '')}_name`)
      .on('entity_sort_keys')
      .expression(sql.raw(refNameKey(column)))
      .execute();
  }

  let table = db.schema.createTable('entity_tag_exploitation_rollups').addColumn('tag' as string, 'text', (c) => c.notNull());
  for (const facet of FACETS) table = table.addColumn(facet, 'text', (c) => c.notNull());
  for (const sum of SUMS) table = table.addColumn(sum, 'integer', (c) => c.notNull());
  await table.addPrimaryKeyConstraint('entity_tag_exploitation_rollups_pk', ['tag', ...FACETS]).execute();
  await sql
    .raw(
      `insert into entity_tag_exploitation_rollups (tag, ${[...FACETS, ...SUMS].join(', ')})
      select t.tag, ${FACETS.map((f) => `coalesce(o.${f}, '')`).join(', ')}, count(o.known_exploited), sum(coalesce(o.known_exploited, 0)), sum(coalesce(o.sla_breached, 0))
      from entity_tags t join entity_sort_keys o on o.entity_id = t.entity_id
      group by t.tag, ${FACETS.map((f) => `coalesce(o.${f}, '')`).join(', ')}`,
    )
    .execute(db);
  for (const statement of postgres ? postgresTriggers() : sqliteTriggers()) await sql.raw(statement).execute(db);
  for (const name of ['entity_sort_keys', 'entity_tag_exploitation_rollups']) await sql`analyze ${sql.table(name)}`.execute(db);
}

/** The facets entity_exploitation_rollups sums by, '' for none. */
const FACETS = ['scope', 'kind_key', 'type_key', 'lifecycle_key', 'owner_ref', 'system_ref', 'domain_ref'] as const;
const SUMS = ['entities_known', 'known_exploited', 'sla_breached'] as const;

/** Adds (`+`) or takes away (`-`) the sort row `o` from the row of the tag `tag`, for the rows `from … where`. */
const delta = (tag: string, o: string, sign: '+' | '-', from: string) =>
  `insert into entity_tag_exploitation_rollups (tag, ${[...FACETS, ...SUMS].join(', ')})
    select ${tag}, ${FACETS.map((f) => `coalesce(${o}.${f}, '')`).join(', ')}, case when ${o}.known_exploited is null then 0 else ${sign}1 end, ${sign}coalesce(${o}.known_exploited, 0), ${sign}coalesce(${o}.sla_breached, 0) ${from}
    on conflict (tag, ${FACETS.join(', ')}) do update set ${SUMS.map((c) => `${c} = entity_tag_exploitation_rollups.${c} + excluded.${c}`).join(', ')}`;
/** A sort row written or deleted: its entity's tags. */
const sortRowDelta = (row: 'new' | 'old', sign: '+' | '-') => delta('t.tag', row, sign, `from entity_tags t where t.entity_id = ${row}.entity_id`);
/** A tag given or taken: its entity's sort row, if it has one. */
const tagRowDelta = (row: 'new' | 'old', sign: '+' | '-') => delta(`${row}.tag`, 'o', sign, `from entity_sort_keys o where o.entity_id = ${row}.entity_id`);

/** When an update of a sort row moves its counts: they, or the group of a row that has some, changed. */
function moved(postgres: boolean): string {
  const differ = postgres ? 'is distinct from' : 'is not';
  const has = (row: 'new' | 'old') => `(${row}.known_exploited is not null or ${row}.sla_breached is not null)`;
  return `old.known_exploited ${differ} new.known_exploited or old.sla_breached ${differ} new.sla_breached or ((${has('old')} or ${has('new')}) and (${FACETS.map((f) => `old.${f} ${differ} new.${f}`).join(' or ')}))`;
}

function sqliteTriggers(): string[] {
  return [
    `create trigger entity_tag_exploitation_rollups_tag_insert after insert on entity_tags begin ${tagRowDelta('new', '+')}; end`,
    `create trigger entity_tag_exploitation_rollups_tag_delete after delete on entity_tags begin ${tagRowDelta('old', '-')}; end`,
    `create trigger entity_tag_exploitation_rollups_sort_insert after insert on entity_sort_keys begin ${sortRowDelta('new', '+')}; end`,
    `create trigger entity_tag_exploitation_rollups_sort_update after update on entity_sort_keys when ${moved(false)} begin ${sortRowDelta('old', '-')}; ${sortRowDelta('new', '+')}; end`,
    `create trigger entity_tag_exploitation_rollups_sort_delete after delete on entity_sort_keys begin ${sortRowDelta('old', '-')}; end`,
  ];
}

function postgresTriggers(): string[] {
  const fn = (name: string, body: string) => `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`;
  return [
    fn('entity_tag_exploitation_rollups_tag_insert', tagRowDelta('new', '+')),
    fn('entity_tag_exploitation_rollups_tag_delete', tagRowDelta('old', '-')),
    fn('entity_tag_exploitation_rollups_sort_insert', sortRowDelta('new', '+')),
    fn('entity_tag_exploitation_rollups_sort_update', `${sortRowDelta('old', '-')}; ${sortRowDelta('new', '+')}`),
    fn('entity_tag_exploitation_rollups_sort_delete', sortRowDelta('old', '-')),
    'create trigger entity_tag_exploitation_rollups_tag_insert after insert on entity_tags for each row execute function entity_tag_exploitation_rollups_tag_insert()',
    'create trigger entity_tag_exploitation_rollups_tag_delete after delete on entity_tags for each row execute function entity_tag_exploitation_rollups_tag_delete()',
    'create trigger entity_tag_exploitation_rollups_sort_insert after insert on entity_sort_keys for each row execute function entity_tag_exploitation_rollups_sort_insert()',
    `create trigger entity_tag_exploitation_rollups_sort_update after update on entity_sort_keys for each row when (${moved(true)}) execute function entity_tag_exploitation_rollups_sort_update()`,
    'create trigger entity_tag_exploitation_rollups_sort_delete after delete on entity_sort_keys for each row execute function entity_tag_exploitation_rollups_sort_delete()',
  ];
}
