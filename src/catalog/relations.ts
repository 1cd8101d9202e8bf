import {
  parseEntityRef,
  RELATION_API_CONSUMED_BY,
  RELATION_API_PROVIDED_BY,
  RELATION_CHILD_OF,
  RELATION_CONSUMES_API,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_HAS_MEMBER,
  RELATION_HAS_PART,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PARENT_OF,
  RELATION_PART_OF,
  RELATION_PROVIDES_API,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { CatalogEntity, CatalogProblem, EntityEnvelope, EntityReference, FieldPath, ProblemPlace } from './entity.js';
import { formatFieldPath } from './entity.js';
import { sentence } from './yaml-source.js';

/** A spec field that refers to other entities, and the kind a short reference in it means. */
interface RelationField {
  field: string;
  relation: string;
  /** Absent: the reference must name its kind (`resource:artists-db`), as Backstage requires. */
  defaultKind?: string;
}

const owner: RelationField = { field: 'owner', relation: RELATION_OWNED_BY, defaultKind: 'Group' };
const system: RelationField = { field: 'system', relation: RELATION_PART_OF, defaultKind: 'System' };
const dependsOn: RelationField = { field: 'dependsOn', relation: RELATION_DEPENDS_ON };
const dependencyOf: RelationField = { field: 'dependencyOf', relation: RELATION_DEPENDENCY_OF };

/** The relation fields of each kind, as Backstage's catalog model declares them (by lower-case kind). */
const RELATION_FIELDS: Record<string, RelationField[]> = {
  component: [
    owner,
    { field: 'subcomponentOf', relation: RELATION_PART_OF, defaultKind: 'Component' },
    { field: 'providesApis', relation: RELATION_PROVIDES_API, defaultKind: 'API' },
    { field: 'consumesApis', relation: RELATION_CONSUMES_API, defaultKind: 'API' },
    dependsOn,
    dependencyOf,
    system,
  ],
  api: [owner, system],
  resource: [owner, dependsOn, dependencyOf, system],
  system: [owner, { field: 'domain', relation: RELATION_PART_OF, defaultKind: 'Domain' }],
  domain: [owner, { field: 'subdomainOf', relation: RELATION_PART_OF, defaultKind: 'Domain' }],
  group: [
    { field: 'parent', relation: RELATION_CHILD_OF, defaultKind: 'Group' },
    { field: 'children', relation: RELATION_PARENT_OF, defaultKind: 'Group' },
    { field: 'members', relation: RELATION_HAS_MEMBER, defaultKind: 'User' },
  ],
  user: [{ field: 'memberOf', relation: RELATION_MEMBER_OF, defaultKind: 'Group' }],
  location: [],
};

/** Kinds Backstage does not define (Template, Environment …) still have an owner and a system. */
const GENERIC_FIELDS: RelationField[] = [owner, system];

/** Each relation and its reverse, both ways. */
export const REVERSE_RELATION: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(
    (
      [
        [RELATION_OWNED_BY, RELATION_OWNER_OF],
        [RELATION_PART_OF, RELATION_HAS_PART],
        [RELATION_DEPENDS_ON, RELATION_DEPENDENCY_OF],
        [RELATION_PROVIDES_API, RELATION_API_PROVIDED_BY],
        [RELATION_CONSUMES_API, RELATION_API_CONSUMED_BY],
        [RELATION_MEMBER_OF, RELATION_HAS_MEMBER],
        [RELATION_PARENT_OF, RELATION_CHILD_OF],
      ] as const
    ).flatMap(([a, b]) => [
      [a, b],
      [b, a],
    ]),
  ),
);

/**
 * The references an entity makes in its spec, with short references completed by Backstage's
 * rules: the field's default kind, and the entity's own namespace.
 */
export function entityReferences(
  envelope: EntityEnvelope,
  place: (path: FieldPath) => ProblemPlace,
): { references: EntityReference[]; problems: CatalogProblem[] } {
  const references: EntityReference[] = [];
  const problems: CatalogProblem[] = [];
  const fields = RELATION_FIELDS[envelope.kind.toLowerCase()] ?? GENERIC_FIELDS;
  for (const { field, relation, defaultKind } of fields) {
    const value = envelope.spec[field];
    if (value === undefined || value === null) continue;
    const items: Array<[unknown, FieldPath]> = Array.isArray(value)
      ? value.map((item, i) => [item, ['spec', field, i]])
      : [[value, ['spec', field]]];
    for (const [item, path] of items) {
      const at = place(path);
      const read = readReference(item, formatFieldPath(path), defaultKind, envelope.metadata.namespace);
      if ('error' in read) problems.push({ level: 'error', message: read.error, ...at });
      else references.push({ relation, target: read.ref, field: formatFieldPath(path), ...positionOf(at) });
    }
  }
  return { references, problems };
}

function positionOf(place: ProblemPlace): { line?: number; column?: number } {
  return {
    ...(place.line !== undefined ? { line: place.line } : {}),
    ...(place.column !== undefined ? { column: place.column } : {}),
  };
}

function readReference(value: unknown, field: string, defaultKind: string | undefined, namespace: string): { ref: string } | { error: string } {
  if (typeof value !== 'string' || value.trim() === '') {
    return { error: `${field} is ${JSON.stringify(value)}, which is not an entity reference: expected text such as "group:default/team-a".` };
  }
  try {
    const parsed = parseEntityRef(value.trim(), { defaultNamespace: namespace, ...(defaultKind ? { defaultKind } : {}) });
    return { ref: stringifyEntityRef(parsed) };
  } catch (error) {
    if (!defaultKind && !value.includes(':')) {
      return { error: `${field} refers to ${JSON.stringify(value)} without a kind: this field can point at several kinds, so write one, such as "component:${value}".` };
    }
    return { error: `${field} holds ${JSON.stringify(value)}, which is not an entity reference: ${sentence(error instanceof Error ? error.message : String(error))}` };
  }
}

/** One relation between two entities. Every relation is listed from both sides. */
export interface CatalogRelation {
  source: string;
  type: string;
  target: string;
  /** The side that names no entity in the catalog: kept, so the reference is not lost, and flagged. */
  missing?: 'source' | 'target';
}

export interface EntityProblem {
  ref: string;
  problem: CatalogProblem;
}

/**
 * Relations both ways over a whole entity set. A reference to an entity that is not in the set
 * is kept, marked missing, and reported as a warning on the entity that makes it; running this
 * again after more entities arrive clears the mark.
 */
export function relateEntities(
  entities: ReadonlyArray<Pick<CatalogEntity, 'ref' | 'references' | 'source'>>,
): { relations: CatalogRelation[]; problems: EntityProblem[] } {
  const known = new Set(entities.map((e) => e.ref));
  const relations = new Map<string, CatalogRelation>();
  const problems: EntityProblem[] = [];
  const add = (relation: CatalogRelation) => {
    const key = `${relation.source} ${relation.type} ${relation.target}`;
    if (!relations.has(key)) relations.set(key, relation);
  };
  for (const entity of entities) {
    for (const reference of entity.references) {
      const present = known.has(reference.target);
      add({ source: entity.ref, type: reference.relation, target: reference.target, ...(present ? {} : { missing: 'target' as const }) });
      add({
        source: reference.target,
        type: REVERSE_RELATION[reference.relation] ?? reference.relation,
        target: entity.ref,
        ...(present ? {} : { missing: 'source' as const }),
      });
      if (!present) {
        problems.push({
          ref: entity.ref,
          problem: {
            level: 'warning',
            message: `${reference.field} refers to ${reference.target}, which is not in the catalog; the relation is kept and marked missing.`,
            file: entity.source.file,
            document: entity.source.document,
            field: reference.field,
            ...(reference.line !== undefined ? { line: reference.line, column: reference.column } : {}),
          },
        });
      }
    }
  }
  return { relations: [...relations.values()], problems };
}
