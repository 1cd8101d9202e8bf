import type { Kysely } from 'kysely';
import { covers, type Grant, roleAllows } from '../access/roles.js';
import { OWNER_CHANNEL_ANNOTATIONS } from '../catalog/annotation-names.js';
import { batches } from '../store/batches.js';
import type { Database } from '../store/schema.js';
import { isEmailAddress } from './notification.js';

type Db = Kysely<Database>;

/** Whom an event about entities reaches: the owners' addresses and the channels they name. */
export interface Contacts {
  emails: string[];
  channels: string[];
}

const none = (): Contacts => ({ emails: [], channels: [] });

/**
 * The contacts of owners, by lower-cased ref, as the catalog describes them: an owner Group's or
 * User's `spec.profile.email`, and the configured channels its annotations (lantern.io/slack-channel,
 * lantern.io/teams-channel, lantern.io/notification-channel) name. An owner not in the catalog has none.
 */
export async function ownerContacts(db: Db, ownerRefs: readonly string[]): Promise<Map<string, Contacts>> {
  const out = new Map<string, Contacts>();
  const keys = [...new Set(ownerRefs.map((r) => r.toLowerCase()))];
  for (const batch of batches(keys)) {
    for (const row of await db.selectFrom('entities').select(['ref_key', 'envelope']).where('ref_key', 'in', batch).execute()) {
      out.set(row.ref_key, contactsOf(JSON.parse(row.envelope) as Envelope));
    }
  }
  return out;
}

interface Envelope {
  metadata?: { annotations?: Record<string, unknown> };
  spec?: { profile?: { email?: unknown } };
}

function contactsOf(envelope: Envelope): Contacts {
  const contacts = none();
  const email = envelope.spec?.profile?.email;
  if (typeof email === 'string' && isEmailAddress(email.trim())) contacts.emails.push(email.trim());
  for (const name of OWNER_CHANNEL_ANNOTATIONS) {
    const value = envelope.metadata?.annotations?.[name];
    if (typeof value !== 'string') continue;
    for (const channel of value.split(',').map((c) => c.trim()).filter((c) => c !== '')) if (!contacts.channels.includes(channel)) contacts.channels.push(channel);
  }
  return contacts;
}

/** The union of several owners' contacts. */
export function mergeContacts(list: readonly (Contacts | undefined)[]): Contacts {
  return { emails: [...new Set(list.flatMap((c) => c?.emails ?? []))], channels: [...new Set(list.flatMap((c) => c?.channels ?? []))] };
}

/**
 * The address of a signed-in person by principal id (`user:<subject>`), from their latest
 * session; tokens and people who never signed in (or whose sessions were cleared) have none.
 */
export async function personEmails(db: Db, principalIds: readonly (string | null)[]): Promise<string[]> {
  const subjects = [...new Set(principalIds.filter((id): id is string => id?.startsWith('user:') === true).map((id) => id.slice('user:'.length)))];
  if (subjects.length === 0) return [];
  const rows = await db.selectFrom('sessions').select(['subject', 'email']).where('subject', 'in', subjects).where('email', 'is not', null).orderBy('created_at', 'desc').execute();
  return [...new Set(rows.map((r) => r.email as string).filter(isEmailAddress))];
}

/**
 * The addresses of the people who may decide exemptions at `scope` (security or admin there), as
 * their latest sessions granted it: people who signed in since sessions were last cleared.
 */
export async function approverEmails(db: Db, scope: string): Promise<string[]> {
  const rows = await db.selectFrom('sessions').select(['subject', 'email', 'grants', 'created_at']).where('email', 'is not', null).orderBy('created_at', 'desc').execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) if (!latest.has(row.subject)) latest.set(row.subject, row);
  const emails: string[] = [];
  for (const row of latest.values()) {
    const grants = JSON.parse(row.grants) as Grant[];
    if (grants.some((g) => roleAllows(g.role, 'decide-exemption') && covers(g.scope, scope)) && isEmailAddress(row.email as string)) emails.push(row.email as string);
  }
  return [...new Set(emails)];
}
