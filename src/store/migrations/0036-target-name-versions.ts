import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The similar-name hint of a link no target has reads the names of its scope within a few
 * characters of its length (store/target-links.ts similarCandidates): at 100 000 image names of
 * one scope, reading them was most of a registration's time (issue 17). A process now keeps the
 * names it read (store/similar-names.ts), and reuses them while their scope's row here says that
 * no target of the scope was created, deleted, renamed or moved since: one indexed row read.
 *
 * Each change of a scope's targets sets the scope's `stamp` to a new random value, never an
 * incremented one: a transaction that changed targets and rolled back leaves no value behind that
 * another could set again, so names a process read inside it can never pass for current.
 *
 * SQLite sets the stamp in the changing statement (its writers take turns anyway). PostgreSQL sets
 * it when the changing transaction commits (a deferred constraint trigger), so that two first
 * scans of new targets of one scope do not wait for each other on the scope's row all along; until
 * then the transaction flags itself (the setting lantern.target_names_changed, local to it), and
 * a lookup in such a transaction reads its scope's names from the table without the kept ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('target_name_versions')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('stamp', 'text', (c) => c.notNull())
    .execute();
  await sql.raw(`insert into target_name_versions (scope, stamp) select scope, ${postgres ? POSTGRES_STAMP : SQLITE_STAMP} from (select distinct scope from targets) s`).execute(db);
  for (const statement of postgres ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS) await sql.raw(statement).execute(db);
}

const SQLITE_STAMP = 'hex(randomblob(16))';
const POSTGRES_STAMP = 'gen_random_uuid()::text';

const bump = (stamp: string, scope: string) =>
  `insert into target_name_versions (scope, stamp) values (${scope}, ${stamp}) on conflict (scope) do update set stamp = excluded.stamp`;

/** What a change of these columns changes for the hint: the names a scope has. */
const CHANGED = 'old.scope is not new.scope or old.similarity_key is not new.similarity_key';

const SQLITE_TRIGGERS = [
  `create trigger target_name_versions_insert after insert on targets begin ${bump(SQLITE_STAMP, 'new.scope')}; end`,
  `create trigger target_name_versions_delete after delete on targets begin ${bump(SQLITE_STAMP, 'old.scope')}; end`,
  `create trigger target_name_versions_update after update of scope, similarity_key on targets when ${CHANGED} begin ${bump(SQLITE_STAMP, 'old.scope')}; ${bump(SQLITE_STAMP, 'new.scope')}; end`,
];

const POSTGRES_CHANGED = 'old.scope is distinct from new.scope or old.similarity_key is distinct from new.similarity_key';

const POSTGRES_TRIGGERS = [
  `create function target_names_changed() returns trigger language plpgsql as $$ begin perform set_config('lantern.target_names_changed', '1', true); return null; end $$`,
  `create function target_name_versions_bump() returns trigger language plpgsql as $$ begin
    if tg_op in ('INSERT', 'UPDATE') then ${bump(POSTGRES_STAMP, 'new.scope')}; end if;
    if tg_op in ('DELETE', 'UPDATE') then ${bump(POSTGRES_STAMP, 'old.scope')}; end if;
    return null; end $$`,
  'create trigger target_names_changed after insert or delete on targets for each row execute function target_names_changed()',
  `create trigger target_names_changed_update after update of scope, similarity_key on targets for each row when (${POSTGRES_CHANGED}) execute function target_names_changed()`,
  'create constraint trigger target_name_versions after insert or delete on targets deferrable initially deferred for each row execute function target_name_versions_bump()',
  `create constraint trigger target_name_versions_update after update of scope, similarity_key on targets deferrable initially deferred for each row when (${POSTGRES_CHANGED}) execute function target_name_versions_bump()`,
];
