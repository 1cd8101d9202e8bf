import { ACCOUNT_SCOPE, DEFAULT_ORG, isIdentifier, type Scope } from '../domain/scope.js';
import { isObject, type JsonObject } from '../formats/json.js';
import type { EntityEnvelope, FieldPath } from './entity.js';
import { formatFieldPath } from './entity.js';
import type { FieldIssue } from './validate.js';
import { envelopeIssues } from './validate.js';

/** The Harness IDP 2.0 entity format. */
export const HARNESS_API_VERSION = 'harness.io/v1';

const ROOT_FIELDS = ['apiVersion', 'kind', 'identifier', 'name', 'type', 'owner', 'orgIdentifier', 'projectIdentifier', 'spec', 'metadata'];
const SOURCE_CODE_TEXT = ['url', 'provider', 'repoName', 'branch', 'connectorRef', 'monoReposubDirectoryPath'];

/** Harness writes kinds in any case (`component`); the catalog uses Backstage's spelling. */
const KIND_SPELLING: Record<string, string> = Object.fromEntries(
  ['Component', 'API', 'Resource', 'System', 'Domain', 'Group', 'User', 'Location'].map((k) => [k.toLowerCase(), k]),
);

/** Envelope fields that a harness.io/v1 file writes elsewhere. */
const WRITTEN_AS: Record<string, FieldPath> = {
  'metadata.name': ['identifier'],
  'metadata.title': ['name'],
  'spec.type': ['type'],
  'spec.owner': ['owner'],
};

export interface HarnessEntity {
  envelope: EntityEnvelope;
  scope: Scope;
  /** The org of an org-level entity, which Lantern reads as account-level. */
  org?: string;
  /** Problems with paths as the file wrote them. */
  issues: FieldIssue[];
}

/** Where an envelope field of a harness.io/v1 entity is written in its file. */
export function harnessWrittenPath(path: FieldPath): FieldPath {
  for (let length = Math.min(path.length, 2); length > 0; length--) {
    const mapped = WRITTEN_AS[formatFieldPath(path.slice(0, length))];
    if (mapped) return [...mapped, ...path.slice(length)];
  }
  return path;
}

/**
 * Reads a harness.io/v1 document into the Backstage-shaped envelope the catalog serves: the
 * identifier is the name, in namespace `default`; `name` is the title; `type` and `owner` move
 * into the spec. The caller has checked that apiVersion, kind and identifier are present;
 * `unresolved` lists placeholders that could not be read, validated as if they had been.
 */
export function readHarnessEntity(document: JsonObject, unresolved: readonly FieldPath[] = []): HarnessEntity {
  const issues: FieldIssue[] = [];
  const error = (path: FieldPath, message: string) => issues.push({ level: 'error', path, message });
  const warn = (path: FieldPath, message: string) => issues.push({ level: 'warning', path, message });

  for (const key of Object.keys(document)) {
    if (!ROOT_FIELDS.includes(key)) warn([key], `The field ${JSON.stringify(key)} is not part of a harness.io/v1 entity and is ignored.`);
  }
  for (const key of ['identifier', 'name', 'type', 'owner', 'orgIdentifier', 'projectIdentifier']) {
    const value = document[key];
    if (value !== undefined && value !== null && typeof value !== 'string') error([key], `${key} is ${JSON.stringify(value)}: expected text.`);
  }
  const metadataValue = document.metadata ?? {};
  const specValue = document.spec ?? {};
  if (!isObject(metadataValue)) error(['metadata'], `metadata is ${JSON.stringify(metadataValue)}: expected an object.`);
  if (!isObject(specValue)) error(['spec'], `spec is ${JSON.stringify(specValue)}: expected an object.`);
  const metadata = isObject(metadataValue) ? metadataValue : {};
  const spec = isObject(specValue) ? specValue : {};
  for (const key of ['name', 'namespace']) {
    if (metadata[key] !== undefined) warn(['metadata', key], `metadata.${key} is ignored in a harness.io/v1 entity: the identifier names it, in namespace "default".`);
  }
  for (const key of ['lifecycle', 'system']) {
    if (spec[key] !== undefined && typeof spec[key] !== 'string') error(['spec', key], `spec.${key} is ${JSON.stringify(spec[key])}: expected text.`);
  }
  checkSourceCode(spec.sourceCode, error);

  const scope = readScope(document, error, warn);
  const kindText = String(document.kind);
  const text = (key: string) => (typeof document[key] === 'string' ? (document[key] as string) : undefined);
  const metadataRest = { ...metadata };
  delete metadataRest.name;
  delete metadataRest.namespace;
  const title = text('name');
  const type = text('type');
  const owner = text('owner');
  const envelope: EntityEnvelope = {
    apiVersion: HARNESS_API_VERSION,
    kind: KIND_SPELLING[kindText.toLowerCase()] ?? kindText,
    metadata: { ...metadataRest, name: String(document.identifier), namespace: 'default', ...(title ? { title } : {}) },
    spec: { ...spec, ...(type ? { type } : {}), ...(owner ? { owner } : {}) },
  };
  if (issues.every((i) => i.level !== 'error')) issues.push(...envelopeIssues(envelope as unknown as JsonObject, { unresolved, written: harnessWrittenPath }));
  return { envelope, ...scope, issues };
}

function checkSourceCode(value: unknown, error: (path: FieldPath, message: string) => void): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    error(['spec', 'sourceCode'], `spec.sourceCode is ${JSON.stringify(value)}: expected an object with url, provider, repoName, branch, connectorRef, monoRepo and monoReposubDirectoryPath.`);
    return;
  }
  for (const key of SOURCE_CODE_TEXT) {
    if (value[key] !== undefined && value[key] !== null && typeof value[key] !== 'string') {
      error(['spec', 'sourceCode', key], `spec.sourceCode.${key} is ${JSON.stringify(value[key])}: expected text.`);
    }
  }
  if (value.monoRepo !== undefined && value.monoRepo !== null && typeof value.monoRepo !== 'boolean') {
    error(['spec', 'sourceCode', 'monoRepo'], `spec.sourceCode.monoRepo is ${JSON.stringify(value.monoRepo)}: expected true or false.`);
  }
}

/**
 * The entity's own scope from orgIdentifier and projectIdentifier. Lantern scopes are the account
 * or one project, so an org-level entity is read as account-level, keeping its org for the
 * annotation scopes that name only a project.
 */
function readScope(
  document: JsonObject,
  error: (path: FieldPath, message: string) => void,
  warn: (path: FieldPath, message: string) => void,
): { scope: Scope; org?: string } {
  const read = (key: string): string | undefined => {
    const value = typeof document[key] === 'string' ? (document[key] as string).trim() : '';
    if (value === '') return undefined;
    if (!isIdentifier(value)) {
      error([key], `${key} ${JSON.stringify(value)} is not a Harness identifier: expected letters, digits, '_', '-' and '$' only.`);
      return undefined;
    }
    return value;
  };
  const org = read('orgIdentifier');
  const project = read('projectIdentifier');
  if (project) return { scope: { level: 'project', org: org ?? DEFAULT_ORG, project } };
  if (org) {
    warn(['orgIdentifier'], `The entity is org-level (org ${JSON.stringify(org)}, no project); Lantern reads it as account-level and resolves annotation scopes that name only a project in that org.`);
    return { scope: ACCOUNT_SCOPE, org };
  }
  return { scope: ACCOUNT_SCOPE };
}
