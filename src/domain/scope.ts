import { InputError } from './errors.js';

/**
 * Where a target or entity lives in the account / org / project hierarchy. One deployment is one
 * account; `account` is the account level itself, anything else is one project of one org.
 */
export type Scope = { level: 'account' } | { level: 'project'; org: string; project: string };

export const ACCOUNT_SCOPE: Scope = Object.freeze({ level: 'account' });
export const DEFAULT_ORG = 'default';
export const DEFAULT_PROJECT_SCOPE: Scope = Object.freeze({ level: 'project', org: DEFAULT_ORG, project: 'default' });

const IDENTIFIER = /^[A-Za-z0-9_$-]+$/;

/** Org and project identifiers: letters, digits, `_`, `-`, `$`; never `.` (the separator). */
export function isIdentifier(value: string): boolean {
  return IDENTIFIER.test(value);
}

export const SCOPE_FORMS = '`account`, `ORG.PROJECT` or `account.ORG.PROJECT`';

/**
 * Reads an absolute scope as the CLI and API take it: `account`, `ORG.PROJECT` or
 * `account.ORG.PROJECT`. Annotation scopes, which are relative to an entity, are read by the catalog.
 */
export function parseScope(text: string, what = 'scope'): Scope {
  const parts = text.trim().split('.');
  if (parts.length === 1 && parts[0] === 'account') return ACCOUNT_SCOPE;
  const [org, project] = parts.length === 3 && parts[0] === 'account' ? parts.slice(1) : parts;
  if ((parts.length === 2 || (parts.length === 3 && parts[0] === 'account')) && org && project) {
    // `account` is reserved for the account level, so `account.X` is never read as org "account".
    if (isIdentifier(org) && isIdentifier(project) && org !== 'account') return { level: 'project', org, project };
  }
  throw new InputError(
    `Invalid ${what} ${JSON.stringify(text)}: expected ${SCOPE_FORMS}, where ORG and PROJECT use only letters, digits, '_', '-' and '$'.`,
  );
}

/** `account` or `ORG.PROJECT`: the one printed form of a scope, used as a storage key too. */
export function formatScope(scope: Scope): string {
  return scope.level === 'account' ? 'account' : `${scope.org}.${scope.project}`;
}

export function sameScope(a: Scope, b: Scope): boolean {
  return formatScope(a) === formatScope(b);
}
