import type { Kysely } from 'kysely';
import { lastSegment, similarityKey } from '../catalog/matching.js';
import type { VariantInfo } from '../domain/baseline.js';
import { InputError, NotFoundError } from '../domain/errors.js';
import { formatScope, parseScope, type Scope } from '../domain/scope.js';
import { targetNameKey, type TargetType } from '../domain/target.js';
import type { Store } from './database.js';
import { reusedStatement } from './reused-statement.js';
import type { Database, TargetRow, VariantRow } from './schema.js';
import { containsText } from './text-search.js';
import type { ScopeFilter } from '../access/roles.js';
import { scopeAllowed } from './scope-filter.js';

type Db = Kysely<Database>;

export async function getTargetById(db: Db, id: number): Promise<TargetRow> {
  const target = await db.selectFrom('targets').selectAll().where('id', '=', id).executeTakeFirst();
  if (!target) throw new NotFoundError(`No target with id ${id}.`);
  return target;
}

export function findTarget(db: Db, scope: Scope, name: string): Promise<TargetRow | undefined> {
  return db
    .selectFrom('targets')
    .selectAll()
    .where('scope', '=', formatScope(scope))
    .where('name_key', '=', targetNameKey(name))
    .executeTakeFirst();
}

/**
 * The target, with the id of a scan of its variant `variant` made from these report bytes, if it
 * has one, in one round trip: an ingest of report bytes its variant has had writes nothing.
 */
export async function findTargetWithReport(
  db: Db,
  scope: Scope,
  name: string,
  variant: string,
  reportSha256: string,
): Promise<{ target: TargetRow; reportScanId: number | null } | undefined> {
  const row = (await targetWithReport(db, variant, reportSha256, formatScope(scope), targetNameKey(name))).rows[0];
  if (!row) return undefined;
  const { report_scan_id: reportScanId, ...target } = row;
  return { target, reportScanId };
}

// Every ingest begins with it: compiled once (store/reused-statement.ts).
const targetWithReport = reusedStatement((db: Db, variant: string, reportSha256: string, scope: string, nameKey: string) =>
  db
    .selectFrom('targets as t')
    .leftJoin('variants as v', (join) => join.onRef('v.target_id', '=', 't.id').on('v.name', '=', variant))
    .leftJoin('scans as s', (join) => join.onRef('s.variant_id', '=', 'v.id').on('s.report_sha256', '=', reportSha256))
    .selectAll('t')
    .select('s.id as report_scan_id')
    .where('t.scope', '=', scope)
    .where('t.name_key', '=', nameKey)
    .orderBy('s.id')
    .limit(1),
);

/** The target, or a NotFoundError naming it and its scope. */
export async function getTarget(db: Db, scope: Scope, name: string): Promise<TargetRow> {
  const target = await findTarget(db, scope, name);
  if (!target) throw new NotFoundError(`No target named ${JSON.stringify(name)} in scope ${formatScope(scope)}.`);
  return target;
}

/** Creates the org and project of a scope on first use; returns their ids (null at account level). */
async function ensureScope(db: Db, scope: Scope, now: string): Promise<{ orgId: number | null; projectId: number | null }> {
  if (scope.level === 'account') return { orgId: null, projectId: null };
  // ensureTarget's insert reads the ids of a project that exists itself; a scope comes here when it
  // found none (or the target was created meanwhile). Both ids are then one round trip, where
  // creating the org and the project again (doing nothing) and reading them would be four.
  const known = await db
    .selectFrom('orgs as o')
    .leftJoin('projects as p', (join) => join.onRef('p.org_id', '=', 'o.id').on('p.identifier', '=', scope.project))
    .select(['o.id as orgId', 'p.id as projectId'])
    .where('o.identifier', '=', scope.org)
    .executeTakeFirst();
  if (known?.projectId != null) return { orgId: known.orgId, projectId: known.projectId };
  await db.insertInto('orgs').values({ identifier: scope.org, created_at: now }).onConflict((oc) => oc.column('identifier').doNothing()).execute();
  const org = await db.selectFrom('orgs').select('id').where('identifier', '=', scope.org).executeTakeFirstOrThrow();
  await db
    .insertInto('projects')
    .values({ org_id: org.id, identifier: scope.project, created_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'identifier']).doNothing())
    .execute();
  const project = await db
    .selectFrom('projects')
    .select('id')
    .where('org_id', '=', org.id)
    .where('identifier', '=', scope.project)
    .executeTakeFirstOrThrow();
  return { orgId: org.id, projectId: project.id };
}

/**
 * The target, created on first use, and whether this call created it. Inside a transaction on
 * PostgreSQL the row is locked, so concurrent ingests into one target run one after another
 * (SQLite transactions already do). The lock is FOR NO KEY UPDATE: rows that merely refer to the
 * target (a link another ingest resolves to it) need not wait for it.
 *
 * `missing` says the caller has just found no such target: then the insert comes first, and a
 * target it creates is returned by it (a row this transaction inserted is its own until it
 * commits), so that a first scan does not look for the target twice more. `baselineVariant` is
 * the baseline a target created here starts with.
 */
export async function ensureTarget(
  store: Store,
  db: Db,
  scope: Scope,
  name: string,
  type: TargetType,
  now: string,
  options: { missing?: boolean; baselineVariant?: string | undefined } = {},
): Promise<{ target: TargetRow; created: boolean }> {
  const lock = () => {
    const query = db.selectFrom('targets').selectAll().where('scope', '=', formatScope(scope)).where('name_key', '=', targetNameKey(name));
    return store.dialect === 'postgres' ? query.forNoKeyUpdate() : query;
  };
  // Most ingests are into a target that exists: locking it is one round trip, where creating its
  // scope and the target again (doing nothing) would be five.
  if (!options.missing) {
    const existing = await lock().executeTakeFirst();
    if (existing) return { target: existing, created: false };
  }
  const row = {
    scope: formatScope(scope),
    name,
    name_key: targetNameKey(name),
    ...targetKeyColumns(name),
    type,
    baseline_variant: options.baselineVariant ?? null,
    baseline_regex: null,
    created_at: now,
  };
  // Most new targets are in a project that exists: the insert reads its ids itself, one round trip.
  // It inserts nothing when the project is new (or the target was created meanwhile): then as below.
  if (scope.level === 'project') {
    const columns = Object.keys(row) as Array<keyof typeof row>;
    const created = await db
      .insertInto('targets')
      .columns(['org_id', 'project_id', ...columns])
      .expression((eb) =>
        eb
          .selectFrom('orgs as o')
          .innerJoin('projects as p', (join) => join.onRef('p.org_id', '=', 'o.id').on('p.identifier', '=', scope.project))
          .select(['o.id as org_id', 'p.id as project_id', ...columns.map((column) => eb.val(row[column]).as(column))])
          .where('o.identifier', '=', scope.org),
      )
      .onConflict((oc) => oc.columns(['scope', 'name_key']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (created) return { target: created, created: true };
  }
  const { orgId, projectId } = await ensureScope(db, scope, now);
  const created = await db
    .insertInto('targets')
    .values({ ...row, org_id: orgId, project_id: projectId })
    .onConflict((oc) => oc.columns(['scope', 'name_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (created) return { target: created, created: true };
  return { target: await lock().executeTakeFirstOrThrow(), created: false };
}

/** The columns of a target's row that link matching looks it up by, besides name_key (migration 0018). */
export function targetKeyColumns(name: string): { similarity_key: string; last_segment: string | null; similarity_length: number } {
  const key = similarityKey(name);
  return { similarity_key: key, last_segment: lastSegment(name) ?? null, similarity_length: key.length };
}

/**
 * The variant, created on first use, and whether this call created it. `lastScanAt`: what a variant
 * created here starts with (an ingest into a target it created gives its scan's date). `known`: the
 * target's variants, when the caller read them all while holding the target (an ingest does, for
 * its baseline): a variant among them costs no statement.
 */
export async function ensureVariant(
  db: Db,
  targetId: number,
  name: string,
  now: string,
  lastScanAt: string | null = null,
  known: readonly VariantRow[] = [],
): Promise<{ variant: VariantRow; created: boolean }> {
  const found = known.find((v) => v.name === name);
  if (found) return { variant: found, created: false };
  const created = await db
    .insertInto('variants')
    .values({ target_id: targetId, name, created_at: now, last_scan_at: lastScanAt })
    .onConflict((oc) => oc.columns(['target_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (created) return { variant: created, created: true };
  return { variant: await db.selectFrom('variants').selectAll().where('target_id', '=', targetId).where('name', '=', name).executeTakeFirstOrThrow(), created: false };
}

export async function variantsOf(db: Db, targetId: number): Promise<VariantRow[]> {
  return db.selectFrom('variants').selectAll().where('target_id', '=', targetId).orderBy('id').execute();
}

/**
 * Refuses a baseline variant the target was never scanned as (most often a misspelt name), naming
 * the variants it has; `allowUnscanned` is for a variant whose first scan is still to come.
 */
export async function requireScannedVariant(db: Db, target: Pick<TargetRow, 'id' | 'name'>, variant: string): Promise<void> {
  const variants = await variantsOf(db, target.id);
  if (variants.some((v) => v.name === variant)) return;
  const known = variants.length === 0 ? 'it has not been scanned yet' : `its scanned variants are: ${variants.map((v) => v.name).join(', ')}`;
  throw new InputError(
    `Target ${JSON.stringify(target.name)} was never scanned as variant ${JSON.stringify(variant)}; ${known}. Give one of those, or allow a variant not scanned yet (--allow-unscanned, or "allowUnscanned": true in the API).`,
  );
}

export function variantInfo(row: VariantRow): VariantInfo {
  return { name: row.name, createdAt: row.created_at, lastScanAt: row.last_scan_at };
}

export type BaselineUpdate = { variant: string } | { regex: string };

export async function setBaseline(db: Db, targetId: number, baseline: BaselineUpdate): Promise<void> {
  await db
    .updateTable('targets')
    .set('variant' in baseline ? { baseline_variant: baseline.variant, baseline_regex: null } : { baseline_variant: null, baseline_regex: baseline.regex })
    .where('id', '=', targetId)
    .execute();
}

export interface TargetListing {
  id: number;
  scope: string;
  name: string;
  type: string;
  baselineVariant: string | null;
  baselineRegex: string | null;
  variants: number;
  scans: number;
  lastScanAt: string | null;
  createdAt: string;
}

export interface TargetFilter {
  scope?: Scope | undefined;
  type?: string | undefined;
  /** Case-insensitive substring of the name. */
  name?: string | undefined;
  /** Only targets in these scopes (the caller's readable ones). */
  scopes?: ScopeFilter | undefined;
  /** A page of the list; all rows without it. */
  page?: { limit: number; offset: number } | undefined;
}

/** Targets with their variant count and last scan time, ordered by scope and name. */
export async function listTargets(db: Db, filter: TargetFilter = {}): Promise<TargetListing[]> {
  let query = db
    .selectFrom('targets')
    .select((eb) => [
      'targets.id',
      'targets.scope',
      'targets.name',
      'targets.type',
      'targets.baseline_variant',
      'targets.baseline_regex',
      'targets.created_at',
      eb.selectFrom('variants').whereRef('variants.target_id', '=', 'targets.id').select((e) => e.fn.countAll<number>().as('n')).as('variants'),
      eb.selectFrom('variants').whereRef('variants.target_id', '=', 'targets.id').select((e) => e.fn.max('last_scan_at').as('m')).as('last_scan_at'),
      eb.selectFrom('scans').whereRef('scans.target_id', '=', 'targets.id').select((e) => e.fn.countAll<number>().as('n')).as('scans'),
    ]);
  if (filter.scope) query = query.where('targets.scope', '=', formatScope(filter.scope));
  if (filter.type) query = query.where('targets.type', '=', filter.type);
  const scopes = filter.scopes;
  if (scopes && !scopes.all) query = query.where((eb) => scopeAllowed(eb, 'targets.scope', scopes));
  if (filter.name) query = query.where(containsText('targets.name_key', targetNameKey(filter.name)));
  let ordered = query.orderBy('targets.scope').orderBy('targets.name_key').orderBy('targets.id');
  if (filter.page) ordered = ordered.limit(filter.page.limit).offset(filter.page.offset);
  const rows = await ordered.execute();
  return rows.map((r) => ({
    id: r.id,
    scope: r.scope,
    name: r.name,
    type: r.type,
    baselineVariant: r.baseline_variant,
    baselineRegex: r.baseline_regex,
    variants: Number(r.variants ?? 0),
    scans: Number(r.scans ?? 0),
    lastScanAt: (r.last_scan_at as string | null) ?? null,
    createdAt: r.created_at,
  }));
}


export function scopeOf(target: TargetRow): Scope {
  return parseScope(target.scope);
}
