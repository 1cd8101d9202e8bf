import type { Grant } from './roles.js';

/** A configured grant: a role at a scope, given to everyone in a group or to one person (by email or subject). */
export type GrantRule = Grant & ({ group: string } | { user: string });

/** Who signed in, as the identity provider describes them. */
export interface SignedInIdentity {
  subject: string;
  email: string | null;
  groups: readonly string[];
}

/**
 * The grants a person holds: every rule naming one of their groups, their email (compared without
 * regard to case, as providers differ in how they spell it) or their subject. No rule, no grant.
 */
export function grantsFor(rules: readonly GrantRule[], person: SignedInIdentity): Grant[] {
  const email = person.email?.toLowerCase();
  const grants: Grant[] = [];
  for (const rule of rules) {
    const applies = 'group' in rule ? person.groups.includes(rule.group) : rule.user === person.subject || (email !== undefined && rule.user.toLowerCase() === email);
    if (applies && !grants.some((g) => g.role === rule.role && g.scope === rule.scope)) grants.push({ role: rule.role, scope: rule.scope });
  }
  return grants;
}
