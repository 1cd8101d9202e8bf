import { InputError } from '../domain/errors.js';
import { isIdentifier } from '../domain/scope.js';

/**
 * Least-privilege roles, each granted at a scope of the account / org / project hierarchy. A grant
 * covers its scope and everything below it. `ingester` is apart from the reading roles: a CI token
 * uploads and reads nothing.
 */
export const ROLES = ['viewer', 'ingester', 'developer', 'security', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route or command does, in the words a permission check needs. */
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

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function parseRole(value: string, what = 'role'): Role {
  const role = value.trim().toLowerCase();
  if (!isRole(role)) throw new InputError(`Invalid ${what} ${JSON.stringify(value)}: expected one of ${ROLES.join(', ')}.`);
  return role;
}

export function roleAllows(role: Role, action: Action): boolean {
  return ROLE_ACTIONS[role].includes(action);
}

/** The least role that allows `action`, for messages and the OpenAPI document. */
export function leastRoleFor(action: Action): Role {
  return ROLES.find((role) => roleAllows(role, action)) as Role;
}

/**
 * A grant's scope: `account`, an org `O`, or a project `O.P` (also written `account.O.P`). Objects
 * live at `account`, at a project `O.P`, or (org-level exemptions) at an org `O`.
 */
export function parseGrantScope(text: string, what = 'scope'): string {
  const trimmed = text.trim();
  if (trimmed === 'account') return 'account';
  const parts = trimmed.split('.');
  const rest = parts[0] === 'account' ? parts.slice(1) : parts;
  if ((rest.length === 1 || rest.length === 2) && rest.every((p) => isIdentifier(p)) && rest[0] !== 'account') return rest.join('.');
  throw new InputError(`Invalid ${what} ${JSON.stringify(text)}: expected account, an org ORG or a project ORG.PROJECT (letters, digits, '_', '-', '$').`);
}

/** Whether a grant at `grantScope` covers an object living at `objectScope`. */
export function covers(grantScope: string, objectScope: string): boolean {
  if (grantScope === 'account') return true;
  if (objectScope === 'account') return false;
  if (!grantScope.includes('.')) return objectScope === grantScope || objectScope.startsWith(`${grantScope}.`);
  return objectScope === grantScope;
}

export interface Grant {
  role: Role;
  scope: string;
}

/**
 * Which scopes a principal may read: everything, or the projects and whole orgs its grants name.
 * Queries turn it into a WHERE clause on a `scope` column (store/scope-filter.ts).
 */
export type ScopeFilter = { all: true } | { all: false; orgs: string[]; projects: string[] };

/** What one principal may do where: the union of its grants. */
export class Access {
  constructor(readonly grants: readonly Grant[]) {}

  /** Whether some grant allows `action` on an object at `scope`. */
  can(action: Action, scope: string): boolean {
    return this.grants.some((g) => roleAllows(g.role, action) && covers(g.scope, scope));
  }

  /** Whether some grant allows `action` anywhere (for routes that filter what they answer). */
  canSomewhere(action: Action): boolean {
    return this.grants.some((g) => roleAllows(g.role, action));
  }

  /** The scopes where `action` is allowed, as a filter. */
  filter(action: Action = 'read'): ScopeFilter {
    const scopes = this.grants.filter((g) => roleAllows(g.role, action)).map((g) => g.scope);
    if (scopes.includes('account')) return { all: true };
    const orgs = [...new Set(scopes.filter((s) => !s.includes('.')))].sort();
    const projects = [...new Set(scopes.filter((s) => s.includes('.') && !orgs.includes(s.split('.')[0] as string)))].sort();
    return { all: false, orgs, projects };
  }
}

/** Whether an object at `scope` passes a filter. */
export function inFilter(filter: ScopeFilter, scope: string): boolean {
  if (filter.all) return true;
  if (filter.projects.includes(scope)) return true;
  return filter.orgs.some((org) => scope === org || scope.startsWith(`${org}.`));
}

/** Who acts: a person signed in, an API token, the anonymous role, or the CLI on a local database. */
export interface Principal {
  kind: 'user' | 'token' | 'anonymous' | 'local';
  /** Stable id: `user:<subject>`, `token:<id>`, `anonymous`, `local:<os user>`. */
  id: string;
  /** What people read: an email, a token's name, the OS user. */
  name: string;
  access: Access;
}

/** The principal of the CLI working on a database file: whoever can open the file owns it. */
export function localPrincipal(user: string): Principal {
  return { kind: 'local', id: `local:${user}`, name: user, access: new Access([{ role: 'admin', scope: 'account' }]) };
}

/** A short text naming a principal in messages and the audit log. */
export function describePrincipal(principal: Principal): string {
  return principal.kind === 'anonymous' ? 'anonymous' : `${principal.name} (${principal.id})`;
}
