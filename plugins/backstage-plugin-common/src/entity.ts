/**
 * How a Backstage entity maps to Lantern, written against the plain shape of an entity so that the
 * frontend, the backend and the Tech Insights module share it without loading Backstage.
 */

export const TEST_TARGET_ANNOTATION = 'harness.io/sto-test-target';
export const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

/** The part of a Backstage entity Lantern reads. */
export interface EntityLike {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: unknown;
}

/** An entity's name in Lantern: the same kind, namespace and name as in Backstage. */
export interface LanternEntityName {
  kind: string;
  namespace: string;
  name: string;
}

export function lanternEntityName(entity: EntityLike): LanternEntityName {
  return { kind: entity.kind.toLowerCase(), namespace: (entity.metadata.namespace || 'default').toLowerCase(), name: entity.metadata.name };
}

/** `kind:namespace/name`, as Backstage's stringifyEntityRef prints it. */
export function entityRefOf(name: LanternEntityName): string {
  return `${name.kind}:${name.namespace}/${name.name}`;
}

/** The path of an entity under Lantern's `/api/insights` and the backend plugin's base URL. */
export function entityPath(name: LanternEntityName): string {
  return `/entities/${encodeURIComponent(name.kind)}/${encodeURIComponent(name.namespace)}/${encodeURIComponent(name.name)}`;
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function sourceCodeUrl(spec: unknown): unknown {
  if (typeof spec !== 'object' || spec === null) return undefined;
  const sourceCode = (spec as { sourceCode?: unknown }).sourceCode;
  if (typeof sourceCode === 'string') return sourceCode;
  if (typeof sourceCode !== 'object' || sourceCode === null) return undefined;
  return (sourceCode as { url?: unknown }).url;
}

/**
 * Whether Lantern can link the entity to scanned targets: it names test targets
 * (`harness.io/sto-test-target`) or a repository (`spec.sourceCode.url`, `backstage.io/source-location`).
 * The card, the Security tab and the column show only for these entities.
 */
export function isLanternAvailable(entity: EntityLike): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return nonEmpty(annotations[TEST_TARGET_ANNOTATION]) || nonEmpty(annotations[SOURCE_LOCATION_ANNOTATION]) || nonEmpty(sourceCodeUrl(entity.spec));
}

const SEGMENT = /^[^/\s]{1,253}$/;

/** The entity name in a path's kind, namespace and name segments, or a sentence saying what is wrong. */
export function parseEntityName(kind: string, namespace: string, name: string): LanternEntityName | string {
  for (const [field, value] of [['kind', kind], ['namespace', namespace], ['name', name]] as const) {
    if (!SEGMENT.test(value)) return `Invalid entity ${field} ${JSON.stringify(value)}: expected 1 to 253 characters without "/" or spaces.`;
  }
  return { kind: kind.toLowerCase(), namespace: namespace.toLowerCase(), name };
}
