import { Type } from 'typebox';
import type { Lantern } from '../../lantern.js';
import { listDeliveries } from '../../store/notification-deliveries.js';
import { NullableString } from '../schemas.js';
import type { LanternApp } from '../server.js';

const DeliverySchema = Type.Object({
  id: Type.Integer(),
  event: Type.String(),
  eventKey: Type.String(),
  channel: Type.String(),
  scope: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  nextAttemptAt: Type.String(),
  lastError: NullableString,
  createdAt: Type.String(),
  sentAt: NullableString,
});

/** The delivery log of notifications: what was queued for which channel, and how sending went. */
export async function notificationRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  api.get(
    '/notifications/deliveries',
    {
      schema: {
        summary: 'Notification deliveries, newest first, with their status',
        tags: ['notifications'],
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed')])),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
        }),
        response: { 200: Type.Array(DeliverySchema) },
      },
    },
    async (request) => {
      const rows = await listDeliveries(lantern.store.db, request.query);
      return rows.map((r) => ({
        id: r.id,
        event: r.event,
        eventKey: r.event_key,
        channel: r.channel,
        scope: r.scope,
        status: r.status as 'pending' | 'sending' | 'sent' | 'failed',
        attempts: r.attempts,
        nextAttemptAt: r.next_attempt_at,
        lastError: r.last_error,
        createdAt: r.created_at,
        sentAt: r.sent_at,
      }));
    },
  );
}
