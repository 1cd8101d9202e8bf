import { covers } from '../access/roles.js';
import type { Severity } from '../domain/severity.js';

/** The events Lantern can tell people about (docs/triage.md: events). */
export const NOTIFICATION_EVENTS = ['exemption.requested', 'exemption.decided', 'exemption.expiring', 'issue.new', 'issue.known-exploited', 'scan.stale', 'scorecard.check-failing'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** Events about issues carry a severity: a rule's `severities` can only filter these. */
export const EVENTS_WITH_SEVERITY: readonly NotificationEvent[] = ['issue.new', 'issue.known-exploited'];
/** Events about catalog entities carry their kinds and owners: a rule's `kinds` and the `owner` channel need these. */
export const EVENTS_WITH_ENTITIES: readonly NotificationEvent[] = ['issue.new', 'issue.known-exploited', 'scan.stale', 'scorecard.check-failing'];

export const CHANNEL_TYPES = ['webhook', 'slack', 'teams', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** The rule channel that stands for the channels an entity's owner names (lantern.io/slack-channel …). */
export const OWNER_CHANNEL = 'owner';

/** Where deliveries go: from the administrator's configuration file, so trusted. */
export type NotificationChannel = WebChannel | EmailChannel;

export interface WebChannel {
  name: string;
  type: 'webhook' | 'slack' | 'teams';
  url: string;
  /** The environment variable holding the webhook's signing secret (never the secret itself). */
  secretEnv?: string | undefined;
}

/** Mail through an SMTP server: to the people an event is meant for, and to `to`. */
export interface EmailChannel {
  name: string;
  type: 'email';
  /** smtp://host:port (STARTTLS when the server offers it) or smtps://host:port (TLS from the start). */
  url: string;
  from: string;
  /** Addresses that receive every message of this channel, besides the event's own recipients. */
  to?: string[] | undefined;
  username?: string | undefined;
  /** The environment variable holding the SMTP password (never the password itself). */
  passwordEnv?: string | undefined;
}

/**
 * Which events go to which channel: all the events listed, in the scopes listed (default: every
 * scope), of the severities and entity kinds listed (default: all).
 */
export interface NotificationRule {
  events: NotificationEvent[];
  /** A channel's name, or `owner`: the channels the entity's owner names. */
  channel: string;
  /** account, ORG or ORG.PROJECT: the event's scope must lie within one of them. */
  scopes?: string[] | undefined;
  severities?: Severity[] | undefined;
  /** Entity kinds, lower case: one of the event's entities must be of one of them. */
  kinds?: string[] | undefined;
}

export interface NotificationConfig {
  channels: NotificationChannel[];
  rules: NotificationRule[];
  /** A scan is stale when what an entity shows was not scanned for this many days. Default 14. */
  staleScanDays?: number | undefined;
}

export const DEFAULT_STALE_SCAN_DAYS = 14;

/** An entity an event is about. */
export interface MessageEntity {
  ref: string;
  kind: string;
  /** The owner's ref, when the entity names one. */
  owner: string | null;
}

/** One thing that happened, as every channel receives it (docs/triage.md: payloads). */
export interface NotificationMessage {
  event: NotificationEvent;
  /** Unique per happening: a delivery is queued at most once per key and channel. */
  key: string;
  /** account, ORG or ORG.PROJECT. */
  scope: string;
  at: string;
  /** One line people read (Slack and Teams show it). */
  text: string;
  /** A short line: an email's subject. */
  title: string;
  /** Issue events: the severity. */
  severity?: Severity | undefined;
  /** Entity events: the entities it is about. */
  entities?: MessageEntity[] | undefined;
  /** Who it is meant for, resolved when it happened: their addresses, and the channels the owners name. */
  recipients: { emails: string[]; channels: string[] };
  data: Record<string, unknown>;
}

/** Whether a rule lets a message through: its event, scope, severity and entity kinds. */
export function ruleMatches(rule: NotificationRule, message: Pick<NotificationMessage, 'event' | 'scope' | 'severity' | 'entities'>): boolean {
  if (!rule.events.includes(message.event)) return false;
  if (rule.scopes !== undefined && !rule.scopes.some((s) => covers(s, message.scope))) return false;
  if (rule.severities !== undefined && (message.severity === undefined || !rule.severities.includes(message.severity))) return false;
  if (rule.kinds !== undefined && !(message.entities ?? []).some((e) => rule.kinds?.includes(e.kind.toLowerCase()))) return false;
  return true;
}

/**
 * The channels a message goes to under the rules: each once, however many rules route it there.
 * `owner` stands for the channels the entities' owners name; an email channel is left out when
 * there is nobody to write to.
 */
export function channelsFor(config: NotificationConfig, message: Pick<NotificationMessage, 'event' | 'scope' | 'severity' | 'entities' | 'recipients'>): string[] {
  const names = config.rules.filter((r) => ruleMatches(r, message)).flatMap((r) => (r.channel === OWNER_CHANNEL ? message.recipients.channels : [r.channel]));
  return [...new Set(names)].filter((name) => {
    const channel = config.channels.find((c) => c.name === name);
    return channel?.type !== 'email' || emailRecipients(channel, message).length > 0;
  });
}

/** Who an email goes to: the event's people and the channel's fixed addresses, each once. */
export function emailRecipients(channel: EmailChannel, message: Pick<NotificationMessage, 'recipients'>): string[] {
  return [...new Set([...(message.recipients?.emails ?? []), ...(channel.to ?? [])].map((a) => a.toLowerCase()))];
}

/** A plain address (no display name, no list): what a catalog's spec.profile.email or a session may hand to an email. */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/.test(text);
}
