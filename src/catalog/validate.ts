import { createRequire } from 'node:module';
import {
  apiEntityV1alpha1Validator,
  CommonValidatorFunctions,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  type Entity,
  entitySchemaValidator,
  groupEntityV1alpha1Validator,
  type KindValidator,
  locationEntityV1alpha1Validator,
  makeValidator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { isObject, type JsonObject } from '../formats/json.js';
import { TEST_TARGET_ANNOTATION } from './annotation-names.js';
import { formatFieldPath, type FieldPath } from './entity.js';

/**
 * Backstage's own validation, through @backstage/catalog-model: the entity schema, its field
 * format rules (names, kinds, namespaces, label and annotation keys, tags, links) and the schema
 * of each of the eight built-in kinds. Relaxed only so that `harness.io/sto-test-target` may hold
 * a list, as Harness documents it.
 */

/** One thing wrong with one field. An error drops the document; a warning is kept on the entity. */
export interface FieldIssue {
  level: 'error' | 'warning';
  path: FieldPath;
  message: string;
}

// The package's ES build of /alpha imports lodash paths Node's ES loader cannot resolve; its
// CommonJS build loads fine.
const alpha = createRequire(import.meta.url)('@backstage/catalog-model/alpha') as { mcpServerApiEntityValidator: KindValidator };

const KIND_VALIDATORS: Record<string, KindValidator> = {
  Component: componentEntityV1alpha1Validator,
  API: apiEntityV1alpha1Validator,
  Resource: resourceEntityV1alpha1Validator,
  System: systemEntityV1alpha1Validator,
  Domain: domainEntityV1alpha1Validator,
  Group: groupEntityV1alpha1Validator,
  User: userEntityV1alpha1Validator,
  Location: locationEntityV1alpha1Validator,
};

export const BACKSTAGE_API_VERSIONS = ['backstage.io/v1alpha1', 'backstage.io/v1beta1'];

/** API types whose `spec.definition` Backstage renders; other types come from plugins (see kindIssues). */
const DEFINITION_API_TYPES = new Set(['openapi', 'asyncapi', 'graphql', 'grpc', 'trpc']);

const ROOT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec'];

const validators = makeValidator();
const validateEntitySchema = entitySchemaValidator();

/** True when Backstage validates this kind with its own schema (the eight built-in kinds). */
export function isBuiltinKind(apiVersion: unknown, kind: unknown): boolean {
  return typeof kind === 'string' && kind in KIND_VALIDATORS && BACKSTAGE_API_VERSIONS.includes(String(apiVersion));
}

/**
 * Everything wrong with a Backstage-format entity. `unresolved` lists the placeholders that could
 * not be read: they are validated as if they had been, since the entity is kept with a warning.
 */
export async function backstageEntityIssues(entity: JsonObject, unresolved: readonly FieldPath[] = []): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  const envelope: JsonObject = {};
  for (const [field, value] of Object.entries(entity)) {
    if (ROOT_FIELDS.includes(field)) envelope[field] = value;
    else issues.push({ level: 'error', path: [field], message: `The root field ${JSON.stringify(field)} is not part of a catalog entity: expected only apiVersion, kind, metadata and spec.` });
  }
  issues.push(...envelopeIssues(envelope, { unresolved }));
  if (issues.length > 0) return issues;
  return kindIssues(validationView(envelope, unresolved));
}

export interface EnvelopeCheck {
  unresolved?: readonly FieldPath[];
  /**
   * Maps an envelope field to the field as the file wrote it (a harness.io/v1 `identifier` is
   * the envelope's `metadata.name`), for paths and messages.
   */
  written?: (path: FieldPath) => FieldPath;
}

/**
 * The field formats and the entity schema, for any entity envelope (harness.io/v1 ones too).
 * Every field format failure is reported; the schema, which stops at its first failure, adds
 * one only about a field not already reported.
 */
export function envelopeIssues(envelope: JsonObject, { unresolved = [], written = (path) => path }: EnvelopeCheck = {}): FieldIssue[] {
  const view = validationView(envelope, unresolved);
  const issues = fieldFormatIssues(view, written);
  const schemaIssue = ajvIssue(() => validateEntitySchema(view), view, written);
  if (schemaIssue && !issues.some((i) => isWithin(schemaIssue.path, i.path))) issues.push(schemaIssue);
  return issues;
}

/**
 * A copy of the entity as validation should see it: the link annotation as a string whatever its
 * form, and each unresolved placeholder as a value of the type it would have produced.
 */
function validationView(entity: JsonObject, unresolved: readonly FieldPath[]): JsonObject {
  let view = entity;
  const annotations = isObject(entity.metadata) && isObject(entity.metadata.annotations) ? entity.metadata.annotations : undefined;
  const links = annotations?.[TEST_TARGET_ANNOTATION];
  if (links !== undefined && typeof links !== 'string') view = withValue(view, ['metadata', 'annotations', TEST_TARGET_ANNOTATION], JSON.stringify(links));
  for (const path of unresolved) view = withValue(view, path, 'unresolved placeholder');
  return view;
}

/** A copy of `root` with `value` at `path`, copying only the objects along the path. */
function withValue(root: JsonObject, path: FieldPath, value: unknown): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return root;
  const copy: JsonObject | unknown[] = Array.isArray(root) ? [...(root as unknown[])] : { ...root };
  const child = (copy as Record<string | number, unknown>)[head];
  (copy as Record<string | number, unknown>)[head] = rest.length === 0 ? value : withValue((isObject(child) || Array.isArray(child) ? child : {}) as JsonObject, rest, value);
  return copy as JsonObject;
}

async function kindIssues(entity: JsonObject): Promise<FieldIssue[]> {
  const kind = String(entity.kind);
  if (!isBuiltinKind(entity.apiVersion, kind)) return [];
  const spec = isObject(entity.spec) ? entity.spec : undefined;
  const apiType = kind === 'API' && typeof spec?.type === 'string' ? spec.type : undefined;
  const validator = apiType === 'mcp-server' ? alpha.mcpServerApiEntityValidator : KIND_VALIDATORS[kind];
  // The envelope schema has passed, so the entity has Entity's shape.
  const issue = validator ? await asyncAjvIssue(() => validator.check(entity as unknown as Entity), entity) : undefined;
  if (!issue) return [];
  // API types that plugins define (ai-model-server …) carry no definition; Backstage installations
  // validate them with the plugin's schema, which Lantern does not have. Keep them, and say so.
  const missingDefinition = apiType !== undefined && formatFieldPath(issue.path) === 'spec.definition' && spec?.definition === undefined;
  if (missingDefinition && !DEFINITION_API_TYPES.has(apiType)) {
    const rest = await kindIssues(withValue(entity, ['spec', 'definition'], 'not given'));
    const warning: FieldIssue = {
      level: 'warning',
      path: ['spec', 'definition'],
      message: `The API has no spec.definition; Backstage requires one except for API types a plugin defines, and ${JSON.stringify(apiType)} is taken to be one.`,
    };
    return [warning, ...rest];
  }
  return [issue];
}

function ajvIssue(run: () => unknown, entity: JsonObject, written: (path: FieldPath) => FieldPath): FieldIssue | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return readAjvError(error, entity, written);
  }
}

async function asyncAjvIssue(run: () => Promise<unknown>, entity: JsonObject): Promise<FieldIssue | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return readAjvError(error, entity, (path) => path);
  }
}

/** Backstage reports schema errors as `/spec/type must be string - type: string`. */
function readAjvError(error: unknown, entity: JsonObject, written: (path: FieldPath) => FieldPath): FieldIssue {
  const text = error instanceof Error ? error.message : String(error);
  const match = /^(\S+) (.+?)(?: - (.*))?$/s.exec(text);
  const pointer = match?.[1] ?? '<root>';
  const path: Array<string | number> = pointer === '<root>' ? [] : pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = match?.[3] ?? '';
  const missing = /missingProperty: (\S+)/.exec(params)?.[1];
  const kind = typeof entity.kind === 'string' ? entity.kind : 'entity';
  if (missing) {
    const field = written([...path, missing]);
    return { level: 'error', path: field, message: `The ${kind} has no ${formatFieldPath(field)}, which Backstage requires.` };
  }
  const field = written(path);
  const where = field.length > 0 ? formatFieldPath(field) : 'The entity';
  return { level: 'error', path: field, message: `${where} ${match?.[2] ?? text}, but it is ${describe(valueAt(entity, path))}.` };
}

/** True when `path` is `ancestor` or lies inside it. */
function isWithin(path: FieldPath, ancestor: FieldPath): boolean {
  return ancestor.length <= path.length && ancestor.every((part, i) => String(part) === String(path[i]));
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const key of path) node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[String(key)] : undefined;
  return node;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  return JSON.stringify(value);
}

const NAME_RULE = "letters and digits separated by '-', '_' or '.', at most 63 characters";
const PREFIXED_RULE = `an optional DNS-style prefix and '/', then ${NAME_RULE}`;

/** The field rules of Backstage's FieldFormatEntityPolicy, every failure reported rather than the first. */
function fieldFormatIssues(entity: JsonObject, written: (path: FieldPath) => FieldPath): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const check = (envelopePath: FieldPath, value: unknown, valid: (v: unknown) => boolean, what: string, expected: string) => {
    if (!valid(value)) {
      const path = written(envelopePath);
      issues.push({ level: 'error', path, message: `${formatFieldPath(path)} ${JSON.stringify(value)} is not a valid ${what}: expected ${expected}.` });
    }
  };
  check(['apiVersion'], entity.apiVersion, validators.isValidApiVersion, 'apiVersion', "an optional DNS-style group and '/', then a version such as v1alpha1");
  check(['kind'], entity.kind, validators.isValidKind, 'kind', 'a letter followed by letters and digits, at most 63 characters');
  const metadata = isObject(entity.metadata) ? entity.metadata : {};
  check(['metadata', 'name'], metadata.name, validators.isValidEntityName, 'entity name', NAME_RULE);
  if (metadata.namespace !== undefined) {
    check(['metadata', 'namespace'], metadata.namespace, validators.isValidNamespace, 'namespace', "lower-case letters and digits separated by '-', at most 63 characters");
  }
  for (const [key, value] of Object.entries(isObject(metadata.labels) ? metadata.labels : {})) {
    check(['metadata', 'labels', key], key, validators.isValidLabelKey, 'label key', PREFIXED_RULE);
    check(['metadata', 'labels', key], value, validators.isValidLabelValue, 'label value', `empty, or ${NAME_RULE}`);
  }
  for (const [key, value] of Object.entries(isObject(metadata.annotations) ? metadata.annotations : {})) {
    check(['metadata', 'annotations', key], key, validators.isValidAnnotationKey, 'annotation key', PREFIXED_RULE);
    check(['metadata', 'annotations', key], value, validators.isValidAnnotationValue, 'annotation value', 'text');
  }
  (Array.isArray(metadata.tags) ? metadata.tags : []).forEach((tag, i) => {
    check(['metadata', 'tags', i], tag, validators.isValidTag, 'tag', "lower-case letters, digits, '+', '#' and ':' in groups separated by '-', at most 63 characters");
  });
  (Array.isArray(metadata.links) ? metadata.links : []).forEach((link, i) => {
    const fields = isObject(link) ? link : {};
    check(['metadata', 'links', i, 'url'], fields.url, CommonValidatorFunctions.isValidUrl, 'link URL', 'an absolute URL such as https://example.com');
    for (const key of ['title', 'icon']) {
      if (fields[key] !== undefined) check(['metadata', 'links', i, key], fields[key], CommonValidatorFunctions.isNonEmptyString, `link ${key}`, 'non-empty text');
    }
  });
  return issues;
}
