import { entityPath } from '../api/client.js';
import type { EntityName } from '../routing/routes.js';

/** The API requests behind an entity's page. */

export function entityEnvelopePath(entity: EntityName): string {
  return `/api/catalog/entities/by-name/${entityPath(entity.kind, entity.namespace, entity.name)}`;
}

export function summaryPath(entity: EntityName): string {
  return `/api/insights/entities/${entityPath(entity.kind, entity.namespace, entity.name)}/summary`;
}

export function entityScorecardsPath(entity: EntityName): string {
  return `/api/insights/entities/${entityPath(entity.kind, entity.namespace, entity.name)}/scorecards`;
}
