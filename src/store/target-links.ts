import type { Kysely } from 'kysely';
import { type LinkDiagnostic, type NameKeys, similarContenders, similarKeyLengths, SimilarPodium, type SimilarRank, similarRank, type TargetSummary } from '../catalog/matching.js';
import { parseScope } from '../domain/scope.js';
import type { TargetType } from '../domain/target.js';
import { batches, IN_LIST_BATCH } from './batches.js';
import { bulkRun, updateById, type UpdatedColumn } from './bulk.js';
import { isPostgres } from './row-locks.js';
import { type NamesOfLength, scopeNamesOfLengths, weighNearNames } from './similar-names.js';
import type { Store } from './database.js';
import type { Database, EntityLinkRow, NewEntityLink, TargetRow, VariantRow } from './schema.js';

type Db = Kysely<Database>;

/** The stored targets as link matching sees them, and the ids of their variants. */
export interface StoredTargets {
  targets: TargetSummary[];
  variantId(targetId: number, variant: string): number | undefined;
}

/**
 * Every target with its variants, or only the given ones: those with these ids, and those with
 * any of `nameKeys` in any scope.
 */
export async function storedTargets(db: Db, targetIds?: readonly number[], nameKeys: readonly string[] = []): Promise<StoredTargets> {
  const targetRows: Array<Pick<TargetRow, 'id' | 'scope' | 'name' | 'type' | 'baseline_variant' | 'baseline_regex'>> = [];
  const variantRows: Array<Pick<VariantRow, 'id' | 'target_id' | 'name' | 'created_at' | 'last_scan_at'>> = [];
  const select = () => db.selectFrom('targets').select(['id', 'scope', 'name', 'type', 'baseline_variant', 'baseline_regex']).orderBy('id');
  const selectVariants = () => db.selectFrom('variants').select(['id', 'target_id', 'name', 'created_at', 'last_scan_at']).orderBy('id');
  if (targetIds === undefined) {
    targetRows.push(...(await select().execute()));
    variantRows.push(...(await selectVariants().execute()));
  } else {
    const keys = [...new Set(nameKeys)];
    // Names and ids that fit one statement are looked up together, else the names' ids first.
    const together = keys.length + targetIds.length <= IN_LIST_BATCH;
    const named = together ? keys : [];
    const idBatches = batches(together ? targetIds : [...new Set([...targetIds, ...(await targetsNamed(db, keys))])]);
    if (idBatches.length === 0 && named.length > 0) idBatches.push([]);
    // The targets with their variants in one round trip: a target without variants is one row
    // with no variant, one with variants a row for each.
    for (const [k, batch] of idBatches.entries()) {
      const rows = await db
        .selectFrom('targets as t')
        .leftJoin('variants as v', 'v.target_id', 't.id')
        .select(['t.id', 't.scope', 't.name', 't.type', 't.baseline_variant', 't.baseline_regex'])
        .select(['v.id as variant_id', 'v.name as variant_name', 'v.created_at', 'v.last_scan_at'])
        .where((eb) => eb.or([...(batch.length > 0 ? [eb('t.id', 'in', batch)] : []), ...(k === 0 && named.length > 0 ? [eb('t.name_key', 'in', named)] : [])]))
        .orderBy('t.id')
        .orderBy('v.id')
        .execute();
      for (const row of rows) {
        if (targetRows.at(-1)?.id !== row.id) targetRows.push({ id: row.id, scope: row.scope, name: row.name, type: row.type, baseline_variant: row.baseline_variant, baseline_regex: row.baseline_regex });
        if (row.variant_id !== null) variantRows.push({ id: row.variant_id, target_id: row.id, name: row.variant_name as string, created_at: row.created_at as string, last_scan_at: row.last_scan_at });
      }
    }
  }
  const variantsByTarget = new Map<number, typeof variantRows>();
  const ids = new Map<string, number>();
  for (const v of variantRows) {
    const list = variantsByTarget.get(v.target_id);
    if (list) list.push(v);
    else variantsByTarget.set(v.target_id, [v]);
    ids.set(`${v.target_id} ${v.name}`, v.id);
  }
  const targets = targetRows.map(
    (t): TargetSummary => ({
      id: t.id,
      scope: parseScope(t.scope),
      name: t.name,
      type: t.type as TargetType,
      baselineVariant: t.baseline_variant,
      baselineRegex: t.baseline_regex,
      variants: (variantsByTarget.get(t.id) ?? []).map((v) => ({ name: v.name, createdAt: v.created_at, lastScanAt: v.last_scan_at })),
    }),
  );
  return { targets, variantId: (targetId, variant) => ids.get(`${targetId} ${variant}`) };
}

/**
 * The targets that can decide how links with these keys resolve, with their variants: all that
 * resolveTargetLink (catalog/matching.ts) reads of the whole directory, found through indexes
 * (migration 0018), so that resolving these links against them gives what resolving against every
 * target gives, at a cost that does not grow with the number of targets. They are the targets of
 * each link's name in any scope (a match, or "it exists in another scope") and, for a name no
 * target has anywhere, those its similar-name hint weighs: the same similarity key or last path
 * segment in any scope, and the names of its scope within a few edits (read by length from a
 * covering index); of those, only the ones it can offer are read in full (similarCandidates).
 */
export async function targetsForLinks(db: Db, links: readonly NameKeys[]): Promise<StoredTargets> {
  const ids = new Set<number>();
  const named = new Set<string>();
  for (const batch of batches(new Set(links.map((link) => link.nameKey)))) {
    for (const row of await db.selectFrom('targets').select(['id', 'name_key']).where('name_key', 'in', batch).execute()) {
      ids.add(row.id);
      named.add(row.name_key);
    }
  }
  const unnamed = links.filter((link) => !named.has(link.nameKey));
  if (unnamed.length > 0) for (const id of await similarCandidates(db, unnamed)) ids.add(id);
  return storedTargets(db, [...ids].sort((a, b) => a - b));
}

/**
 * The targets the similar-name hints of these links (whose names no target has) can offer: each
 * link's candidates are read by key — the same similarity key or last segment in any scope, and
 * its scope's names of a near length from the covering index — ranked from their keys alone, and
 * only those that can place among the offered few are returned, to be read in full.
 */
async function similarCandidates(db: Db, links: readonly NameKeys[]): Promise<Set<number>> {
  type Keyed = NameKeys & { id: number };
  const keyed = () => db.selectFrom('targets').select(['id', 'scope', 'name_key', 'similarity_key', 'last_segment']);
  type KeyRow = { id: number; scope: string; name_key?: string; similarity_key: string | null; last_segment?: string | null };
  const toKeys = (row: KeyRow): Keyed => ({
    id: row.id,
    nameKey: row.name_key ?? '',
    similarityKey: row.similarity_key ?? '',
    lastSegment: row.last_segment ?? undefined,
    scope: row.scope,
  });
  const bySimilarityKey = new Map<string, Keyed[]>();
  for (const batch of batches(new Set(links.map((link) => link.similarityKey)))) {
    for (const row of await keyed().where('similarity_key', 'in', batch).execute()) push(bySimilarityKey, row.similarity_key ?? '', toKeys(row));
  }
  const byLastSegment = new Map<string, Keyed[]>();
  for (const batch of batches(new Set(links.flatMap((link) => (link.lastSegment === undefined ? [] : [link.lastSegment]))))) {
    for (const row of await keyed().where('last_segment', 'in', batch).execute()) push(byLastSegment, row.last_segment ?? '', toKeys(row));
  }
  // A scope's names by length: an edit changes the length by one at most. These can be every name
  // of a large scope, so only their ids and similarity keys are read, kept by the process while no
  // target of the scope changes (store/similar-names.ts), and weighed without a keys object each:
  // a target that shares the link's similarity key or last segment is among the candidates read
  // above with all its keys.
  const nearLength = new Map<string, NamesOfLength[]>();
  for (const [scope, inScope] of groupBy(links, (link) => link.scope)) {
    nearLength.set(scope, await scopeNamesOfLengths(db, scope, mergedRanges(inScope.map((link) => similarKeyLengths(link.similarityKey)))));
  }
  const ids = new Set<number>();
  for (const link of links) {
    const candidates = new Map<number, Keyed>();
    for (const list of [bySimilarityKey.get(link.similarityKey), link.lastSegment === undefined ? undefined : byLastSegment.get(link.lastSegment)]) {
      for (const target of list ?? []) candidates.set(target.id, target);
    }
    const ranked: Array<[number, SimilarRank]> = [];
    const podium = new SimilarPodium();
    for (const target of candidates.values()) {
      const rank = similarRank(link, target);
      if (rank) {
        ranked.push([target.id, rank]);
        podium.add(rank);
      }
    }
    weighNearNames(link, nearLength.get(link.scope) ?? [], candidates, ranked, podium);
    for (const id of similarContenders(ranked)) ids.add(id);
  }
  return ids;
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(key(item));
    if (list) list.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The ranges, overlapping ones joined. */
function mergedRanges(ranges: ReadonlyArray<{ min: number; max: number }>): Array<{ min: number; max: number }> {
  const merged: Array<{ min: number; max: number }> = [];
  for (const range of [...ranges].sort((a, b) => a.min - b.min)) {
    const last = merged[merged.length - 1];
    if (last && range.min <= last.max + 1) last.max = Math.max(last.max, range.max);
    else merged.push({ ...range });
  }
  return merged;
}

export type LinkInsert = Required<Omit<NewEntityLink, 'id'>>;

export async function insertLinks(store: Store, trx: Db, rows: LinkInsert[]): Promise<void> {
  await bulkRun(store, trx, rows.length, (i) => rows[i] as (typeof rows)[number], (db, batch) => db.insertInto('entity_links').values(batch));
}

/** The columns a resolution sets. */
export type LinkResolutionColumns = Pick<LinkInsert, 'matched' | 'target_id' | 'variant_id' | 'variant_name' | 'variant_reason' | 'diagnostics' | 'similar_targets' | 'resolved_at'>;

/** The columns a rewrite sets. */
const RESOLUTION_COLUMNS = [
  ['matched', 'integer'],
  ['target_id', 'integer'],
  ['variant_id', 'integer'],
  ['variant_name', 'text'],
  ['variant_reason', 'text'],
  ['diagnostics', 'text'],
  ['similar_targets', 'text'],
  ['resolved_at', 'text'],
] as const satisfies ReadonlyArray<UpdatedColumn<keyof LinkResolutionColumns>>;

/** The columns a rewrite sets when the link keeps its target, match and variant: its hint and diagnostics. */
const HINT_COLUMNS = RESOLUTION_COLUMNS.filter(([column]) => column !== 'matched' && column !== 'target_id' && column !== 'variant_id');

/** A link's row as it was read, and as its new resolution makes it. */
export interface LinkChange {
  before: EntityLinkRow;
  after: EntityLinkRow;
}

/**
 * Writes the new resolution of links, in place. A link a concurrent transaction rewrote is
 * updated after it (never deleted and inserted again, which made the second writer's insert of the
 * same id fail); one a catalog refresh removed meanwhile stays removed. A link that keeps its
 * target, match and variant (most of a hint refresh's) has only its hint and diagnostics set: on
 * SQLite an update that names an indexed column rewrites that column's index entries whether or
 * not its value changed, and the target's columns are in six of entity_links' indexes and in
 * target_sharing's trigger. Half the time for a thousand such rows.
 */
export async function rewriteLinks(db: Db, changes: readonly LinkChange[]): Promise<void> {
  const targetKept = ({ before, after }: LinkChange) => before.matched === after.matched && before.target_id === after.target_id && before.variant_id === after.variant_id;
  await updateById(
    db,
    'entity_links',
    RESOLUTION_COLUMNS,
    changes.filter((change) => !targetKept(change)).map((change) => change.after),
  );
  await updateById(
    db,
    'entity_links',
    HINT_COLUMNS,
    changes.filter(targetKept).map((change) => change.after),
  );
}

/**
 * The links with these ids as they are now, locked until the transaction ends on PostgreSQL (in id
 * order, so that two transactions never wait for each other): a link resolved again by two
 * transactions at once is resolved by one after the other, the second seeing the first's targets.
 */
export function lockLinks(db: Db, ids: readonly number[]): Promise<EntityLinkRow[]> {
  return linksById(db, ids, isPostgres(db));
}

/** The links with these ids as they are now, in id order, locking none (catalog/link-resolution.ts planHintRefresh). */
export function readLinks(db: Db, ids: readonly number[]): Promise<EntityLinkRow[]> {
  return linksById(db, ids, false);
}

async function linksById(db: Db, ids: readonly number[], forUpdate: boolean): Promise<EntityLinkRow[]> {
  const rows: EntityLinkRow[] = [];
  for (const batch of batches([...ids].sort((a, b) => a - b))) {
    const query = db.selectFrom('entity_links').selectAll().where('id', 'in', batch).orderBy('id');
    rows.push(...(await (forUpdate ? query.forUpdate() : query).execute()));
  }
  return rows;
}

/** Every link that found this target: a new scan may change the variant they show. */
export function linksToTarget(db: Db, targetId: number): Promise<EntityLinkRow[]> {
  return db.selectFrom('entity_links').selectAll().where('target_id', '=', targetId).orderBy('id').execute();
}

/** A link's keys, as a new target is compared with them. */
export type LinkKeys = Pick<EntityLinkRow, 'id' | 'name_key' | 'similarity_key' | 'last_segment' | 'scope'>;

/**
 * The keys of the links that found no target and that a new target with these keys may concern:
 * the same name, similarity key or last path segment, or the same scope. Each test uses one
 * partial index; the one on scope holds every key, so the many links of a scope are read from
 * the index alone and only those the new name concerns are read in full (lockLinks).
 */
export function unmatchedLinksNear(db: Db, near: NameKeys): Promise<LinkKeys[]> {
  return db
    .selectFrom('entity_links')
    .select(['id', 'name_key', 'similarity_key', 'last_segment', 'scope'])
    .where('target_id', 'is', null)
    .where((eb) =>
      eb.or([
        eb('name_key', '=', near.nameKey),
        eb('similarity_key', '=', near.similarityKey),
        ...(near.lastSegment === undefined ? [] : [eb('last_segment', '=', near.lastSegment)]),
        eb('scope', '=', near.scope),
      ]),
    )
    .orderBy('id')
    .execute();
}

/**
 * What the first scan of a new target with these keys reads of the waiting links, in one statement:
 * the keys of those that have its name (in any scope: it may match them, or say where the name
 * is), and whether any other that unmatchedLinksNear would return exists. Those others it can only
 * be a similar name for: the refresh after its commit reads them all (catalog/link-hints.ts).
 */
export async function waitingLinksNamed(db: Db, near: NameKeys): Promise<{ named: LinkKeys[]; othersNear: boolean }> {
  const rows = await db
    .selectFrom('entity_links')
    .select(['id', 'name_key', 'similarity_key', 'last_segment', 'scope'])
    .where('target_id', 'is', null)
    .where('name_key', '=', near.nameKey)
    .unionAll(
      db
        .selectFrom((eb) =>
          eb
            .selectFrom('entity_links')
            .select(['id', 'name_key', 'similarity_key', 'last_segment', 'scope'])
            .where('target_id', 'is', null)
            .where('name_key', '<>', near.nameKey)
            .where((w) =>
              w.or([
                w('similarity_key', '=', near.similarityKey),
                ...(near.lastSegment === undefined ? [] : [w('last_segment', '=', near.lastSegment)]),
                w('scope', '=', near.scope),
              ]),
            )
            .limit(1)
            .as('other'),
        )
        .selectAll(),
    )
    .execute();
  const named = rows.filter((row) => row.name_key === near.nameKey).sort((a, b) => a.id - b.id);
  return { named, othersNear: named.length < rows.length };
}

/** The ids of the targets with any of these name keys, in any scope. */
export async function targetsNamed(db: Db, nameKeys: readonly string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const batch of batches(new Set(nameKeys))) ids.push(...(await db.selectFrom('targets').select('id').where('name_key', 'in', batch).execute()).map((r) => r.id));
  return ids;
}

/** The stored links of the given entities, or of every entity. */
export async function storedLinks(db: Db, entityIds?: readonly number[]): Promise<EntityLinkRow[]> {
  if (entityIds === undefined) return db.selectFrom('entity_links').selectAll().orderBy('id').execute();
  const rows: EntityLinkRow[] = [];
  for (const batch of batches(entityIds)) rows.push(...(await db.selectFrom('entity_links').selectAll().where('entity_id', 'in', batch).orderBy('id').execute()));
  return rows;
}

export interface LinkTally {
  links: number;
  matched: number;
}

/** How many target links the entities of a location have, and how many of them show data. */
export async function linkTallyOfLocation(db: Db, locationId: number): Promise<LinkTally> {
  const row = await db
    .selectFrom('entity_links')
    .innerJoin('entities', 'entities.id', 'entity_links.entity_id')
    .select((eb) => [eb.fn.countAll<number>().as('links'), eb.fn.sum<number>('entity_links.matched').as('matched')])
    .where('entities.location_id', '=', locationId)
    .executeTakeFirstOrThrow();
  return { links: Number(row.links), matched: Number(row.matched ?? 0) };
}

/** One resolved target link, as the API, the CLI and the insights read it. */
export interface TargetLinkView {
  id: number;
  entityId: number;
  /** 0-based order among the entity's links. */
  position: number;
  origin: 'annotation' | 'source-url';
  /** The target name as written. */
  name: string;
  /** The resolved scope: `account` or `ORG.PROJECT`. */
  scope: string;
  /** The variant asked for; null for the baseline. */
  variant: string | null;
  /** True when the link shows a scanned variant: there is data to show. */
  matched: boolean;
  /** The target found by name and scope, even when it has nothing to show. */
  targetId: number | null;
  targetName: string | null;
  /** The variant shown (or that would be, had it been scanned). */
  variantId: number | null;
  variantName: string | null;
  /** `variant` when the link names one; else how the baseline was chosen. */
  variantReason: string | null;
  diagnostics: LinkDiagnostic[];
  resolvedAt: string;
}

/** An entity's resolved links, in order (the insights read these). */
export async function linksOfEntity(db: Db, entityId: number): Promise<TargetLinkView[]> {
  return (await linksOfEntities(db, [entityId])).get(entityId) ?? [];
}

/**
 * The resolved links of the entity with this lower-cased ref (the entities' ref_key), by its id;
 * no entry when no entity has the ref. Read without the entity's id, so at the same time as the entity.
 */
export async function linksOfRefKey(db: Db, refKey: string): Promise<Map<number, TargetLinkView[]>> {
  const rows = await db
    .selectFrom('entities as e')
    .leftJoin('entity_links as l', 'l.entity_id', 'e.id')
    .leftJoin('targets as t', 't.id', 'l.target_id')
    .select('e.id as of_entity')
    .selectAll('l')
    .select('t.name as target_name')
    .where('e.ref_key', '=', refKey)
    .orderBy('l.position')
    .execute();
  const out = new Map<number, TargetLinkView[]>();
  for (const row of rows) {
    // The entity without links still has its (empty) entry: the ref names an entity.
    if (!out.has(row.of_entity)) out.set(row.of_entity, []);
    if (row.id !== null) addLinkView(out, row as EntityLinkRow, row.target_name);
  }
  return out;
}

/** The resolved links of several entities, each list in order. */
export async function linksOfEntities(db: Db, entityIds: readonly number[], targets?: Map<number, LinkedTarget>): Promise<Map<number, TargetLinkView[]>> {
  const out = new Map<number, TargetLinkView[]>();
  for (const batch of batches(entityIds)) {
    const rows = await db
      .selectFrom('entity_links as l')
      .leftJoin('targets as t', 't.id', 'l.target_id')
      .selectAll('l')
      .select(['t.name as target_name', 't.scope as target_scope', 't.type as target_type'])
      .where('l.entity_id', 'in', batch)
      .orderBy('l.entity_id')
      .orderBy('l.position')
      .execute();
    for (const row of rows) {
      addLinkView(out, row, row.target_name);
      if (targets && row.target_id !== null && row.target_name !== null && row.target_scope !== null && row.target_type !== null) {
        targets.set(row.target_id, { id: row.target_id, name: row.target_name, scope: row.target_scope, type: row.target_type });
      }
    }
  }
  return out;
}

/** A linked target as the links' read joins it: given to `linksOfEntities`, it is filled for the caller. */
export interface LinkedTarget {
  id: number;
  name: string;
  scope: string;
  type: string;
}

/** Appends the row's view to its entity's list, rows being read in each entity's order. */
function addLinkView(out: Map<number, TargetLinkView[]>, row: EntityLinkRow, targetName: string | null): void {
  const view = linkView(row, targetName);
  const list = out.get(row.entity_id);
  if (list) list.push(view);
  else out.set(row.entity_id, [view]);
}

function linkView(row: EntityLinkRow, targetName: string | null): TargetLinkView {
  return {
    id: row.id,
    entityId: row.entity_id,
    position: row.position,
    origin: row.origin === 'source-url' ? 'source-url' : 'annotation',
    name: row.name,
    scope: row.scope,
    variant: row.variant,
    matched: row.matched === 1,
    targetId: row.target_id,
    targetName,
    variantId: row.variant_id,
    variantName: row.variant_name,
    variantReason: row.variant_reason,
    diagnostics: JSON.parse(row.diagnostics) as LinkDiagnostic[],
    resolvedAt: row.resolved_at,
  };
}
