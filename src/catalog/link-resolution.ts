import type { Kysely } from 'kysely';
import { parseScope } from '../domain/scope.js';
import type { IngestedScan } from '../ingest/ingest.js';
import { queueHintRefresh } from '../store/link-hint-refreshes.js';
import { lockLinkResolution, lockTargetShared } from '../store/row-locks.js';
import type { Database, EntityLinkRow } from '../store/schema.js';
import {
  type LinkInsert,
  type LinkChange,
  type LinkKeys,
  type LinkResolutionColumns,
  linksToTarget,
  lockLinks,
  readLinks,
  rewriteLinks,
  storedLinks,
  storedTargets,
  type StoredTargets,
  targetsForLinks,
  unmatchedLinksNear,
  waitingLinksNamed,
} from '../store/target-links.js';
import type { TargetLinkSpec } from './entity.js';
import {
  indexTargets,
  type NameKeys,
  nameKeys,
  newTargetConcernsHint,
  resolveTargetLink,
  type TargetIndex,
  targetConcernsLink,
  type TargetLinkResolution,
  type TargetSummary,
} from './matching.js';

/**
 * Target links in the store: resolved when an entity is written, and again whenever the targets
 * they could match change (DESIGN.md: Matching). Matching itself is matching.ts; this decides
 * which links to re-resolve and writes only those whose resolution changed.
 */

type Db = Kysely<Database>;

/** The rows of one entity's links, resolved against the stored targets. */
export function linkRows(entityId: number, specs: readonly TargetLinkSpec[], index: TargetIndex, targets: StoredTargets, now: string): LinkInsert[] {
  return specs.map((spec, position) => {
    const keys = nameKeys(spec.name, spec.scope);
    return {
      entity_id: entityId,
      position,
      entry: spec.entry ?? null,
      origin: spec.origin,
      name: spec.name,
      name_key: keys.nameKey,
      similarity_key: keys.similarityKey,
      last_segment: keys.lastSegment ?? null,
      scope: keys.scope,
      variant: spec.variant ?? null,
      ...resolutionColumns(resolveTargetLink(spec, index), targets, now),
    };
  });
}

function resolutionColumns(resolution: TargetLinkResolution, targets: StoredTargets, now: string): LinkResolutionColumns {
  const variantId = resolution.targetId !== undefined && resolution.variant !== undefined ? targets.variantId(resolution.targetId, resolution.variant) : undefined;
  return {
    matched: resolution.matched ? 1 : 0,
    target_id: resolution.targetId ?? null,
    variant_id: variantId ?? null,
    variant_name: resolution.variant ?? null,
    variant_reason: resolution.variantReason ?? null,
    diagnostics: JSON.stringify(resolution.diagnostics),
    similar_targets: resolution.similarTargetIds ? JSON.stringify(resolution.similarTargetIds) : null,
    resolved_at: now,
  };
}

function specOf(row: EntityLinkRow): TargetLinkSpec {
  return {
    name: row.name,
    scope: parseScope(row.scope),
    ...(row.variant !== null ? { variant: row.variant } : {}),
    origin: row.origin === 'source-url' ? 'source-url' : 'annotation',
    ...(row.entry !== null ? { entry: row.entry } : {}),
    problems: [],
  };
}

const RESOLVED_FIELDS = ['matched', 'target_id', 'variant_id', 'variant_name', 'variant_reason', 'diagnostics', 'similar_targets'] as const;

/**
 * Resolves stored links again and writes those whose resolution changed; returns how many did.
 * `similarAmong` gives, by link id, the only targets that link's similar-name hint can offer.
 */
async function reresolve(
  db: Db,
  rows: readonly EntityLinkRow[],
  targets: StoredTargets,
  index: TargetIndex = indexTargets(targets.targets),
  similarAmong?: ReadonlyMap<number, readonly TargetSummary[]>,
): Promise<number> {
  const changed = resolvedChanges(rows, targets, index, similarAmong);
  await rewriteLinks(db, changed);
  return changed.length;
}

/** The links whose resolution changes, as they were and as they become (reresolve, without the write). */
function resolvedChanges(
  rows: readonly EntityLinkRow[],
  targets: StoredTargets,
  index: TargetIndex = indexTargets(targets.targets),
  similarAmong?: ReadonlyMap<number, readonly TargetSummary[]>,
): LinkChange[] {
  const now = new Date().toISOString();
  const changed: LinkChange[] = [];
  for (const row of rows) {
    const columns = resolutionColumns(resolveTargetLink(specOf(row), index, similarAmong?.get(row.id)), targets, now);
    if (!RESOLVED_FIELDS.every((field) => row[field] === columns[field])) changed.push({ before: row, after: { ...row, ...columns } });
  }
  return changed;
}

/**
 * Resolves the stored links of the given entities against the targets they can match (found by
 * index), or, with no entities given, every link against every target: the full pass, whose result
 * the indexed one equals.
 */
export async function resolveEntityLinks(db: Db, entityIds?: readonly number[]): Promise<number> {
  const rows = await storedLinks(db, entityIds);
  if (rows.length === 0) return 0;
  return reresolve(db, rows, entityIds === undefined ? await storedTargets(db) : await targetsForLinks(db, rows.map(keysOf)));
}

/** The keys a stored link was written with. */
function keysOf(row: Pick<EntityLinkRow, 'name_key' | 'similarity_key' | 'last_segment' | 'scope'>): NameKeys {
  return { nameKey: row.name_key, similarityKey: row.similarity_key, lastSegment: row.last_segment ?? undefined, scope: row.scope };
}

export interface RelinkOptions {
  /** The target has no scan but the one being ingested, or none. */
  isNew: boolean;
  /** The target was created in this transaction. */
  created?: boolean | undefined;
  /** The target's name and scope, when the caller has read them. */
  target?: { name: string; scope: string } | undefined;
}

export interface RelinkResult {
  /** Links resolved again. */
  checked: number;
  /** Of those, the ones whose resolution changed. */
  changed: number;
  /**
   * True when the target is new and waiting links of other names may be near it (the same
   * similarity key, last segment or scope): their similar-name hints are queued, to be weighed and
   * refreshed after the commit (link-hints.ts).
   */
  hintsQueued: boolean;
}

/**
 * Re-resolves the links a change to one target can affect: the links that found it (a new
 * variant or baseline changes what they show) and, when the target is new, the links that found
 * no target and have its name (it may match them, or say where the name is). Both are indexed
 * lookups; nothing else is read. Waiting links it can only be a similar name for keep their hint
 * until it is refreshed after the commit: what an entity shows does not depend on it, and a target
 * near a thousand waiting names would otherwise read and rewrite them all inside its ingest. When
 * any may be near, the target is queued for refreshHintsNear (link-hints.ts), in the same
 * transaction.
 */
export async function relinkTarget(db: Db, targetId: number, options: RelinkOptions): Promise<RelinkResult> {
  // No link has found a target created in this transaction: only its relinking can give it one.
  const linked = options.created ? [] : await linksToTarget(db, targetId);
  let checked = linked.length;
  let changed = linked.length > 0 ? await reresolve(db, linked, await storedTargets(db, [targetId])) : 0;
  if (!options.isNew) return { checked, changed, hintsQueued: false };

  const target = options.target ?? (await db.selectFrom('targets').select(['name', 'scope']).where('id', '=', targetId).executeTakeFirst());
  if (!target) return { checked, changed, hintsQueued: false };
  // A catalog write storing links now committed them before this, or waits (store/row-locks.ts).
  await lockLinkResolution(db);
  const { named, othersNear } = await waitingLinksNamed(db, nameKeys(target.name, parseScope(target.scope)));
  // Whether the target is near enough to any of the others to enter its hint is the refresh's to weigh.
  if (othersNear) await queueHintRefresh(db, targetId);
  if (named.length > 0) {
    // Locked first, then the targets read, as in applyHintRefresh. A link the target has the name of
    // matches it, or says in which scope the name is: no similar name is weighed for it, so the
    // targets of its name are all it needs.
    const locked = await lockLinks(db, named.map((row) => row.id));
    checked += locked.length;
    changed += await reresolve(db, locked, await storedTargets(db, [targetId], [...new Set(locked.map((row) => row.name_key))]));
  }
  return { checked, changed, hintsQueued: othersNear };
}

/**
 * The refresh of the similar-name hints a new target brings to the waiting links it is near (the
 * ones whose name it does not have included), queued by relinkTarget and run after its commit: the
 * links as they were read, and the rows of those whose resolution the target changes, as they
 * become. Weighed outside any transaction (planHintRefresh), written in a short one
 * (applyHintRefresh): the reads and the weighing hold no lock, so first scans, catalog writes and
 * other uploads do not wait for them.
 */
export interface HintRefreshPlan {
  /** The links read, near the target. */
  checked: number;
  /** Those whose resolution the target changes. */
  changes: readonly LinkChange[];
}

/**
 * Weighs the refresh of the hints near a target that is committed: every link written from now on
 * is resolved with the target among the stored ones, so only the links read here need it.
 */
export async function planHintRefresh(db: Db, targetId: number): Promise<HintRefreshPlan> {
  const target = await db.selectFrom('targets').select(['name', 'scope']).where('id', '=', targetId).executeTakeFirst();
  if (!target) return { checked: 0, changes: [] };
  const concerned = await concernedLinks(db, target);
  if (concerned.length === 0) return { checked: 0, changes: [] };
  const rows = await readLinks(db, concerned.map((row) => row.id));
  return { checked: rows.length, changes: await concernedChanges(db, rows, targetId) };
}

/**
 * Writes a plan's rows in the caller's transaction, with the links locked (in id order): each one
 * still as the plan read it takes the plan's row. One that changed since (another refresh, a
 * catalog write, a first scan that matched it) is resolved again as it is now, with the target:
 * whatever changed it may not have seen the target in its hint. A link the plan left unchanged
 * needs nothing: whatever changed it since resolved it with the committed target among the others.
 */
export async function applyHintRefresh(db: Db, targetId: number, plan: HintRefreshPlan): Promise<{ checked: number; changed: number }> {
  if (plan.changes.length === 0) return { checked: plan.checked, changed: 0 };
  const locked = await lockLinks(
    db,
    plan.changes.map((change) => change.after.id),
  );
  const current = new Map(locked.map((row) => [row.id, row]));
  const ready: LinkChange[] = [];
  const moved: EntityLinkRow[] = [];
  for (const change of plan.changes) {
    const row = current.get(change.after.id);
    // A link deleted since (its entity rewritten or gone) is nobody's to refresh.
    if (!row) continue;
    if (sameLink(row, change.before)) ready.push(change);
    else moved.push(row);
  }
  await rewriteLinks(db, ready);
  const again = moved.length > 0 ? await concernedChanges(db, moved, targetId) : [];
  await rewriteLinks(db, again);
  return { checked: plan.checked, changed: ready.length + again.length };
}

/** Whether a link is as it was read: every column but when it was resolved. */
function sameLink(now: EntityLinkRow, read: EntityLinkRow): boolean {
  return (Object.keys(now) as Array<keyof EntityLinkRow>).every((column) => column === 'resolved_at' || now[column] === read[column]);
}

/** The waiting links a new target concerns (targetConcernsLink). */
async function concernedLinks(db: Db, target: { name: string; scope: string }): Promise<LinkKeys[]> {
  const keys = nameKeys(target.name, parseScope(target.scope));
  const near = await unmatchedLinksNear(db, keys);
  return near.filter((row) => targetConcernsLink(keysOf(row), keys));
}

/** The rows of these links (read in full) whose resolution the target `targetId` changes, as they become. */
async function concernedChanges(db: Db, rows: readonly EntityLinkRow[], targetId: number): Promise<LinkChange[]> {
  // Links resolved before their similar targets were kept read every target they can match, once.
  const unknown = rows.filter((row) => row.target_id === null && row.similar_targets === null);
  const known = rows.filter((row) => row.target_id !== null || row.similar_targets !== null);
  const changes: LinkChange[] = [];
  if (known.length > 0) {
    const candidates = await candidateTargets(db, known, targetId);
    const index = indexTargets(candidates.targets);
    const hints = concernedHints(known, candidates, index, targetId);
    changes.push(...resolvedChanges(hints.rows, candidates, index, hints.similarAmong));
  }
  if (unknown.length > 0) changes.push(...resolvedChanges(unknown, await targetsForLinks(db, unknown.map(keysOf))));
  return changes;
}

/**
 * The targets that can decide how these links resolve now that `newTargetId` exists: the targets
 * of their names in any scope (a match, or "exists in another scope") and, for the similar-name
 * hint, the new target and the ones each link already offered. The nearest few of all targets are
 * the nearest few of those, since targets are only ever added.
 */
async function candidateTargets(db: Db, rows: readonly EntityLinkRow[], newTargetId: number): Promise<StoredTargets> {
  const ids = new Set([newTargetId]);
  for (const row of rows) {
    if (row.similar_targets !== null) for (const id of JSON.parse(row.similar_targets) as number[]) ids.add(id);
  }
  return storedTargets(
    db,
    [...ids],
    rows.map((row) => row.name_key),
  );
}

/**
 * Of links the new target concerns, those it can change: a link that has found a target since it
 * was read as waiting (another ingest's) is resolved again; one that found none only when the new
 * target has its name, or is as near to it as the last of the similar names it offers
 * (newTargetConcernsHint). The others keep what they have. Among a thousand links waiting for
 * names a few characters apart, a new target takes a place in about one hint in ten: the others
 * are weighed against their own hint alone, not resolved against every target any of them offers.
 * Those it concerns are resolved with their hint and the new target as the only similar names
 * (`similarAmong`): weighing each against every target any of them offered made the first scans
 * near a thousand waiting links cost more as their hints came to differ.
 */
function concernedHints(
  rows: readonly EntityLinkRow[],
  candidates: StoredTargets,
  index: TargetIndex,
  newTargetId: number,
): { rows: EntityLinkRow[]; similarAmong: Map<number, readonly TargetSummary[]> } {
  const byId = new Map(candidates.targets.map((t) => [t.id, t]));
  const similarAmong = new Map<number, readonly TargetSummary[]>();
  const target = byId.get(newTargetId);
  if (!target) return { rows: [...rows], similarAmong };
  const concerned = rows.filter((row) => {
    if (row.target_id !== null || row.similar_targets === null) return true;
    const found = (JSON.parse(row.similar_targets) as number[]).map((id) => byId.get(id));
    // A target it offers that is gone: resolved again, to offer the ones there are.
    if (found.some((t) => t === undefined)) return true;
    const offered = found as TargetSummary[];
    if (!newTargetConcernsHint(keysOf(row), offered, target, index)) return false;
    similarAmong.set(row.id, [...offered, target]);
    return true;
  });
  return { rows: concerned, similarAmong };
}

/**
 * What a scan can change: a target is new when this scan is its only one (targets are created by
 * their first ingest). The ingest holds its target already (ensureTarget: for no key update, which
 * a catalog write linking to it waits for), so when it knows whether the target had another scan
 * that costs no statement: a target it created had none, and a scan that replaced its variant's
 * earlier one had one. Otherwise the target is read with a share lock, held to the end of the
 * ingest (lockTargetShared), with whether it has another scan.
 */
export async function relinkAfterScan(db: Db, scan: IngestedScan): Promise<RelinkResult> {
  if (scan.newTarget) return relinkTarget(db, scan.targetId, { isNew: true, created: true, target: scan.target });
  if (scan.replacedScan) return relinkTarget(db, scan.targetId, { isNew: false });
  const target = await lockTargetShared(db, scan.targetId, (eb) =>
    eb.exists(eb.selectFrom('scans').select('id').where('target_id', '=', scan.targetId).where('id', '<>', scan.scanId)),
  );
  if (!target) return { checked: 0, changed: 0, hintsQueued: false };
  // PostgreSQL answers exists with a boolean, SQLite with 1 or 0.
  const earlier = target.also === true || Number(target.also) === 1;
  return relinkTarget(db, scan.targetId, { isNew: !earlier, target });
}
