import type { Kysely } from 'kysely';
import { covers, type Grant, roleAllows } from '../access/roles.js';
import type { GrantRule } from '../access/sign-in-grants.js';
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
 * The relation a Group has to each of its members, from its `spec.members` and from its Users'
 * `spec.memberOf` (catalog-model's RELATION_HAS_MEMBER, written out: an ingest loads this module).
 */
const HAS_MEMBER = 'hasMember';

/**
 * The contacts of owners, by lower-cased ref, as the catalog describes them: an owner Group's or
 * User's `spec.profile.email`, and the configured channels its annotations (lantern.io/slack-channel,
 * lantern.io/teams-channel, lantern.io/notification-channel) name. A Group without an address of its
 * own is reached through its members: each User it has as a member (hasMember) that has one. An
 * owner not in the catalog has none.
 */
export async function ownerContacts(db: Db, ownerRefs: readonly string[]): Promise<Map<string, Contacts>> {
  const out = new Map<string, Contacts>();
  const silentGroups = new Map<number, Contacts>();
  const keys = [...new Set(ownerRefs.map((r) => r.toLowerCase()))];
  for (const batch of batches(keys)) {
    for (const row of await db.selectFrom('entities').select(['id', 'ref_key', 'kind', 'envelope']).where('ref_key', 'in', batch).execute()) {
      const contacts = contactsOf(JSON.parse(row.envelope) as Envelope);
      out.set(row.ref_key, contacts);
      if (contacts.emails.length === 0 && row.kind.toLowerCase() === 'group') silentGroups.set(row.id, contacts);
    }
  }
  for (const batch of batches([...silentGroups.keys()])) {
    const members = await db
      .selectFrom('entity_relations')
      .innerJoin('entities as member', 'member.ref_key', 'entity_relations.target_ref')
      .select(['entity_relations.entity_id as group_id', 'member.envelope'])
      .where('entity_relations.entity_id', 'in', batch)
      .where('entity_relations.type', '=', HAS_MEMBER)
      .where('member.ref_key', 'like', 'user:%')
      .orderBy('entity_relations.entity_id')
      .orderBy('member.ref_key')
      .execute();
    for (const member of members) {
      const email = emailOf(JSON.parse(member.envelope) as Envelope);
      const contacts = silentGroups.get(member.group_id);
      if (email !== undefined && contacts && !contacts.emails.includes(email)) contacts.emails.push(email);
    }
  }
  return out;
}

interface Envelope {
  metadata?: { annotations?: Record<string, unknown> };
  spec?: { profile?: { email?: unknown } };
}

function emailOf(envelope: Envelope): string | undefined {
  const email = envelope.spec?.profile?.email;
  return typeof email === 'string' && isEmailAddress(email.trim()) ? email.trim() : undefined;
}

function contactsOf(envelope: Envelope): Contacts {
  const contacts = none();
  const email = emailOf(envelope);
  if (email !== undefined) contacts.emails.push(email);
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
 * The addresses of the people who may decide exemptions at `scope` (security or admin there): those
 * the configuration's grants name by email with such a role (whether or not they ever signed in),
 * and those whose latest session granted it (people who signed in since sessions were last
 * cleared, whatever group gave them the role). Catalog Groups are not read: an identity provider's
 * group is not a catalog Group, and catalog files are written by the teams whose requests these are.
 */
export async function approverEmails(db: Db, scope: string, rules: readonly GrantRule[] = []): Promise<string[]> {
  const emails: string[] = [];
  for (const rule of rules) {
    if ('user' in rule && isEmailAddress(rule.user) && roleAllows(rule.role, 'decide-exemption') && covers(rule.scope, scope)) emails.push(rule.user.toLowerCase());
  }
  const rows = await db.selectFrom('sessions').select(['subject', 'email', 'grants', 'created_at']).where('email', 'is not', null).orderBy('created_at', 'desc').execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) if (!latest.has(row.subject)) latest.set(row.subject, row);
  for (const row of latest.values()) {
    const grants = JSON.parse(row.grants) as Grant[];
    if (grants.some((g) => roleAllows(g.role, 'decide-exemption') && covers(g.scope, scope)) && isEmailAddress(row.email as string)) emails.push(row.email as string);
  }
  // One per address, whatever its case: providers and configuration files spell addresses differently.
  return [...new Map(emails.map((e) => [e.toLowerCase(), e])).values()];
}
