import { userInfo } from 'node:os';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import { type Action, describePrincipal, leastRoleFor, localPrincipal, type Principal } from './roles.js';

/** Who makes a change and from where: what the audit log records and the permission checks read. */
export interface Actor {
  principal: Principal;
  /** The client's address for requests; null for the CLI. */
  clientAddress: string | null;
}

let local: Actor | undefined;

/** The CLI on a local database file: trusted, recorded as the operating-system user. */
export function localActor(): Actor {
  local ??= { principal: localPrincipal(osUser()), clientAddress: null };
  return local;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

const VERBS: Record<Action, string> = {
  read: 'read',
  ingest: 'upload scans',
  'request-exemption': 'request exemptions',
  'decide-exemption': 'approve or reject exemptions',
  'set-baseline': 'set baselines',
  'manage-catalog': 'manage catalog locations',
  'manage-scorecards': 'define or delete scorecards',
  'manage-access': 'manage tokens and grants',
  'read-audit': 'read the audit log',
};

/** The sentence a 403 carries: who was refused, and which role at which scope would do. */
export function forbidden(principal: Principal, action: Action, scope: string): ForbiddenError {
  return new ForbiddenError(`${describePrincipal(principal)} may not ${VERBS[action]} at ${scope}: this needs the ${leastRoleFor(action)} role (or above) at ${scope} or a scope above it.`);
}

/**
 * Refuses an action on an object at `scope`. An object the principal may not even read answers as
 * missing (`notFound`), so that ids and names outside its scopes do not leak.
 */
export function authorize(principal: Principal, action: Action, scope: string, notFound?: () => NotFoundError): void {
  if (principal.access.can(action, scope)) return;
  if (notFound && !principal.access.can('read', scope)) throw notFound();
  throw forbidden(principal, action, scope);
}
