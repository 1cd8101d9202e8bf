import type { Entity } from '../api/types.js';
import { safeHref } from '../security/identifiers.js';

/** What the entity page reads from a catalog entity envelope (docs/catalog.md). */

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** The repository the entity's code lives in: `spec.sourceCode.url` (harness.io/v1), else the `backstage.io/source-location` annotation. */
export function sourceRepositoryUrl(entity: Entity): string | null {
  const sourceCode = entity.spec?.sourceCode;
  const fromSpec = typeof sourceCode === 'object' && sourceCode !== null ? text((sourceCode as { url?: unknown }).url) : null;
  const annotation = text(entity.metadata?.annotations?.['backstage.io/source-location']);
  const fromAnnotation = annotation ? annotation.replace(/^url:/, '') : null;
  return safeHref(fromSpec ?? fromAnnotation);
}

/** The scope the entity lives in: `account` or `ORG.PROJECT`. */
export function entityScope(entity: Entity): string | null {
  return text(entity.metadata?.annotations?.['lantern.io/scope']);
}

/** The full ref of a relation's other side (`group:default/team-a`), or the spec field as written. */
export function relationRef(entity: Entity, relation: string, specField: string): string | null {
  const found = entity.relations?.find((r) => r.type === relation);
  if (found) return found.targetRef;
  return text(entity.spec?.[specField]);
}

/**
 * The system or domain the entity is part of. Both are `partOf` relations (a component is part of
 * a system, a system part of a domain), so the relation is told apart by the kind it points to.
 */
export function partOfRef(entity: Entity, kind: 'system' | 'domain'): string | null {
  const found = entity.relations?.find((r) => r.type === 'partOf' && r.targetRef.toLowerCase().startsWith(`${kind}:`));
  if (found) return found.targetRef;
  return text(entity.spec?.[kind]);
}

export function specText(entity: Entity, field: string): string | null {
  return text(entity.spec?.[field]);
}

/** Problems the catalog found reading the entity (a missing owner, a bad annotation entry). */
export function catalogProblems(entity: Entity): Array<{ level: string; message: string }> {
  return (entity.status?.items ?? []).filter((i) => i.type === 'lantern.io/catalog-problem').map((i) => ({ level: i.level, message: i.message }));
}

/** The entity's own links (`metadata.links`) that are safe to follow. */
export function entityLinks(entity: Entity): Array<{ url: string; title: string }> {
  return (entity.metadata?.links ?? []).flatMap((link) => {
    const url = safeHref(link.url);
    return url ? [{ url, title: text(link.title) ?? url }] : [];
  });
}
