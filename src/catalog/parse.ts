import { DEFAULT_NAMESPACE, stringifyEntityRef } from '@backstage/catalog-model';
import type { Scope } from '../domain/scope.js';
import { isObject, type JsonObject } from '../formats/json.js';
import { targetLinkSpecs } from './annotations.js';
import type { CatalogEntity, CatalogProblem, EntityEnvelope, FieldPath, ProblemPlace } from './entity.js';
import { formatFieldPath } from './entity.js';
import { HARNESS_API_VERSION, harnessWrittenPath, readHarnessEntity } from './harness.js';
import { resolvePlaceholders, type ReadRelated } from './placeholders.js';
import { entityReferences } from './relations.js';
import { backstageEntityIssues, type FieldIssue } from './validate.js';
import { readYamlStream, type SourcePosition, type YamlDocument } from './yaml-source.js';

export interface ParseContext {
  /** Absolute path or URL of the file: named in every problem. */
  file: string;
  /** The registered location the file was reached from. */
  location: string;
  /** The scope the location was registered under: Backstage-format entities live there. */
  scope: Scope;
  /** Reads what a `$text`/`$json`/`$yaml` placeholder names; absent: placeholders stay unresolved. */
  readRelated?: ReadRelated;
}

export interface ParsedCatalogFile {
  entities: CatalogEntity[];
  /** Problems with documents that were not loaded, and with the file as a whole. */
  problems: CatalogProblem[];
  /** The targets of the file's Location entities, for the reader to follow. */
  locationTargets: LocationTarget[];
}

/** One target of a Location entity (`spec.target` or an item of `spec.targets`). */
export interface LocationTarget {
  /** Ref of the Location entity. */
  location: string;
  /** `spec.type`: `file`, `url`, or absent (the same kind as the file that holds it). */
  type?: string;
  /** `spec.presence: optional`: a target that is not there is no problem. */
  optional: boolean;
  target: string;
  place: ProblemPlace;
}

/**
 * One catalog file's text to entities: every YAML document read, placeholders resolved,
 * validated, and turned into a CatalogEntity with its references and target links. A bad document
 * is reported and skipped; its neighbours load.
 */
export async function parseCatalogFile(text: string, context: ParseContext): Promise<ParsedCatalogFile> {
  const documents = readYamlStream(text.replace(/^\uFEFF/, ''));
  if (documents.length === 0) {
    return { entities: [], problems: [{ level: 'warning', message: 'The file holds no YAML document, so it defines no entity.', file: context.file }], locationTargets: [] };
  }
  const results = await Promise.all(documents.map((document) => parseDocument(document, context)));
  return {
    entities: results.flatMap((r) => (r.entity ? [r.entity] : [])),
    problems: results.flatMap((r) => r.problems),
    locationTargets: results.flatMap((r) => r.locationTargets ?? []),
  };
}

/**
 * One entity read as a value rather than from a file (Backstage's catalog API): validated and
 * linked like a document of a file, without positions. Its placeholders stay as they are: the
 * catalog that served it has resolved its own.
 */
export async function parseCatalogValue(value: unknown, context: Omit<ParseContext, 'readRelated'>): Promise<ParsedCatalogFile> {
  const result = await parseDocument({ index: 1, value, locate: () => ({}) }, context);
  return { entities: result.entity ? [result.entity] : [], problems: result.problems, locationTargets: result.locationTargets ?? [] };
}

/** A document of a YAML file, or one value read some other way, without positions. */
type SourceDocument = Pick<YamlDocument, 'index' | 'value' | 'error'> & { start?: SourcePosition; locate(path: FieldPath): Partial<SourcePosition> };

interface ParsedDocument {
  entity?: CatalogEntity;
  problems: CatalogProblem[];
  locationTargets?: LocationTarget[];
}

async function parseDocument(document: SourceDocument, context: ParseContext): Promise<ParsedDocument> {
  const place = (path: FieldPath): ProblemPlace => ({
    file: context.file,
    document: document.index,
    ...document.locate(path),
    ...(path.length > 0 ? { field: formatFieldPath(path) } : {}),
  });
  const problem = (level: CatalogProblem['level'], message: string, path: FieldPath = []): CatalogProblem => ({ level, message, ...place(path) });

  if (document.error) {
    const { message, line, column } = document.error;
    return { problems: [{ level: 'error', message, file: context.file, document: document.index, line, column }] };
  }
  const value = document.value;
  // An empty document, such as after a trailing `---`, holds nothing; Backstage skips it too.
  if (value === null || value === undefined) return { problems: [] };
  if (!isObject(value)) {
    return { problems: [problem('error', `The document is ${describeValue(value)}, not an entity: expected a mapping with apiVersion, kind and metadata.`)] };
  }
  const harness = value.apiVersion === HARNESS_API_VERSION;
  if (!('apiVersion' in value) && !('kind' in value) && !('metadata' in value) && !('identifier' in value)) {
    return { problems: [problem('warning', `The document is not a catalog entity${otherFormat(value)}: it has no apiVersion, kind or metadata, so it is skipped.`)] };
  }
  const missing = missingFields(value, harness);
  if (missing.length > 0) {
    const needs = harness ? 'apiVersion, kind and identifier' : 'apiVersion, kind and metadata.name';
    return { problems: [problem('error', `The document has no ${missing.join(' and no ')}: every ${harness ? 'harness.io/v1 ' : ''}catalog entity needs ${needs}.`, missing[0]?.split('.') ?? [])] };
  }

  const unresolved = await resolvePlaceholders(value, context.readRelated);
  const warnings = unresolved.map((u) => problem('warning', u.message, u.path));
  const unresolvedPaths = unresolved.map((u) => u.path);

  let envelope: EntityEnvelope;
  let scope = context.scope;
  let org: string | undefined;
  let issues: FieldIssue[];
  // Envelope fields of a harness.io/v1 entity are written elsewhere in its file.
  let written = (path: FieldPath) => path;
  if (harness) {
    const read = readHarnessEntity(value, unresolvedPaths);
    ({ envelope, scope, issues } = read);
    org = read.org;
    written = harnessWrittenPath;
  } else {
    issues = await backstageEntityIssues(value, unresolvedPaths);
    envelope = backstageEnvelope(value);
  }
  const errors = issues.filter((i) => i.level === 'error');
  if (errors.length > 0) return { problems: errors.map((i) => problem('error', i.message, i.path)) };
  warnings.push(...issues.map((i) => problem('warning', i.message, i.path)));

  const placeEnvelope = (path: FieldPath) => place(written(path));
  const references = entityReferences(envelope, placeEnvelope);
  const links = targetLinkSpecs({ envelope, scope, org, place: placeEnvelope });
  const { kind, metadata } = envelope;
  const ref = stringifyEntityRef({ kind, namespace: metadata.namespace, name: metadata.name });
  return {
    locationTargets: kind.toLowerCase() === 'location' ? locationTargets(ref, envelope, placeEnvelope) : [],
    entity: {
      ref,
      kind,
      namespace: metadata.namespace,
      name: metadata.name,
      format: harness ? 'harness' : 'backstage',
      scope,
      entity: envelope,
      source: { location: context.location, file: context.file, document: document.index, line: document.start?.line ?? 1 },
      references: references.references,
      linkSpecs: links.specs,
      problems: [...warnings, ...references.problems, ...links.problems],
    },
    problems: [],
  };
}

function locationTargets(ref: string, envelope: EntityEnvelope, place: (path: FieldPath) => ProblemPlace): LocationTarget[] {
  const { spec } = envelope;
  const common = {
    location: ref,
    ...(typeof spec.type === 'string' ? { type: spec.type } : {}),
    optional: spec.presence === 'optional',
  };
  const written: Array<[unknown, FieldPath]> = [
    [spec.target, ['spec', 'target']],
    ...(Array.isArray(spec.targets) ? spec.targets.map((t, i): [unknown, FieldPath] => [t, ['spec', 'targets', i]]) : []),
  ];
  return written.flatMap(([target, path]) => (typeof target === 'string' ? [{ ...common, target, place: place(path) }] : []));
}

function missingFields(value: JsonObject, harness: boolean): string[] {
  const blank = (v: unknown) => v === undefined || v === null || v === '';
  const metadata = isObject(value.metadata) ? value.metadata : {};
  return [
    blank(value.apiVersion) ? 'apiVersion' : undefined,
    blank(value.kind) ? 'kind' : undefined,
    harness ? (blank(value.identifier) ? 'identifier' : undefined) : blank(metadata.name) ? 'metadata.name' : undefined,
  ].filter((f): f is string => f !== undefined);
}

/** The Backstage envelope of a validated Backstage-format entity, namespace defaulted as Backstage does. */
function backstageEnvelope(value: JsonObject): EntityEnvelope {
  const metadata = value.metadata as EntityEnvelope['metadata'];
  return {
    apiVersion: String(value.apiVersion),
    kind: String(value.kind),
    metadata: { ...metadata, namespace: metadata.namespace || DEFAULT_NAMESPACE },
    spec: isObject(value.spec) ? value.spec : {},
  };
}

/** Names the kind of document a catalog folder often holds next to its entities. */
function otherFormat(value: JsonObject): string {
  const version = (key: string) => (typeof value[key] === 'string' || typeof value[key] === 'number' ? ` ${String(value[key])}` : '');
  if ('openapi' in value) return ` (it is an OpenAPI${version('openapi')} document)`;
  if ('swagger' in value) return ` (it is a Swagger${version('swagger')} document)`;
  if ('asyncapi' in value) return ` (it is an AsyncAPI${version('asyncapi')} document)`;
  return '';
}

/** What a document is, never quoting it: a file read from a URL or a path may hold anything, secrets included. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text (${value.length} characters)`;
  return value === null ? 'null' : `a ${typeof value}`;
}
