import { createHmac } from 'node:crypto';
import type { Store } from '../store/database.js';
import { claimDue, markFailed, markSent } from '../store/notification-deliveries.js';
import type { NotificationChannel, NotificationMessage, WebChannel } from './notification.js';

/** How a sender behaves; tests shorten the waits. */
export interface SenderOptions {
  /** Per attempt: connect, send and answer within this. */
  timeoutMs?: number;
  /** The first retry waits this long, each next one twice as long. */
  firstRetryMs?: number;
  /** Attempts before a delivery is given up as failed. */
  maxAttempts?: number;
  /** Deliveries claimed per round. */
  batch?: number;
}

const DEFAULTS: Required<SenderOptions> = { timeoutMs: 10_000, firstRetryMs: 30_000, maxAttempts: 6, batch: 20 };

/** The header a webhook receiver checks: `sha256=` and the hex HMAC-SHA256 of the raw body with the shared secret. */
export const SIGNATURE_HEADER = 'x-lantern-signature';

/** What one channel type receives: Lantern's own JSON, or the incoming-webhook formats of Slack and Teams. */
export function bodyFor(channel: WebChannel, message: NotificationMessage): string {
  switch (channel.type) {
    case 'slack':
      // Slack reads <…> as links and mentions (<!channel>): requesters' words must stay text.
      return JSON.stringify({ text: message.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') });
    case 'teams':
      return JSON.stringify({ '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: message.text, text: message.text });
    default:
      return JSON.stringify({
        event: message.event,
        key: message.key,
        scope: message.scope,
        at: message.at,
        text: message.text,
        ...(message.severity ? { severity: message.severity } : {}),
        ...(message.entities ? { entities: message.entities } : {}),
        recipients: message.recipients,
        data: message.data,
      });
  }
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Sends the deliveries that are due, each at most once across replicas (claimed in the database),
 * retrying failures with exponential backoff. Never logs or stores a secret or the URL's query.
 * Returns how many were sent and how many failed this round.
 */
export async function sendDue(store: Store, channels: readonly NotificationChannel[], env: NodeJS.ProcessEnv, now: () => string, options: SenderOptions = {}): Promise<{ sent: number; failed: number }> {
  const o = { ...DEFAULTS, ...options };
  const at = now();
  const claimed = await claimDue(store, at, new Date(Date.parse(at) + o.timeoutMs * 3).toISOString(), o.batch);
  let sent = 0;
  let failed = 0;
  for (const delivery of claimed) {
    const channel = channels.find((c) => c.name === delivery.channel);
    const message = JSON.parse(delivery.payload) as NotificationMessage;
    const error = !channel
      ? `no channel named ${delivery.channel} in the configuration`
      : channel.type === 'email'
        ? await (await import('./email.js')).sendMail(channel, message, delivery.id, env, o.timeoutMs)
        : await post(channel, message, delivery.id, env, o.timeoutMs);
    if (error === undefined) {
      await markSent(store.db, delivery.id, now());
      sent++;
      continue;
    }
    failed++;
    const retryAt = channel && delivery.attempts < o.maxAttempts ? new Date(Date.parse(now()) + o.firstRetryMs * 2 ** (delivery.attempts - 1)).toISOString() : null;
    await markFailed(store.db, delivery.id, error, retryAt);
  }
  return { sent, failed };
}

/** One attempt; undefined when the receiver answered 2xx, else why not (without secrets). */
async function post(channel: WebChannel, message: NotificationMessage, deliveryId: number, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  const body = bodyFor(channel, message);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Lantern', 'x-lantern-event': message.event, 'x-lantern-delivery': String(deliveryId) };
  const secret = channel.secretEnv === undefined ? undefined : env[channel.secretEnv];
  if (channel.type === 'webhook' && secret) headers[SIGNATURE_HEADER] = signature(secret, body);
  try {
    const response = await fetch(channel.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // The answer is not read: a receiver cannot make Lantern hold a large body.
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return undefined;
    return `${channel.name} answered ${response.status}`;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    return `${channel.name} could not be reached: ${cause}`;
  }
}
