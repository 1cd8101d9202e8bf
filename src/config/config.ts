import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseGrantScope, parseRole, type Grant } from '../access/roles.js';
import type { GrantRule } from '../access/sign-in-grants.js';
import { type CatalogProblem, type FieldPath, formatFieldPath } from '../catalog/entity.js';
import { readYamlStream } from '../catalog/yaml-source.js';
import { InputError } from '../domain/errors.js';
import type { GatePolicies } from '../insights/gate.js';
import type { SlaPolicies } from '../insights/sla.js';
import { DefinitionFields, describeValue } from '../scorecards/definition-fields.js';
import { SEVERITIES, type Severity } from '../domain/severity.js';
import {
  CHANNEL_TYPES,
  EVENTS_WITH_ENTITIES,
  EVENTS_WITH_SEVERITY,
  isEmailAddress,
  NOTIFICATION_EVENTS,
  type NotificationChannel,
  type NotificationConfig,
  type NotificationEvent,
  type NotificationRule,
  OWNER_CHANNEL,
  type WebChannel,
} from '../notifications/notification.js';
import { readGateConfig, readSlaConfig } from './sla-config.js';

/** Signing in through an OpenID Connect provider. The client secret comes from LANTERN_OIDC_CLIENT_SECRET, never from a file. */
export interface OidcConfig {
  /** The issuer URL; its `/.well-known/openid-configuration` describes the provider. */
  issuer: string;
  clientId: string;
  /** The callback URL registered at the provider; default: derived from each sign-in request. */
  redirectUrl?: string | undefined;
  /** The ID token claim that lists the person's groups. */
  groupsClaim: string;
  /** Scopes asked for; always includes openid. */
  scopes: string[];
}

/** What `lantern serve --config FILE` reads. */
export interface LanternConfig {
  oidc?: OidcConfig | undefined;
  grants: GrantRule[];
  anonymous?: Grant | undefined;
  allowSelfApproval?: boolean | undefined;
  notifications?: NotificationConfig | undefined;
  /** Days to fix per severity, per org/project (insights/sla.ts); the defaults when absent. */
  sla?: SlaPolicies | undefined;
  /** Named gate policies and the policy per org/project (insights/gate.ts); none when absent. */
  gate?: GatePolicies | undefined;
}

export const DEFAULT_GROUPS_CLAIM = 'groups';
export const DEFAULT_SCOPES = ['openid', 'profile', 'email'];

const TOP_FIELDS = ['oidc', 'grants', 'anonymous', 'allowSelfApproval', 'notifications', 'sla', 'gate'];
const CHANNEL_FIELDS = ['name', 'type', 'url', 'secretEnv', 'from', 'to', 'username', 'passwordEnv'];
const RULE_FIELDS = ['events', 'channel', 'scopes', 'severities', 'kinds'];
/** The catalog's kinds, lower case, as a rule's kinds filter names them. */
const ENTITY_KINDS = ['component', 'api', 'resource', 'system', 'domain', 'group', 'user', 'location'];
const OIDC_FIELDS = ['issuer', 'clientId', 'redirectUrl', 'groupsClaim', 'scopes'];
const GRANT_FIELDS = ['group', 'user', 'role', 'scope'];
const ANONYMOUS_FIELDS = ['role', 'scope'];
/** Every key in the file is checked, so a misspelt one is an error rather than silently ignored. */
const SECRET_FIELDS = ['clientSecret', 'client_secret', 'secret'];

/** Reads and checks a configuration file; problems carry the file, line and column. */
export async function readConfigFile(path: string): Promise<{ config?: LanternConfig; problems: CatalogProblem[] }> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : `it could not be read (${(error as Error).message})`;
    return { problems: [{ level: 'error', message: `The configuration file ${file} is not usable: ${reason}.`, file }] };
  }
  return parseConfig(text, file);
}

/** The text of a configuration file to a configuration, or the problems that stop it: pure. */
export function parseConfig(text: string, file: string): { config?: LanternConfig; problems: CatalogProblem[] } {
  const documents = readYamlStream(text.replace(/^\uFEFF/, ''));
  const problems: CatalogProblem[] = [];
  const [document, second] = documents;
  if (second) problems.push({ level: 'error', message: `The configuration file holds ${documents.length} YAML documents: expected one.`, file, ...second.start });
  if (document?.error) {
    const { message, line, column } = document.error;
    return { problems: [{ level: 'error', message, file, line, column }] };
  }
  const fields = new DefinitionFields();
  const config = readConfig(document?.value ?? {}, fields);
  for (const issue of fields.issues) {
    problems.push({ level: issue.level, message: issue.message, file, ...(document?.locate(issue.path) ?? { line: 1, column: 1 }), ...(issue.path.length > 0 ? { field: formatFieldPath(issue.path) } : {}) });
  }
  return problems.some((p) => p.level === 'error') ? { problems } : { config, problems };
}

function readConfig(value: unknown, fields: DefinitionFields): LanternConfig {
  const top = fields.mapping(value, [], 'configuration', TOP_FIELDS);
  if (!top) return { grants: [] };
  const config: LanternConfig = { grants: [] };
  if (top.oidc !== undefined && top.oidc !== null) config.oidc = readOidc(top.oidc, fields);
  if (top.grants !== undefined && top.grants !== null) {
    if (!Array.isArray(top.grants)) fields.error(['grants'], `The grants are ${describeValue(top.grants)}: expected a list of {group or user, role, scope}.`);
    else top.grants.forEach((item, i) => {
      const rule = readGrantRule(item, ['grants', i], fields);
      if (rule) config.grants.push(rule);
    });
  }
  if (top.anonymous !== undefined && top.anonymous !== null) {
    const anonymous = fields.mapping(top.anonymous, ['anonymous'], 'anonymous grant', ANONYMOUS_FIELDS);
    if (anonymous) {
      const role = roleOf(anonymous.role, ['anonymous', 'role'], fields);
      const scope = scopeOf(anonymous.scope ?? 'account', ['anonymous', 'scope'], fields);
      if (role && scope) config.anonymous = { role, scope };
    }
  }
  if (top.sla !== undefined && top.sla !== null) config.sla = readSlaConfig(top.sla, fields);
  if (top.gate !== undefined && top.gate !== null) config.gate = readGateConfig(top.gate, fields);
  if (top.allowSelfApproval !== undefined && top.allowSelfApproval !== null) {
    if (typeof top.allowSelfApproval !== 'boolean') fields.error(['allowSelfApproval'], `Invalid allowSelfApproval ${describeValue(top.allowSelfApproval)}: expected true or false.`);
    else config.allowSelfApproval = top.allowSelfApproval;
  }
  if (top.notifications !== undefined && top.notifications !== null) config.notifications = readNotifications(top.notifications, fields);
  return config;
}

/**
 * `notifications: {channels: [...], rules: [...], staleScanDays?}`; a channel's secret (webhook
 * signing secret, SMTP password) is named by an environment variable, never written here.
 */
function readNotifications(value: unknown, fields: DefinitionFields): NotificationConfig {
  const config: NotificationConfig = { channels: [], rules: [] };
  const section = fields.mapping(value, ['notifications'], 'notifications section', ['channels', 'rules', 'staleScanDays']);
  if (!section) return config;
  const list = (item: unknown, key: string, what: string): unknown[] => {
    if (item === undefined || item === null) return [];
    if (Array.isArray(item)) return item;
    fields.error(['notifications', key], `The ${key} are ${describeValue(item)}: expected a list of ${what}.`);
    return [];
  };
  if (section.staleScanDays !== undefined && section.staleScanDays !== null) {
    const days = section.staleScanDays;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650) fields.error(['notifications', 'staleScanDays'], `Invalid notifications.staleScanDays ${describeValue(days)}: expected a whole number of days from 1 to 3650.`);
    else config.staleScanDays = days;
  }
  list(section.channels, 'channels', '{name, type, url, ...}').forEach((item, i) => {
    const channel = readChannel(item, ['notifications', 'channels', i], fields);
    if (!channel) return;
    if (config.channels.some((c) => c.name === channel.name)) fields.error(['notifications', 'channels', i, 'name'], `Channel ${JSON.stringify(channel.name)} is defined twice: expected unique names.`);
    else config.channels.push(channel);
  });
  list(section.rules, 'rules', '{events, channel, scopes?, severities?, kinds?}').forEach((item, i) => {
    const rule = readRule(item, ['notifications', 'rules', i], config.channels, fields);
    if (rule) config.rules.push(rule);
  });
  return config;
}

function readChannel(item: unknown, path: FieldPath, fields: DefinitionFields): NotificationChannel | undefined {
  if (typeof item === 'object' && item !== null) {
    for (const key of ['secret', 'password'].filter((k) => k in item)) {
      const variable = key === 'secret' ? 'secretEnv' : 'passwordEnv';
      fields.error([...path, key], `${key === 'secret' ? 'A webhook secret' : 'An SMTP password'} is never written in the configuration file: remove ${key} and name the environment variable that holds it with ${variable}.`);
    }
  }
  const channel = fields.mapping(item, path, 'channel', [...CHANNEL_FIELDS, 'secret', 'password']);
  if (!channel) return undefined;
  const name = fields.text(channel.name, [...path, 'name'], 'channel name');
  if (name === OWNER_CHANNEL) fields.error([...path, 'name'], `A channel may not be named ${JSON.stringify(OWNER_CHANNEL)}: rules use it for the channels an entity's owner names.`);
  const type = fields.text(channel.type, [...path, 'type'], 'channel type');
  const known = type !== undefined && (CHANNEL_TYPES as readonly string[]).includes(type);
  if (type !== undefined && !known) fields.error([...path, 'type'], `Invalid channel type ${JSON.stringify(type)}: expected ${CHANNEL_TYPES.join(', ')}.`);
  const email = type === 'email';
  const url = fields.text(channel.url, [...path, 'url'], 'channel URL');
  const urlOk = url !== undefined && (email ? isSmtpUrl(url) : isWebUrl(url));
  if (url !== undefined && !urlOk) fields.error([...path, 'url'], email ? 'Invalid channel URL: expected smtp://HOST:PORT or smtps://HOST:PORT for an email channel (no user or password in it: use username and passwordEnv).' : 'Invalid channel URL: expected an absolute http(s) URL.');
  for (const key of email ? ['secretEnv'] : known ? ['from', 'to', 'username', 'passwordEnv'] : []) {
    if (channel[key] !== undefined) fields.error([...path, key], `A ${type} channel has no ${key}: ${email ? 'an email channel takes from, to, username and passwordEnv' : 'only an email channel takes from, to, username and passwordEnv'}.`);
  }
  if (!name || name === OWNER_CHANNEL || !known || !urlOk) return undefined;
  if (!email) {
    const secretEnv = channel.secretEnv === undefined ? undefined : fields.text(channel.secretEnv, [...path, 'secretEnv'], 'secret variable name');
    return { name, type: type as WebChannel['type'], url, ...(secretEnv ? { secretEnv } : {}) };
  }
  const from = fields.text(channel.from, [...path, 'from'], 'sender address (from)');
  if (from !== undefined && !isEmailAddress(from)) fields.error([...path, 'from'], `Invalid from ${JSON.stringify(from)}: expected one email address such as lantern@example.com.`);
  const to = channel.to === undefined ? undefined : fields.texts(channel.to, [...path, 'to'], 'recipient address');
  to?.forEach((address, j) => {
    if (!isEmailAddress(address)) fields.error([...path, 'to', j], `Invalid address ${JSON.stringify(address)} in to: expected an email address such as security@example.com.`);
  });
  const username = channel.username === undefined ? undefined : fields.text(channel.username, [...path, 'username'], 'SMTP user name');
  const passwordEnv = channel.passwordEnv === undefined ? undefined : fields.text(channel.passwordEnv, [...path, 'passwordEnv'], 'password variable name');
  if (from === undefined || !isEmailAddress(from) || (to && !to.every(isEmailAddress))) return undefined;
  return { name, type: 'email', url, from, ...(to ? { to } : {}), ...(username ? { username } : {}), ...(passwordEnv ? { passwordEnv } : {}) };
}

function readRule(item: unknown, path: FieldPath, channels: readonly NotificationChannel[], fields: DefinitionFields): NotificationRule | undefined {
  const rule = fields.mapping(item, path, 'rule', RULE_FIELDS);
  if (!rule) return undefined;
  const listed = fields.texts(rule.events, [...path, 'events'], 'event');
  for (const event of listed ?? []) {
    if (!(NOTIFICATION_EVENTS as readonly string[]).includes(event)) fields.error([...path, 'events'], `Invalid event ${JSON.stringify(event)}: expected ${NOTIFICATION_EVENTS.join(', ')}.`);
  }
  if (listed?.length === 0) fields.error([...path, 'events'], `The rule lists no events: expected some of ${NOTIFICATION_EVENTS.join(', ')}.`);
  const events = (listed ?? []).filter((e): e is NotificationEvent => (NOTIFICATION_EVENTS as readonly string[]).includes(e));
  const channel = fields.text(rule.channel, [...path, 'channel'], 'channel');
  if (channel !== undefined && channel !== OWNER_CHANNEL && !channels.some((c) => c.name === channel)) {
    fields.error([...path, 'channel'], `No channel named ${JSON.stringify(channel)}: expected one of the notifications.channels names, or ${OWNER_CHANNEL} for the channels an entity's owner names.`);
  }
  // A filter or the owner channel on an event that never carries what it needs would silently drop it.
  const without = (carrying: readonly NotificationEvent[]) => events.filter((e) => !carrying.includes(e));
  if (channel === OWNER_CHANNEL && without(EVENTS_WITH_ENTITIES).length > 0) {
    fields.error([...path, 'channel'], `The owner channel needs events about catalog entities (${EVENTS_WITH_ENTITIES.join(', ')}); ${without(EVENTS_WITH_ENTITIES).join(', ')} name no entity: route them to a named channel.`);
  }
  const scopes = rule.scopes === undefined ? undefined : fields.texts(rule.scopes, [...path, 'scopes'], 'scope')?.map((s, j) => scopeOf(s, [...path, 'scopes', j], fields));
  const severities = rule.severities === undefined ? undefined : fields.texts(rule.severities, [...path, 'severities'], 'severity');
  severities?.forEach((severity, j) => {
    if (!(SEVERITIES as readonly string[]).includes(severity)) fields.error([...path, 'severities', j], `Invalid severity ${JSON.stringify(severity)} in notifications.rules[${String(path[2])}].severities: expected ${SEVERITIES.join(', ')}.`);
  });
  if (severities && without(EVENTS_WITH_SEVERITY).length > 0) {
    fields.error([...path, 'severities'], `A severities filter needs events about issues (${EVENTS_WITH_SEVERITY.join(', ')}); ${without(EVENTS_WITH_SEVERITY).join(', ')} carry no severity and would never pass: give them a rule of their own.`);
  }
  const kinds = rule.kinds === undefined ? undefined : fields.texts(rule.kinds, [...path, 'kinds'], 'entity kind');
  kinds?.forEach((kind, j) => {
    if (!ENTITY_KINDS.includes(kind.toLowerCase())) fields.error([...path, 'kinds', j], `Invalid entity kind ${JSON.stringify(kind)} in notifications.rules[${String(path[2])}].kinds: expected ${ENTITY_KINDS.join(', ')}.`);
  });
  if (kinds && without(EVENTS_WITH_ENTITIES).length > 0) {
    fields.error([...path, 'kinds'], `A kinds filter needs events about catalog entities (${EVENTS_WITH_ENTITIES.join(', ')}); ${without(EVENTS_WITH_ENTITIES).join(', ')} name no entity and would never pass: give them a rule of their own.`);
  }
  if (events.length === 0 || channel === undefined) return undefined;
  return {
    events,
    channel,
    ...(scopes ? { scopes: scopes.filter((s): s is string => s !== undefined) } : {}),
    ...(severities ? { severities: severities.filter((s): s is Severity => (SEVERITIES as readonly string[]).includes(s)) } : {}),
    ...(kinds ? { kinds: kinds.map((k) => k.toLowerCase()) } : {}),
  };
}

function readOidc(value: unknown, fields: DefinitionFields): OidcConfig | undefined {
  if (typeof value === 'object' && value !== null) {
    for (const key of SECRET_FIELDS.filter((k) => k in value)) {
      fields.error(['oidc', key], `The client secret is never written in the configuration file: remove ${key} and set the environment variable LANTERN_OIDC_CLIENT_SECRET.`);
    }
  }
  const oidc = fields.mapping(value, ['oidc'], 'oidc section', [...OIDC_FIELDS, ...SECRET_FIELDS]);
  if (!oidc) return undefined;
  const issuer = fields.text(oidc.issuer, ['oidc', 'issuer'], 'OpenID Connect issuer');
  if (issuer !== undefined) {
    const problem = issuerProblem(issuer);
    if (problem) fields.error(['oidc', 'issuer'], problem);
  }
  const clientId = fields.text(oidc.clientId, ['oidc', 'clientId'], 'OpenID Connect client id');
  const redirectUrl = fields.text(oidc.redirectUrl, ['oidc', 'redirectUrl'], 'redirect URL', '') || undefined;
  if (redirectUrl !== undefined && !isWebUrl(redirectUrl)) fields.error(['oidc', 'redirectUrl'], `Invalid redirect URL ${JSON.stringify(redirectUrl)}: expected an absolute http(s) URL ending in /api/auth/callback.`);
  const groupsClaim = fields.text(oidc.groupsClaim, ['oidc', 'groupsClaim'], 'groups claim', DEFAULT_GROUPS_CLAIM) || DEFAULT_GROUPS_CLAIM;
  const scopes = fields.texts(oidc.scopes, ['oidc', 'scopes'], 'scope');
  if (!issuer || !clientId) return undefined;
  return { issuer, clientId, redirectUrl, groupsClaim, scopes: [...new Set(['openid', ...(scopes ?? DEFAULT_SCOPES)])] };
}

function readGrantRule(value: unknown, path: FieldPath, fields: DefinitionFields): GrantRule | undefined {
  const item = fields.mapping(value, path, 'grant', GRANT_FIELDS);
  if (!item) return undefined;
  const role = roleOf(item.role, [...path, 'role'], fields);
  const scope = item.scope === undefined ? fields.error([...path, 'scope'], 'The grant has no scope: expected account, an org ORG or a project ORG.PROJECT.') : scopeOf(item.scope, [...path, 'scope'], fields);
  if (item.group !== undefined && item.user !== undefined) return fields.error(path, 'The grant names both a group and a user: expected one of them.');
  if (item.group === undefined && item.user === undefined) return fields.error(path, 'The grant names neither a group nor a user: expected group (a name in the groups claim) or user (an email or subject).');
  const who = item.group !== undefined ? fields.text(item.group, [...path, 'group'], 'group') : fields.text(item.user, [...path, 'user'], 'user');
  if (!role || !scope || who === undefined) return undefined;
  return item.group !== undefined ? { group: who, role, scope } : { user: who, role, scope };
}

function roleOf(value: unknown, path: FieldPath, fields: DefinitionFields): Grant['role'] | undefined {
  if (value === undefined) return fields.error(path, 'The role is missing: expected viewer, ingester, developer, security or admin.');
  if (typeof value !== 'string') return fields.error(path, `Invalid role ${describeValue(value)}: expected viewer, ingester, developer, security or admin.`);
  return fromInput(() => parseRole(value), path, fields);
}

function scopeOf(value: unknown, path: FieldPath, fields: DefinitionFields): string | undefined {
  if (typeof value !== 'string') return fields.error(path, `Invalid scope ${describeValue(value)}: expected account, an org ORG or a project ORG.PROJECT.`);
  return fromInput(() => parseGrantScope(value), path, fields);
}

function fromInput<T>(parse: () => T, path: FieldPath, fields: DefinitionFields): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputError) return fields.error(path, error.message);
    throw error;
  }
}

/** smtp:// or smtps:// with a host and nothing else: credentials come from username and passwordEnv. */
function isSmtpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return ['smtp:', 'smtps:'].includes(url.protocol) && url.hostname !== '' && url.username === '' && url.password === '' && (url.pathname === '' || url.pathname === '/') && url.search === '';
}

function isWebUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

/** Plain http reaches only a provider on this machine (a test or a developer's Keycloak); anything else needs TLS. */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Why an issuer URL is refused (a sentence), or undefined when it is fine. Used for the file and for --oidc-issuer. */
export function issuerProblem(issuer: string): string | undefined {
  if (!URL.canParse(issuer)) return `Invalid OpenID Connect issuer ${JSON.stringify(issuer)}: expected an https URL such as https://keycloak.example.com/realms/acme.`;
  const url = new URL(issuer);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(url))) return undefined;
  return `Invalid OpenID Connect issuer ${JSON.stringify(issuer)}: expected an https URL (plain http only for a provider on a loopback address such as localhost).`;
}
