import type { Kysely } from 'kysely';
import { indexTargets, missingTargetMessage, nameKeys } from '../catalog/matching.js';
import { NotFoundError } from '../domain/errors.js';
import type { Scope } from '../domain/scope.js';
import type { Database, TargetRow } from '../store/schema.js';
import { targetsForLinks } from '../store/target-links.js';
import { findTarget } from '../store/targets.js';

/**
 * The target named in this scope; when there is none, the error names the scopes where the name
 * exists, or the targets whose names look like it (a wrong --scope or a typo).
 */
export async function targetNamed(db: Kysely<Database>, scope: Scope, name: string): Promise<TargetRow> {
  const target = await findTarget(db, scope, name);
  if (target) return target;
  const { targets } = await targetsForLinks(db, [nameKeys(name, scope)]);
  throw new NotFoundError(missingTargetMessage(name, scope, indexTargets(targets)));
}
