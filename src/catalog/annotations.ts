import { ACCOUNT_SCOPE, DEFAULT_ORG, formatScope, isIdentifier, sameScope, type Scope } from '../domain/scope.js';
import { targetNameKey } from '../domain/target.js';
import { isObject, str } from '../formats/json.js';
import type { CatalogProblem, EntityEnvelope, FieldPath, ProblemPlace, TargetLinkSpec } from './entity.js';
import { parseRepositoryUrl, type Repository } from './repository-url.js';
import { SOURCE_LOCATION_ANNOTATION, TEST_TARGET_ANNOTATION } from './annotation-names.js';
import { readYamlValue } from './yaml-source.js';

const ENTRY_KEYS = ['name', 'scope', 'variant'];
const ANNOTATION_PATH: FieldPath = ['metadata', 'annotations', TEST_TARGET_ANNOTATION];
export const ANNOTATION_SCOPE_FORMS = '"account", "PROJECT", "ORG.PROJECT" or "account.ORG.PROJECT"';

/** What link resolution needs to know about the entity that holds the links. */
export interface LinkingEntity {
  envelope: EntityEnvelope;
  scope: Scope;
  /** The org of an entity that has one but no project (a harness.io/v1 org-level entity). */
  org?: string | undefined;
  /** Where a field of the envelope is written, for problems. */
  place(path: FieldPath): ProblemPlace;
}

export interface LinkSpecsResult {
  specs: TargetLinkSpec[];
  /** Every problem with the links: errors on entries that were dropped, and each spec's warnings. */
  problems: CatalogProblem[];
}

/** Every target link an entity declares: its annotation entries, then its implicit repository target. */
export function targetLinkSpecs(entity: LinkingEntity): LinkSpecsResult {
  const problems: CatalogProblem[] = [];
  const specs = annotationLinkSpecs(entity, problems);
  const implicit = implicitRepositoryLink(entity, problems);
  // The same target named by the annotation without a variant is the same link; keep the explicit one.
  if (implicit && !specs.some((s) => !s.variant && sameScope(s.scope, implicit.scope) && targetNameKey(s.name) === targetNameKey(implicit.name))) {
    specs.push(implicit);
  }
  return { specs, problems };
}

function annotationLinkSpecs(entity: LinkingEntity, problems: CatalogProblem[]): TargetLinkSpec[] {
  const value = entity.envelope.metadata.annotations?.[TEST_TARGET_ANNOTATION];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return [];
  const read = readEntries(value);
  if ('error' in read) {
    problems.push({ level: 'error', message: read.error, ...entity.place(ANNOTATION_PATH) });
    return [];
  }
  const specs: TargetLinkSpec[] = [];
  read.entries.forEach((entry, index) => {
    // Entries written as a YAML list have their own positions; those inside a string share the string's.
    const entryPath: FieldPath = read.fromString ? ANNOTATION_PATH : [...ANNOTATION_PATH, index];
    const place = (field?: string) => entity.place(read.fromString || field === undefined ? entryPath : [...entryPath, field]);
    const spec = readEntry(entry, index, entity, place);
    problems.push(...spec.problems);
    if (!('name' in spec)) return;
    const duplicate = specs.find((s) => sameScope(s.scope, spec.scope) && targetNameKey(s.name) === targetNameKey(spec.name) && s.variant === spec.variant);
    if (duplicate) {
      problems.push({
        level: 'warning',
        message: `Entry ${index + 1} of ${TEST_TARGET_ANNOTATION} repeats entry ${(duplicate.entry ?? 0) + 1} (${JSON.stringify(spec.name)} in ${formatScope(spec.scope)}); it is ignored.`,
        ...place(),
      });
      return;
    }
    specs.push(spec);
  });
  return specs;
}

/** Both annotation forms: a YAML list of objects, or a string holding the same list as JSON or YAML. */
function readEntries(value: unknown): { entries: unknown[]; fromString: boolean } | { error: string } {
  let list = value;
  const fromString = typeof value === 'string';
  if (typeof value === 'string') {
    try {
      list = readYamlValue(value);
    } catch {
      list = undefined;
    }
  }
  if (Array.isArray(list)) return { entries: list, fromString };
  // One object on its own is read as a list of one.
  if (isObject(list)) return { entries: [list], fromString };
  return {
    error:
      `The ${TEST_TARGET_ANNOTATION} annotation ${JSON.stringify(value)} is not a list of test targets: ` +
      'expected a YAML list of objects with a name (and optionally a scope and a variant), or a string holding such a list as JSON or YAML.',
  };
}

type EntryResult = TargetLinkSpec | { problems: CatalogProblem[] };

function readEntry(entry: unknown, index: number, entity: LinkingEntity, place: (field?: string) => ProblemPlace): EntryResult {
  const label = `Entry ${index + 1} of ${TEST_TARGET_ANNOTATION}`;
  const problems: CatalogProblem[] = [];
  const fail = (message: string, field?: string): EntryResult => ({ problems: [...problems, { level: 'error', message, ...place(field) }] });
  if (!isObject(entry)) {
    return fail(`${label} is ${JSON.stringify(entry)}, not an object: expected an object with a name, such as {name: acme/payments}.`);
  }
  for (const key of Object.keys(entry)) {
    if (!ENTRY_KEYS.includes(key)) {
      problems.push({ level: 'warning', message: `${label} has an unknown key ${JSON.stringify(key)}, which is ignored: the keys are name, scope and variant.`, ...place(key) });
    }
  }
  const name = typeof entry.name === 'object' ? undefined : str(entry.name);
  if (!name) {
    return fail(`${label} has no name: expected the name of a test target, such as "acme/payments".`, 'name' in entry ? 'name' : undefined);
  }
  const scopeValue = entry.scope;
  if (scopeValue !== undefined && scopeValue !== null && typeof scopeValue !== 'string') {
    return fail(`${label} has the scope ${JSON.stringify(scopeValue)}, which is not text: expected ${ANNOTATION_SCOPE_FORMS}.`, 'scope');
  }
  const scope = resolveAnnotationScope(scopeValue ?? '', entity);
  if ('error' in scope) return fail(`${label}: ${scope.error}`, scopeValue ? 'scope' : undefined);
  const variantValue = entry.variant;
  if (variantValue !== undefined && variantValue !== null && typeof variantValue === 'object') {
    return fail(`${label} has the variant ${JSON.stringify(variantValue)}, which is not text: expected a branch, tag or image tag, or no variant for the baseline.`, 'variant');
  }
  const variant = str(variantValue);
  return {
    name,
    scope: scope.scope,
    ...(variant ? { variant } : {}),
    origin: 'annotation',
    entry: index,
    problems,
  };
}

/** DESIGN.md: Scope of an annotation entry, relative to the entity's own scope. */
export function resolveAnnotationScope(value: string, entity: Pick<LinkingEntity, 'scope' | 'org'>): { scope: Scope } | { error: string } {
  const text = value.trim();
  if (text === '') {
    if (entity.scope.level === 'project') return { scope: entity.scope };
    return {
      error:
        'it has no scope, and the entity is account-level, so it has no project of its own to look in: ' +
        `give a scope (${ANNOTATION_SCOPE_FORMS}).`,
    };
  }
  if (text === 'account') return { scope: ACCOUNT_SCOPE };
  const parts = text.split('.');
  let org: string | undefined;
  let project: string | undefined;
  if (parts.length === 1) [org, project] = [entityOrg(entity), parts[0]];
  else if (parts.length === 2) [org, project] = parts;
  else if (parts.length === 3 && parts[0] === 'account') [, org, project] = parts;
  if (org && project && isIdentifier(org) && isIdentifier(project) && org !== 'account') {
    return { scope: { level: 'project', org, project } };
  }
  return {
    error: `the scope ${JSON.stringify(value)} is not one Lantern reads: expected ${ANNOTATION_SCOPE_FORMS}, where ORG and PROJECT use only letters, digits, '_', '-' and '$'.`,
  };
}

function entityOrg(entity: Pick<LinkingEntity, 'scope' | 'org'>): string {
  return entity.scope.level === 'project' ? entity.scope.org : (entity.org ?? DEFAULT_ORG);
}

/** Where an entity says its source code lives, and the field that says it. */
export interface DeclaredRepository {
  repository: Repository;
  field: FieldPath;
}

/**
 * The repository an entity declares: `spec.sourceCode.url` (harness.io/v1) first, else the
 * `backstage.io/source-location` annotation when it is a `url:` location. Undefined when it
 * declares none; `{ invalid }` when the declared value names no repository.
 */
export function entityRepository(envelope: EntityEnvelope): DeclaredRepository | { invalid: string; field: FieldPath } | undefined {
  const sourceCode = isObject(envelope.spec.sourceCode) ? envelope.spec.sourceCode : undefined;
  const codeUrl = str(sourceCode?.url);
  if (sourceCode && codeUrl) {
    const field: FieldPath = ['spec', 'sourceCode', 'url'];
    const repository = parseRepositoryUrl(codeUrl, {
      provider: str(sourceCode.provider),
      branch: str(sourceCode.branch),
      subdirectory: str(sourceCode.monoReposubDirectoryPath),
    });
    return repository ? { repository, field } : { invalid: codeUrl, field };
  }
  const location = str(envelope.metadata.annotations?.[SOURCE_LOCATION_ANNOTATION]);
  // Other location types (`file:`, `dir:`) name no repository on a server.
  if (!location?.startsWith('url:')) return undefined;
  const field: FieldPath = ['metadata', 'annotations', SOURCE_LOCATION_ANNOTATION];
  const url = location.slice('url:'.length).trim();
  const repository = parseRepositoryUrl(url);
  return repository ? { repository, field } : { invalid: url, field };
}

/**
 * DESIGN.md: Implicit repository target, in the entity's own scope. An account-level entity has
 * no project, so its implicit target is the account-level target of that name.
 */
function implicitRepositoryLink(entity: LinkingEntity, problems: CatalogProblem[]): TargetLinkSpec | undefined {
  const declared = entityRepository(entity.envelope);
  if (!declared) return undefined;
  if ('invalid' in declared) {
    problems.push({
      level: 'warning',
      message: `The repository URL ${JSON.stringify(declared.invalid)} does not name a repository (expected an address such as https://github.com/acme/payments), so the entity has no implicit repository target.`,
      ...entity.place(declared.field),
    });
    return undefined;
  }
  return { name: declared.repository.name, scope: entity.scope, origin: 'source-url', problems: [] };
}
