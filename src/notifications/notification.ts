import { covers } from '../access/roles.js';

/** The events Lantern can tell people about. */
export const NOTIFICATION_EVENTS = ['exemption.requested', 'exemption.decided'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const CHANNEL_TYPES = ['webhook', 'slack', 'teams'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Where deliveries go: a URL from the administrator's configuration file, so trusted. */
export interface NotificationChannel {
  name: string;
  type: ChannelType;
  url: string;
  /** The environment variable holding the webhook's signing secret (never the secret itself). */
  secretEnv?: string | undefined;
}

/** Which events go to which channel: all the events listed, in the scopes listed (default: every scope). */
export interface NotificationRule {
  events: NotificationEvent[];
  channel: string;
  /** account, ORG or ORG.PROJECT: the event's scope must lie within one of them. */
  scopes?: string[] | undefined;
}

export interface NotificationConfig {
  channels: NotificationChannel[];
  rules: NotificationRule[];
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
  data: Record<string, unknown>;
}

/** The channels a message goes to under the rules: each once, however many rules route it there. */
export function channelsFor(config: NotificationConfig, message: Pick<NotificationMessage, 'event' | 'scope'>): string[] {
  const names = config.rules
    .filter((r) => r.events.includes(message.event) && (r.scopes === undefined || r.scopes.some((s) => covers(s, message.scope))))
    .map((r) => r.channel);
  return [...new Set(names)];
}
