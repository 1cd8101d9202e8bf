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
import { CHANNEL_TYPES, type ChannelType, NOTIFICATION_EVENTS, type NotificationConfig, type NotificationEvent } from '../notifications/notification.js';
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
const CHANNEL_FIELDS = ['name', 'type', 'url', 'secretEnv'];
const RULE_FIELDS = ['events', 'channel', 'scopes'];
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

/** `notifications: {channels: [...], rules: [...]}`; a channel's secret is named by an environment variable, never written here. */
function readNotifications(value: unknown, fields: DefinitionFields): NotificationConfig {
  const config: NotificationConfig = { channels: [], rules: [] };
  const section = fields.mapping(value, ['notifications'], 'notifications section', ['channels', 'rules']);
  if (!section) return config;
  const list = (item: unknown, key: string, what: string): unknown[] => {
    if (item === undefined || item === null) return [];
    if (Array.isArray(item)) return item;
    fields.error(['notifications', key], `The ${key} are ${describeValue(item)}: expected a list of ${what}.`);
    return [];
  };
  list(section.channels, 'channels', '{name, type, url, secretEnv?}').forEach((item, i) => {
    const path: FieldPath = ['notifications', 'channels', i];
    if (typeof item === 'object' && item !== null && 'secret' in item) fields.error([...path, 'secret'], 'A webhook secret is never written in the configuration file: remove secret and name the environment variable that holds it with secretEnv.');
    const channel = fields.mapping(item, path, 'channel', [...CHANNEL_FIELDS, 'secret']);
    if (!channel) return;
    const name = fields.text(channel.name, [...path, 'name'], 'channel name');
    const type = fields.text(channel.type, [...path, 'type'], 'channel type');
    if (type !== undefined && !(CHANNEL_TYPES as readonly string[]).includes(type)) fields.error([...path, 'type'], `Invalid channel type ${JSON.stringify(type)}: expected ${CHANNEL_TYPES.join(', ')}.`);
    const url = fields.text(channel.url, [...path, 'url'], 'channel URL');
    if (url !== undefined && !isWebUrl(url)) fields.error([...path, 'url'], 'Invalid channel URL: expected an absolute http(s) URL.');
    const secretEnv = channel.secretEnv === undefined ? undefined : fields.text(channel.secretEnv, [...path, 'secretEnv'], 'secret variable name');
    if (name !== undefined && config.channels.some((c) => c.name === name)) fields.error([...path, 'name'], `Channel ${JSON.stringify(name)} is defined twice: expected unique names.`);
    if (name && type && (CHANNEL_TYPES as readonly string[]).includes(type) && url && isWebUrl(url)) config.channels.push({ name, type: type as ChannelType, url, ...(secretEnv ? { secretEnv } : {}) });
  });
  list(section.rules, 'rules', '{events, channel, scopes?}').forEach((item, i) => {
    const path: FieldPath = ['notifications', 'rules', i];
    const rule = fields.mapping(item, path, 'rule', RULE_FIELDS);
    if (!rule) return;
    const events = fields.texts(rule.events, [...path, 'events'], 'event');
    for (const event of events ?? []) {
      if (!(NOTIFICATION_EVENTS as readonly string[]).includes(event)) fields.error([...path, 'events'], `Invalid event ${JSON.stringify(event)}: expected ${NOTIFICATION_EVENTS.join(', ')}.`);
    }
    const channel = fields.text(rule.channel, [...path, 'channel'], 'channel');
    if (channel !== undefined && !config.channels.some((c) => c.name === channel)) fields.error([...path, 'channel'], `No channel named ${JSON.stringify(channel)}: expected one of the notifications.channels names.`);
    const scopes = rule.scopes === undefined ? undefined : fields.texts(rule.scopes, [...path, 'scopes'], 'scope')?.map((s, j) => scopeOf(s, [...path, 'scopes', j], fields));
    if (!events || events.length === 0 || channel === undefined) {
      if (events?.length === 0) fields.error([...path, 'events'], `The rule lists no events: expected some of ${NOTIFICATION_EVENTS.join(', ')}.`);
      return;
    }
    config.rules.push({ events: events.filter((e): e is NotificationEvent => (NOTIFICATION_EVENTS as readonly string[]).includes(e)), channel, ...(scopes ? { scopes: scopes.filter((s): s is string => s !== undefined) } : {}) });
  });
  return config;
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
