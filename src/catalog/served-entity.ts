import { createHash } from 'node:crypto';
import { ANNOTATION_LOCATION, ANNOTATION_ORIGIN_LOCATION, parseEntityRef } from '@backstage/catalog-model';
import { formatScope } from '../domain/scope.js';
import { TEST_TARGET_ANNOTATION } from './annotation-names.js';
import type { CatalogEntity, CatalogProblem, EntityEnvelope } from './entity.js';
import type { LinkDiagnostic } from './matching.js';
import { isBackstageAddress, isUrl } from './source-address.js';

/**
 * The entity as Lantern's Backstage-compatible API serves it: Backstage's envelope, with the
 * annotations Backstage's own catalog adds, and Lantern's data (target links, problems) as
 * Backstage-style `status.items`, so that Backstage clients read it unchanged. Pure.
 */

/** The scope Lantern reads a Backstage-format entity in: `account` or `ORG.PROJECT`. */
export const SCOPE_ANNOTATION = 'lantern.io/scope';

/** `status.items` types Lantern adds. */
export const TARGET_LINKS_STATUS = 'lantern.io/target-links';
export const CATALOG_PROBLEM_STATUS = 'lantern.io/catalog-problem';

/** A served envelope: what is stored, before relations and status are added. */
export interface StoredEnvelope extends EntityEnvelope {
  metadata: EntityEnvelope['metadata'] & { uid: string; etag: string };
}

export interface ServedRelation {
  type: string;
  targetRef: string;
  /** Backstage still serves the parsed ref, deprecated but read by older clients. */
  target: { kind: string; namespace: string; name: string };
}

export interface StatusItem {
  type: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface ServedEntity extends StoredEnvelope {
  relations: ServedRelation[];
  status?: { items: StatusItem[] };
}

/** metadata.uid: a UUID-shaped digest of the ref, so an entity keeps it for as long as its ref. */
export function entityUid(refKey: string): string {
  const hex = createHash('sha256').update(refKey).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Backstage's location ref: `url:https://…`, `file:/abs/path`, or `backstage:https://…` for a Backstage read. */
export function locationRef(address: string): string {
  if (isBackstageAddress(address)) return address.trim().replace(/^backstage\+/i, 'backstage:');
  return `${isUrl(address) ? 'url' : 'file'}:${address}`;
}

export interface StoredEntity {
  envelope: StoredEnvelope;
  /** Digest of everything read for the entity; also its etag. */
  contentHash: string;
}

/**
 * The envelope to store for an entity read from a location: Backstage's managed-by annotations
 * (an entity read from a Backstage keeps those Backstage gave it), Lantern's scope, the link
 * annotation as a string (Backstage clients expect string annotations), and a uid and etag.
 */
export function storedEntity(entity: CatalogEntity): StoredEntity {
  const envelope = entity.entity;
  const annotations: Record<string, unknown> = { ...envelope.metadata.annotations };
  const links = annotations[TEST_TARGET_ANNOTATION];
  if (links !== undefined && typeof links !== 'string') annotations[TEST_TARGET_ANNOTATION] = JSON.stringify(links);
  const fromBackstage = isBackstageAddress(entity.source.location);
  if (!fromBackstage || typeof annotations[ANNOTATION_LOCATION] !== 'string') annotations[ANNOTATION_LOCATION] = locationRef(entity.source.file);
  if (!fromBackstage || typeof annotations[ANNOTATION_ORIGIN_LOCATION] !== 'string') annotations[ANNOTATION_ORIGIN_LOCATION] = locationRef(entity.source.location);
  annotations[SCOPE_ANNOTATION] = formatScope(entity.scope);
  const metadata = { ...envelope.metadata, annotations };
  const contentHash = createHash('sha1')
    .update(JSON.stringify([envelope.apiVersion, envelope.kind, metadata, envelope.spec, entity.problems, entity.source]))
    .digest('hex');
  return {
    envelope: {
      apiVersion: envelope.apiVersion,
      kind: envelope.kind,
      metadata: { ...metadata, uid: entityUid(entity.ref.toLowerCase()), etag: contentHash },
      spec: envelope.spec,
    },
    contentHash,
  };
}

export interface SearchRow {
  key: string;
  value: string | null;
  original_value: string | null;
}

const SEARCH_SKIPPED = new Set(['attachments', 'relations', 'status', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'metadata.etag']);
const MAX_SEARCH_KEY = 200;
const MAX_SEARCH_VALUE = 200;

/**
 * The rows Backstage's catalog searches: every leaf of the entity under its dotted path, and each
 * text item of a list also as `path.item` = `true`; keys and values lower-cased, a value too long
 * to index kept as null so that existence filters still see it. Relations are searched apart.
 */
export function searchRows(envelope: StoredEnvelope): SearchRow[] {
  const rows: SearchRow[] = [];
  const seen = new Set<string>();
  const add = (rawKey: string, raw: unknown) => {
    const key = rawKey.toLowerCase();
    if (key.length > MAX_SEARCH_KEY) return;
    const original = raw === null || raw === undefined ? null : String(raw);
    const kept = original !== null && original.length <= MAX_SEARCH_VALUE ? original : null;
    const value = kept === null ? null : kept.toLowerCase();
    const id = `${key}\u0000${value ?? '\u0001'}`;
    if (seen.has(id)) return;
    seen.add(id);
    rows.push({ key, value, original_value: kept });
  };
  const visit = (path: string, node: unknown) => {
    if (SEARCH_SKIPPED.has(path)) return;
    if (node === null || node === undefined || typeof node !== 'object') {
      if (node === null || node === undefined || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') add(path, node);
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) {
        visit(path, item);
        if (typeof item === 'string') add(`${path}.${item}`, true);
      }
      return;
    }
    for (const [key, value] of Object.entries(node)) visit(path === '' ? key : `${path}.${key}`, value);
  };
  visit('', envelope);
  add('metadata.name', envelope.metadata.name);
  add('metadata.namespace', envelope.metadata.namespace);
  add('metadata.uid', envelope.metadata.uid);
  return rows;
}

/** A relation as the store keeps it. */
export interface RelationRecord {
  type: string;
  targetRef: string;
  targetExists: boolean;
}

/** A target link as the store keeps it, for the status items. */
export interface LinkRecord {
  name: string;
  scope: string;
  variant: string | null;
  matched: boolean;
  targetName: string | null;
  variantName: string | null;
  variantReason: string | null;
  diagnostics: LinkDiagnostic[];
}

/** The stored envelope with its relations and Lantern's status items. */
export function servedEntity(envelope: StoredEnvelope, relations: readonly RelationRecord[], links: readonly LinkRecord[], problems: readonly CatalogProblem[]): ServedEntity {
  const items: StatusItem[] = [
    ...links.map(linkStatus),
    ...problems.map((p) => ({ type: CATALOG_PROBLEM_STATUS, level: p.level, message: `${p.message}${p.field ? ` (field ${p.field})` : ''}` })),
    ...relations
      .filter((r) => !r.targetExists)
      .map((r): StatusItem => ({ type: CATALOG_PROBLEM_STATUS, level: 'warning', message: `The relation ${r.type} points at ${r.targetRef}, which is not in the catalog.` })),
  ];
  const served: ServedEntity = { ...envelope, relations: relations.map(servedRelation) };
  if (items.length > 0) served.status = { items };
  return served;
}

function servedRelation(relation: RelationRecord): ServedRelation {
  const { kind, namespace, name } = parseEntityRef(relation.targetRef);
  return { type: relation.type, targetRef: relation.targetRef, target: { kind, namespace, name } };
}

const LEVEL_RANK = { info: 0, warning: 1, error: 2 } as const;

function linkStatus(link: LinkRecord): StatusItem {
  const wanted = link.variant === null ? 'its baseline' : `variant ${JSON.stringify(link.variant)}`;
  const where = link.scope === 'account' ? 'at account level' : `in ${link.scope}`;
  const head = link.matched
    ? `Linked to target ${JSON.stringify(link.targetName ?? link.name)} ${where}, showing ${JSON.stringify(link.variantName)} (${link.variantReason === 'variant' ? 'the variant asked for' : `baseline: ${link.variantReason}`}).`
    : `The link to target ${JSON.stringify(link.name)} ${where} (${wanted}) shows no data.`;
  const level = link.diagnostics.reduce<StatusItem['level']>((worst, d) => (LEVEL_RANK[d.level] > LEVEL_RANK[worst] ? d.level : worst), 'info');
  return { type: TARGET_LINKS_STATUS, level, message: [head, ...link.diagnostics.map((d) => d.message)].join(' ') };
}

/**
 * Backstage's `fields` selection: each dotted path keeps that value or subtree, everything else
 * is pruned. Paths do not index into lists.
 */
export function selectFields(entity: object, fields: readonly string[] | undefined): Record<string, unknown> {
  if (!fields || fields.length === 0) return entity as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const path = field.split('.');
    let node: unknown = entity;
    for (const key of path) node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    if (node === undefined) continue;
    let holder = out;
    path.forEach((key, i) => {
      if (i === path.length - 1) holder[key] = node;
      else holder = (holder[key] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}
