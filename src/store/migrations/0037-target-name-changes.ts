import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * After any target of a scope was created, deleted, renamed or moved, a process that kept the
 * scope's names for similar-name hints (store/similar-names.ts) read every name of the lengths it
 * weighs again: 100 000 names after one new target (issue 17). It now reads only the targets
 * changed since the names it holds, from a change log, and patches them.
 *
 * Each scope's row of target_name_versions gains a `version` counter that every change of its
 * targets bumps, next to the random stamp (kept: a version number alone could be given again to
 * other changes after a rollback on SQLite, where a transaction reads its own changes):
 *
 * - SQLite: each changed target bumps it in the changing statement (its writers take turns) and
 *   logs (scope, version, target id, new stamp) in target_name_changes: one version per target.
 *   A reader holding version V and stamp S reads the log from V on; the row of V with stamp S
 *   proves both that its names were the ones committed at V and that the log goes back that far.
 * - PostgreSQL: each changed target is logged with a random id of its transaction as it changes;
 *   at commit, the deferred trigger of the first changed target of a scope bumps the scope's
 *   version once for the whole transaction and records (scope, version, transaction id) in
 *   target_name_commits. Committers of one scope wait for each other on its row, so versions are
 *   given in commit order and a version seen implies that every smaller one committed. A reader
 *   holding V reads the commits after V with their changed targets in one statement.
 *
 * The log keeps at least the last SQLITE_KEPT_VERSIONS versions of a scope on SQLite (one target
 * each) and the last POSTGRES_KEPT_COMMITS commits on PostgreSQL: every PRUNED_EVERY-th bump
 * deletes those older, by index, in the same statement or trigger (the others do not look). A
 * reader further behind reads every name again.
 */
export const SQLITE_KEPT_VERSIONS = 512;
export const POSTGRES_KEPT_COMMITS = 64;
export const PRUNED_EVERY = 16;

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.alterTable('target_name_versions').addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  for (const statement of postgres ? POSTGRES : SQLITE) await sql.raw(statement).execute(db);
}

const SQLITE_STAMP = 'hex(randomblob(16))';

/** Bumps a scope's version with a new stamp, logs the target with both, and drops the log's oldest version past the bound. */
const sqliteChange = (scope: string, id: string) =>
  [
    `insert into target_name_versions (scope, stamp, version) values (${scope}, ${SQLITE_STAMP}, 1) on conflict (scope) do update set stamp = excluded.stamp, version = version + 1`,
    `insert into target_name_changes (scope, version, target_id, stamp) select scope, version, ${id}, stamp from target_name_versions where scope = ${scope}`,
    `delete from target_name_changes where scope = ${scope} and version <= (select version from target_name_versions where scope = ${scope} and version % ${PRUNED_EVERY} = 0) - ${SQLITE_KEPT_VERSIONS}`,
  ].join('; ');

const SQLITE_CHANGED = 'old.scope is not new.scope or old.similarity_key is not new.similarity_key';

const SQLITE = [
  'drop trigger target_name_versions_insert',
  'drop trigger target_name_versions_delete',
  'drop trigger target_name_versions_update',
  'create table target_name_changes (scope text not null, version integer not null, target_id integer not null, stamp text not null)',
  'create index target_name_changes_scope_version on target_name_changes (scope, version)',
  `create trigger target_name_versions_insert after insert on targets begin ${sqliteChange('new.scope', 'new.id')}; end`,
  `create trigger target_name_versions_delete after delete on targets begin ${sqliteChange('old.scope', 'old.id')}; end`,
  `create trigger target_name_versions_update after update of scope, similarity_key on targets when ${SQLITE_CHANGED} begin ${sqliteChange('old.scope', 'old.id')}; ${sqliteChange('new.scope', 'new.id')}; end`,
];

const POSTGRES = [
  'create table target_name_changes (scope text not null, txn text not null, target_id integer not null)',
  'create index target_name_changes_scope_txn on target_name_changes (scope, txn)',
  'create table target_name_commits (scope text not null, version bigint not null, txn text not null, stamp text not null, primary key (scope, version))',
  'create unique index target_name_commits_scope_txn on target_name_commits (scope, txn)',
  // As it changes: the transaction flags itself (migration 0036) with a random id of its own, and
  // logs the target under it. Not txid_current(): after a restore into another cluster, the ids of
  // new transactions could be those of commits still in the log.
  `create or replace function target_names_changed() returns trigger language plpgsql as $$
    declare own text := current_setting('lantern.target_names_changed', true);
    begin
    if own is null or own = '' then
      own := gen_random_uuid()::text;
      perform set_config('lantern.target_names_changed', own, true);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then insert into target_name_changes (scope, txn, target_id) values (new.scope, own, new.id); end if;
    if tg_op = 'DELETE' or (tg_op = 'UPDATE' and old.scope is distinct from new.scope) then insert into target_name_changes (scope, txn, target_id) values (old.scope, own, old.id); end if;
    return null; end $$`,
  // As it commits: one version for each scope it changed, given by the first changed target's trigger.
  `create or replace function target_name_versions_bump_scope(changed text) returns void language plpgsql as $$
    declare bumped bigint; stamped text; own text := current_setting('lantern.target_names_changed', true);
    begin
    if exists (select 1 from target_name_commits where scope = changed and txn = own) then return; end if;
    insert into target_name_versions (scope, stamp, version) values (changed, gen_random_uuid()::text, 1)
      on conflict (scope) do update set stamp = excluded.stamp, version = target_name_versions.version + 1
      returning version, stamp into bumped, stamped;
    insert into target_name_commits (scope, version, txn, stamp) values (changed, bumped, own, stamped);
    if bumped % ${PRUNED_EVERY} = 0 and bumped > ${POSTGRES_KEPT_COMMITS} then
      delete from target_name_changes c using target_name_commits m where m.scope = changed and m.version <= bumped - ${POSTGRES_KEPT_COMMITS} and c.scope = changed and c.txn = m.txn;
      delete from target_name_commits where scope = changed and version <= bumped - ${POSTGRES_KEPT_COMMITS};
    end if;
    end $$`,
  `create or replace function target_name_versions_bump() returns trigger language plpgsql as $$ begin
    if tg_op in ('INSERT', 'UPDATE') then perform target_name_versions_bump_scope(new.scope); end if;
    if tg_op = 'DELETE' or (tg_op = 'UPDATE' and old.scope is distinct from new.scope) then perform target_name_versions_bump_scope(old.scope); end if;
    return null; end $$`,
];
