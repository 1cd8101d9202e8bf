import type { Scope } from '../domain/scope.js';

/** Which file format an entity was written in. Both become the same CatalogEntity. */
export type EntityFormat = 'backstage' | 'harness';

/** One problem found while reading the catalog, with where it is. */
export interface CatalogProblem {
  /** An error drops what it is about (a document, an annotation entry); a warning only informs. */
  level: 'error' | 'warning';
  /** One whole sentence that quotes the offending value and says what was expected. */
  message: string;
  /** Absolute path or URL of the file the problem is in. */
  file: string;
  /** 1-based index of the YAML document within the file. */
  document?: number;
  /** 1-based line and column in the file. */
  line?: number;
  column?: number;
  /** Dotted path of the field (`spec.owner`, `metadata.tags[1]`). */
  field?: string;
  /**
   * Set on the two problems a refresh treats apart: a file that could not be read (its entities
   * from the last good read are kept) and an entity another location already defines.
   */
  code?: 'unreadable' | 'conflict';
}

/** Where in a file something was found: what CatalogProblem needs besides the sentence. */
export type ProblemPlace = Omit<CatalogProblem, 'level' | 'message'>;

/** The Backstage entity envelope: what the Backstage-compatible API serves for every entity. */
export interface EntityEnvelope {
  apiVersion: string;
  kind: string;
  metadata: EntityMetadata;
  spec: Record<string, unknown>;
}

export interface EntityMetadata {
  name: string;
  namespace: string;
  title?: string;
  description?: string;
  labels?: Record<string, string>;
  /**
   * Values are strings, except `harness.io/sto-test-target`, which may hold a list as written.
   * Unresolved `$text`/`$json`/`$yaml` placeholders stay in place anywhere in the envelope.
   */
  annotations?: Record<string, unknown>;
  tags?: string[];
  links?: Array<{ url: string; title?: string; icon?: string; type?: string }>;
  [field: string]: unknown;
}

/** Where an entity was read from. */
export interface EntitySource {
  /** The registered location the entity was reached from (absolute path, glob or URL). */
  location: string;
  /** Absolute path or URL of the file that holds the entity. */
  file: string;
  /** 1-based index of the entity's YAML document within that file. */
  document: number;
  /** 1-based line where the document's content starts. */
  line: number;
}

/** A reference from one entity to another, as written in one field (`spec.owner: team-a`). */
export interface EntityReference {
  /** Backstage relation name from the referring entity's side: ownedBy, partOf, dependsOn … */
  relation: string;
  /** The canonical ref of the entity referred to (`group:default/team-a`). */
  target: string;
  field: string;
  line?: number;
  column?: number;
}

/**
 * One `harness.io/sto-test-target` entry or the implicit repository target of an entity: which
 * target (by name, in which scope) and which variant it wants. Matching it against stored
 * targets is matching.ts's job.
 */
export interface TargetLinkSpec {
  name: string;
  scope: Scope;
  /** Absent: the target's baseline. */
  variant?: string;
  origin: 'annotation' | 'source-url';
  /** 0-based position of the entry in the annotation list (annotation links only). */
  entry?: number;
  /** Warnings about this entry (unknown keys); also listed in the entity's problems. */
  problems: CatalogProblem[];
}

/** An entity as the catalog holds it, whichever format it was written in. */
export interface CatalogEntity {
  /** `kind:namespace/name`, lower case, printed by @backstage/catalog-model's stringifyEntityRef. */
  ref: string;
  /** Kind, namespace and name as written. */
  kind: string;
  namespace: string;
  name: string;
  format: EntityFormat;
  scope: Scope;
  entity: EntityEnvelope;
  source: EntitySource;
  /** References to other entities; relations.ts turns them into relations both ways. */
  references: EntityReference[];
  linkSpecs: TargetLinkSpec[];
  /** Problems that did not stop the entity from loading (errors on single entries, warnings). */
  problems: CatalogProblem[];
}

/** A field path as code holds it: keys and 0-based list indexes. */
export type FieldPath = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `spec.providesApis[1]`, `metadata.annotations["harness.io/sto-test-target"][0].name`. */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (PLAIN_KEY.test(part)) text += text === '' ? part : `.${part}`;
    else text += `[${JSON.stringify(part)}]`;
  }
  return text;
}

/** One line for a terminal: `file:line:column: document N: error: message (field)`. */
export function formatProblem(problem: CatalogProblem): string {
  const where = [problem.file, problem.line, problem.line !== undefined ? problem.column : undefined]
    .filter((part) => part !== undefined)
    .join(':');
  const document = problem.document !== undefined ? ` document ${problem.document}:` : '';
  const field = problem.field ? ` (field ${problem.field})` : '';
  return `${where}:${document} ${problem.level}: ${problem.message}${field}`;
}

/**
 * Keeps the entities read from one file or page whose refs are not defined yet, in `defined` and
 * `kept`; a second definition of a ref is a conflict problem in `problems`, and the first stays.
 */
export function admitEntities(read: CatalogEntity[], defined: Map<string, EntitySource>, kept: CatalogEntity[], problems: CatalogProblem[]): string[] {
  const admitted: string[] = [];
  for (const entity of read) {
    const first = defined.get(entity.ref);
    if (first) {
      problems.push(conflictProblem(entity, first));
      continue;
    }
    defined.set(entity.ref, entity.source);
    kept.push(entity);
    admitted.push(entity.ref);
  }
  return admitted;
}

/** The problem reported on a second definition of an entity ref; the first stays. */
export function conflictProblem(entity: CatalogEntity, first: EntitySource): CatalogProblem {
  const where = `${first.file}, document ${first.document}${first.location !== entity.source.location ? ` (location ${first.location})` : ''}`;
  return {
    level: 'error',
    message: `The entity ${entity.ref} is already defined in ${where}; this second definition is ignored and the first is kept.`,
    file: entity.source.file,
    document: entity.source.document,
    line: entity.source.line,
    code: 'conflict',
  };
}
