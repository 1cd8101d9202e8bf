/**
 * The server's role model (src/access/roles.ts), mirrored: the UI offers only what the signed-in
 * principal may do. The API decides; this only hides what it would refuse. roles.test.ts checks
 * that both tables agree. A grant's role is text: a role this table does not know allows nothing.
 */

import type { Grant } from '../api/types.js';

export const ROLES = ['viewer', 'ingester', 'developer', 'security', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = [
  'read',
  'ingest',
  'request-exemption',
  'decide-exemption',
  'set-baseline',
  'manage-catalog',
  'manage-scorecards',
  'manage-access',
  'read-audit',
] as const;
export type Action = (typeof ACTIONS)[number];

const ROLE_ACTIONS: Record<Role, readonly Action[]> = {
  viewer: ['read'],
  ingester: ['ingest'],
  developer: ['read', 'request-exemption'],
  security: ['read', 'request-exemption', 'decide-exemption', 'set-baseline'],
  admin: ACTIONS,
};

export function roleAllows(role: string, action: Action): boolean {
  return (ROLE_ACTIONS as Record<string, readonly Action[] | undefined>)[role]?.includes(action) ?? false;
}

/** Whether a grant at `grantScope` (account, ORG or ORG.PROJECT) covers an object living at `objectScope`. */
export function covers(grantScope: string, objectScope: string): boolean {
  if (grantScope === 'account') return true;
  if (objectScope === 'account') return false;
  if (!grantScope.includes('.')) return objectScope === grantScope || objectScope.startsWith(`${grantScope}.`);
  return objectScope === grantScope;
}

/** Whether some grant allows `action` on an object at `scope`. */
export function can(grants: readonly Grant[], action: Action, scope: string): boolean {
  return grants.some((g) => roleAllows(g.role, action) && covers(g.scope, scope));
}

/** Whether some grant allows `action` at any scope (where the object's scope is chosen later, as an upload's). */
export function canSomewhere(grants: readonly Grant[], action: Action): boolean {
  return grants.some((g) => roleAllows(g.role, action));
}
