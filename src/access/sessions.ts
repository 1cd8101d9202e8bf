import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { deleteSession, insertSession, sessionByHash } from '../store/sessions.js';
import { Access, type Grant, type Principal } from './roles.js';

/** The cookie that carries a signed-in person's session id. */
export const SESSION_COOKIE = 'lantern_session';
/** How long a sign-in lasts. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SignedInPerson {
  /** The identity provider's `sub`, qualified by issuer when more than one could be configured. */
  subject: string;
  name: string;
  email: string | null;
  groups: string[];
  grants: Grant[];
}

function hashOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** Stores a session and returns the cookie value; only its hash is kept. */
export async function createSession(db: Kysely<Database>, person: SignedInPerson, now: number): Promise<{ id: string; expiresAt: string }> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now + SESSION_TTL_MS).toISOString();
  await insertSession(db, {
    hash: hashOf(id),
    subject: person.subject,
    name: person.name,
    email: person.email,
    groups: JSON.stringify(person.groups),
    grants: JSON.stringify(person.grants),
    created_at: new Date(now).toISOString(),
    expires_at: expiresAt,
  });
  return { id, expiresAt };
}

export function sessionPrincipal(person: Pick<SignedInPerson, 'subject' | 'name' | 'grants'>): Principal {
  return { kind: 'user', id: `user:${person.subject}`, name: person.name, access: new Access(person.grants) };
}

/** The principal of a session cookie, or undefined when it is unknown or expired. */
export async function resolveSession(db: Kysely<Database>, id: string, now: number): Promise<Principal | undefined> {
  if (id.length < 20 || id.length > 100) return undefined;
  const row = await sessionByHash(db, hashOf(id));
  if (!row || Date.parse(row.expires_at) <= now) return undefined;
  return sessionPrincipal({ subject: row.subject, name: row.name, grants: JSON.parse(row.grants) as Grant[] });
}

export async function endSession(db: Kysely<Database>, id: string): Promise<void> {
  await deleteSession(db, hashOf(id));
}
