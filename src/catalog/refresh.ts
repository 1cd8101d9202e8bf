import type { Kysely } from 'kysely';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.js';
import { formatScope, parseScope, type Scope } from '../domain/scope.js';
import { isObject, str } from '../formats/json.js';
import {
  clearEntityContent,
  definedElsewhere,
  deleteEntities,
  entitiesOfLocation,
  type EntityUpsert,
  insertReferences,
  insertSearchRows,
  rebuildRelations,
  referencedRefs,
  type ReferenceInsert,
  type SearchInsert,
  type StoredEntityState,
  upsertEntities,
} from '../store/catalog-entities.js';
import { countLocations, deleteLocation, findLocation, findLocationByTarget, insertLocation, lockLocation, recordLocationRead } from '../store/catalog-locations.js';
import type { Store } from '../store/database.js';
import { lockLinkResolution, lockTargetsForLinking } from '../store/row-locks.js';
import { targetNameKey } from '../domain/target.js';
import type { Database, LocationRow } from '../store/schema.js';
import { insertLinks, type LinkInsert, targetsForLinks, targetsNamed } from '../store/target-links.js';
import { entityRepository } from './annotations.js';
import type { BackstageReadOptions } from './backstage-catalog.js';
import { type CatalogEntity, type CatalogProblem, conflictProblem, type EntitySource, formatProblem } from './entity.js';
import { linkRows } from './link-resolution.js';
import { indexTargets, nameKeys } from './matching.js';
import { type CatalogReadResult, readCatalog } from './read.js';
import { searchRows, type StoredEnvelope, storedEntity } from './served-entity.js';
import { absoluteAddress } from './source-address.js';
import type { SourceReader, SourceReaderOptions } from './source-reader.js';

/**
 * Registered locations in the store: register, refresh, unregister. A refresh reads the location
 * (outside any transaction: files and URLs are slow) and then writes what changed in one
 * transaction. An entity gone from its file leaves; a file that can no longer be read, or a
 * document that no longer loads, keeps the entities of the last good read and puts the error
 * on the location; an entity another location already defines is a conflict reported here.
 */

type Db = Kysely<Database>;

/** The most locations one Lantern holds, unless configured (`catalog.maxLocations`). */
export const DEFAULT_MAX_LOCATIONS = 1000;

/** What the catalog may read (the reading policy: allowHosts, allowPrivate) and how much (timeoutMs, maxBytes). */
export interface CatalogReadOptions extends SourceReaderOptions {
  /** Stands in for the disk and the network (tests); the reading policy is then the reader's. */
  reader?: SourceReader | undefined;
  /** The most locations that may be registered. Default DEFAULT_MAX_LOCATIONS. */
  maxLocations?: number | undefined;
  /** How long after a read one location may be read again on request (the API's refresh of one location). Default 30 s. */
  minRefreshIntervalMs?: number | undefined;
  /** Where a relative path starts. Default: the process's working folder. */
  cwd?: string | undefined;
  /** Runs in the transaction that wrote a location's entities, with the ids of those written (Lantern wires it). */
  afterWrite?: AfterCatalogWrite | undefined;
  /** How `backstage+https://…` locations are read: the token (LANTERN_BACKSTAGE_TOKEN) and the bounds of one read. */
  backstage?: BackstageReadOptions | undefined;
}

/** Work that follows written entities (added or changed) in the same transaction; removed ones are gone. */
export type AfterCatalogWrite = (trx: Db, entityIds: number[]) => Promise<void>;

export interface RefreshSummary {
  location: LocationRow;
  /** True when this call registered the location. */
  created: boolean;
  added: string[];
  updated: string[];
  removed: string[];
  /** Entities not read this time, kept from the last good read because their file or document failed. */
  kept: string[];
  unchanged: number;
  /** Problems with files (unreadable, broken documents, conflicts), then with the entities read. */
  problems: CatalogProblem[];
}

export interface RegisterOptions extends CatalogReadOptions {
  /** An already registered target: read it again (`refresh`, the default) or refuse (`reject`, 409). */
  onExisting?: 'refresh' | 'reject';
  /** Refuse, storing nothing, when the target itself cannot be read (a typo in a path). Default true. */
  requireReadable?: boolean;
  /** Runs in the transaction that stores the change (Lantern records it in the audit log). */
  onChange?: LocationChangeHook | undefined;
}

/** Work done in the transaction that registered, refreshed or unregistered a location. */
export type LocationChangeHook = (trx: Db, location: LocationRow, change: 'register' | 'refresh' | 'unregister') => Promise<void>;

/**
 * The catalog's write transactions run again when they lose a race on PostgreSQL: a refresh and an
 * ingest touching entities of one owner update the same entity_rollups rows through triggers, in
 * orders neither chooses, and one of them can be picked as a deadlock's victim. The location is read
 * before the transaction, and the work (with its hooks: summaries, scorecards, the audit log) writes
 * only to the database, so running it again is safe.
 */
const RETRY_LOST_RACES = { retry: true } as const;

/** Registers a file, folder, glob, URL or Backstage under a scope and reads it now. */
export async function registerLocation(store: Store, input: string, scope: Scope, options: RegisterOptions = {}): Promise<RefreshSummary> {
  const target = absoluteAddress(input, options.cwd ?? process.cwd());
  const existing = await findLocationByTarget(store.db, target);
  if (existing) {
    if (existing.scope !== formatScope(scope)) {
      throw new ConflictError(`The location ${target} is already registered under scope ${existing.scope}, not ${formatScope(scope)}; unregister it first to move it.`);
    }
    if (options.onExisting === 'reject') throw new ConflictError(`The location ${target} is already registered (id ${existing.id}).`);
    return refreshLocation(store, existing.id, options, options.onChange);
  }
  const maxLocations = options.maxLocations ?? DEFAULT_MAX_LOCATIONS;
  if ((await countLocations(store.db)) >= maxLocations) {
    throw new ConflictError(`The location ${target} cannot be registered: Lantern already holds ${maxLocations} locations, the most it allows (catalog.maxLocations); unregister one first.`);
  }
  const read = await readLocation(store.db, target, scope, undefined, options);
  const failed = rootFailure(read);
  if (failed && options.requireReadable !== false) throw new InputError(failed.message);
  return store.transaction(async (trx) => {
    const location = await insertLocation(trx, target, formatScope(scope), new Date().toISOString());
    const written = { ...(await writeRead(store, trx, location, read, options.afterWrite)), created: true };
    await options.onChange?.(trx, location, 'register');
    return written;
  }, RETRY_LOST_RACES);
}

/** Reads a registered location again and stores what changed. */
export async function refreshLocation(store: Store, locationId: number, options: CatalogReadOptions = {}, onChange?: LocationChangeHook): Promise<RefreshSummary> {
  const location = await findLocation(store.db, locationId);
  if (!location) throw new NotFoundError(`No location with id ${locationId}.`);
  const read = await readLocation(store.db, location.target, parseScope(location.scope), location.id, options);
  return store.transaction(async (trx) => {
    const locked = await lockLocation(store, trx, location.id);
    if (!locked) throw new NotFoundError(`The location ${location.target} (id ${location.id}) was unregistered while it was being read.`);
    const written = { ...(await writeRead(store, trx, locked, read, options.afterWrite)), created: false };
    await onChange?.(trx, locked, 'refresh');
    return written;
  }, RETRY_LOST_RACES);
}

/** Removes a location and every entity it holds. */
export async function unregisterLocation(store: Store, locationId: number, onChange?: LocationChangeHook): Promise<LocationRow> {
  return store.transaction(async (trx) => {
    const location = await lockLocation(store, trx, locationId);
    if (!location) throw new NotFoundError(`No location with id ${locationId}.`);
    const held = await entitiesOfLocation(trx, location.id);
    const ids = held.map((e) => e.id);
    const pointedAt = await referencedRefs(trx, ids);
    await deleteEntities(trx, ids);
    await deleteLocation(trx, location.id);
    await rebuildRelations(store, trx, new Set(held.map((e) => e.ref_key)), new Set(pointedAt));
    await onChange?.(trx, location, 'unregister');
    return location;
  }, RETRY_LOST_RACES);
}

export interface LocationPreview {
  target: string;
  read: CatalogReadResult;
  /** The envelopes the entities would be served with. */
  entities: StoredEnvelope[];
}

/** What registering would load, without storing anything (dry run). */
export async function previewLocation(store: Store, input: string, scope: Scope, options: CatalogReadOptions = {}): Promise<LocationPreview> {
  const target = absoluteAddress(input, options.cwd ?? process.cwd());
  const existing = await findLocationByTarget(store.db, target);
  const read = await readLocation(store.db, target, scope, existing?.id, options);
  const failed = rootFailure(read);
  if (failed) throw new InputError(failed.message);
  return { target, read, entities: read.entities.map((e) => storedEntity(e).envelope) };
}

/**
 * Reads a location; an entity another location already defines is a conflict. Only the refs this
 * read names matter, so they are looked up by index after reading, not every entity of the
 * catalog before (issue 17); in the rare case that one is defined elsewhere the location is read
 * again knowing those, which reads exactly what knowing every other entity would (a conflict only
 * drops entities, so the second read meets none of the first's refs it was not told of).
 */
async function readLocation(db: Db, target: string, scope: Scope, locationId: number | undefined, options: CatalogReadOptions): Promise<CatalogReadResult> {
  const { reader, cwd, allowHosts, allowPrivate, timeoutMs, maxBytes, backstage } = options;
  const read = (known: ReadonlyMap<string, EntitySource>) => readCatalog(target, { scope, known, reader, cwd, allowHosts, allowPrivate, timeoutMs, maxBytes, backstage });
  const first = await read(new Map());
  const elsewhere = await definedElsewhere(db, locationId ?? -1, first.entities.map((e) => e.ref));
  return elsewhere.size === 0 ? first : read(elsewhere);
}

/** The problem that stopped the read before any file, when the location itself could not be read. */
function rootFailure(read: CatalogReadResult): CatalogProblem | undefined {
  const [only] = read.files;
  if (read.entities.length > 0 || read.files.length !== 1 || only?.file !== read.location) return undefined;
  return only.problems.find((p) => p.code === 'unreadable');
}

async function writeRead(store: Store, trx: Db, location: LocationRow, read: CatalogReadResult, afterWrite?: AfterCatalogWrite): Promise<Omit<RefreshSummary, 'created'>> {
  const now = new Date().toISOString();
  const fileProblems = read.files.flatMap((f) => f.problems);

  // Conflicts are decided here, in the transaction: another location may have been written since the read.
  const elsewhere = await definedElsewhere(trx, location.id, read.entities.map((e) => e.ref));
  const accepted: CatalogEntity[] = [];
  for (const entity of read.entities) {
    const first = elsewhere.get(entity.ref);
    if (first) fileProblems.push(conflictProblem(entity, first));
    else accepted.push(entity);
  }

  await lockLinkedTargets(trx, accepted);
  const existing = await entitiesOfLocation(trx, location.id);
  const existingByRef = new Map(existing.map((e) => [e.ref_key, e]));
  const incoming = new Set(accepted.map((e) => e.ref));
  const keep = lastGoodRule(read);
  const removed: StoredEntityState[] = [];
  const kept: StoredEntityState[] = [];
  for (const entity of existing) {
    if (incoming.has(entity.ref_key)) continue;
    (keep(entity) ? kept : removed).push(entity);
  }

  const writes: Array<{ entity: CatalogEntity; envelope: StoredEnvelope; contentHash: string; previous?: StoredEntityState }> = [];
  let unchanged = 0;
  for (const entity of accepted) {
    const stored = storedEntity(entity);
    const previous = existingByRef.get(entity.ref);
    if (previous?.content_hash === stored.contentHash) unchanged++;
    else writes.push({ entity, ...stored, ...(previous ? { previous } : {}) });
  }
  const updatedIds = writes.flatMap((w) => (w.previous ? [w.previous.id] : []));
  const pointedAt = new Set(await referencedRefs(trx, [...updatedIds, ...removed.map((e) => e.id)]));

  await deleteEntities(trx, removed.map((e) => e.id));
  await clearEntityContent(trx, updatedIds);
  const ids = await upsertEntities(store, trx, writes.map((w) => entityRow(w.entity, w.envelope, w.contentHash, location.id, now)));
  const idOf = (ref: string) => {
    const id = ids.get(ref);
    if (id === undefined) throw new ConflictError(`The entity ${ref} was registered by another location while ${location.target} was being read; refresh it again.`);
    return id;
  };

  const search: SearchInsert[] = [];
  const references: ReferenceInsert[] = [];
  for (const { entity, envelope } of writes) {
    const id = idOf(entity.ref);
    for (const row of searchRows(envelope)) search.push({ entity_id: id, ...row });
    for (const reference of entity.references) {
      references.push({ entity_id: id, type: reference.relation, target_ref: reference.target, field: reference.field });
      pointedAt.add(reference.target);
    }
  }
  await insertSearchRows(store, trx, search);
  await insertReferences(store, trx, references);
  await insertLinks(store, trx, await resolvedLinks(trx, writes.map((w) => ({ id: idOf(w.entity.ref), entity: w.entity })), now));
  const changedRefs = new Set([...writes.map((w) => w.entity.ref), ...removed.map((e) => e.ref_key)]);
  await rebuildRelations(store, trx, changedRefs, pointedAt);
  if (afterWrite && writes.length > 0) await afterWrite(trx, writes.map((w) => idOf(w.entity.ref)));

  const problems = [...fileProblems, ...accepted.flatMap((e) => e.problems)];
  const errors = problems.filter((p) => p.level === 'error');
  const lastError = errors[0] ? `${formatProblem(errors[0])}${errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : ''}` : null;
  const status = errors.length > 0 ? 'error' : 'ok';
  await recordLocationRead(trx, location.id, { status, lastError, problems: JSON.stringify(fileProblems), readAt: now });
  return {
    location: { ...location, status, last_error: lastError, problems: JSON.stringify(fileProblems), last_read_at: now },
    added: writes.filter((w) => !w.previous).map((w) => w.entity.ref),
    updated: writes.filter((w) => w.previous).map((w) => w.entity.ref),
    removed: removed.map((e) => e.ref_key),
    kept: kept.map((e) => e.ref_key),
    unchanged,
    problems,
  };
}

/**
 * Which stored entities that this read did not return stay: every entity of a file that could not
 * be read or that has a document that no longer loads (the file is mid-edit: its last good
 * entities stand until it reads cleanly), and, when the read failed in any such way, those of
 * files it never reached (a broken Location file hides the files it names).
 */
function lastGoodRule(read: CatalogReadResult): (entity: StoredEntityState) => boolean {
  const loaded = new Set(read.entities.map((e) => `${e.source.file}#${e.source.document}`));
  const reached = new Set(read.files.map((f) => f.file));
  const failed = new Set<string>();
  for (const report of read.files) {
    const broken = report.problems.some(
      (p) =>
        p.code === 'unreadable' ||
        (p.level === 'error' && p.code === undefined && p.file === report.file && p.document !== undefined && !loaded.has(`${report.file}#${p.document}`)),
    );
    if (broken) failed.add(report.file);
  }
  return (entity) => failed.has(entity.source_file) || (failed.size > 0 && !reached.has(entity.source_file));
}

function entityRow(entity: CatalogEntity, envelope: StoredEnvelope, contentHash: string, locationId: number, now: string): EntityUpsert {
  const { metadata, spec } = envelope;
  const referenceAt = (field: string) => entity.references.find((r) => r.field === field)?.target ?? null;
  const repository = entityRepository(entity.entity);
  const tags = Array.isArray(metadata.tags) ? metadata.tags.filter((t): t is string => typeof t === 'string') : [];
  return {
    uid: metadata.uid,
    ref: entity.ref,
    ref_key: entity.ref.toLowerCase(),
    kind: entity.kind,
    namespace: entity.namespace,
    name: entity.name,
    title: str(metadata.title) ?? null,
    description: str(metadata.description) ?? null,
    type: str(spec.type) ?? null,
    owner_ref: referenceAt('spec.owner'),
    system_ref: referenceAt('spec.system'),
    domain_ref: referenceAt('spec.domain'),
    lifecycle: str(spec.lifecycle) ?? null,
    tags: JSON.stringify(tags),
    scope: formatScope(entity.scope),
    format: entity.format,
    location_id: locationId,
    repository_url: repository && 'repository' in repository ? repository.repository.url : null,
    envelope: JSON.stringify(envelope),
    problems: JSON.stringify(entity.problems),
    content_hash: contentHash,
    source_file: entity.source.file,
    source_document: entity.source.document,
    source_line: entity.source.line,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Before anything is written: the first scan of a target at this moment either committed it (and
 * it is read when the links are resolved) or waits, and then finds these links; an ingest into a
 * target these links name either committed its scan (and the entities' summaries count it) or
 * waits, and then refreshes these entities too (store/row-locks.ts). Taken in that order by ingests
 * as well, so that neither waits for the other in a circle.
 */
async function lockLinkedTargets(trx: Db, entities: readonly CatalogEntity[]): Promise<void> {
  const specs = entities.flatMap((e) => e.linkSpecs);
  if (specs.length === 0) return;
  await lockLinkResolution(trx);
  await lockTargetsForLinking(trx, await targetsNamed(trx, specs.map((s) => targetNameKey(s.name))));
}

async function resolvedLinks(trx: Db, written: ReadonlyArray<{ id: number; entity: CatalogEntity }>, now: string): Promise<LinkInsert[]> {
  if (!written.some((w) => w.entity.linkSpecs.length > 0)) return [];
  const targets = await targetsForLinks(trx, written.flatMap(({ entity }) => entity.linkSpecs.map((spec) => nameKeys(spec.name, spec.scope))));
  const index = indexTargets(targets.targets);
  return written.flatMap(({ id, entity }) => linkRows(id, entity.linkSpecs, index, targets, now));
}

/** The problems stored on a location (its last read's problems with files). */
export function readProblems(json: string): CatalogProblem[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((p): p is CatalogProblem => isObject(p) && typeof p.message === 'string') : [];
}
