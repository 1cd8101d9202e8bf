import type { Kysely } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * Triage of exemptions: a request carries an optional link (a ticket, a design note); a decision
 * its comment; a project-, org- or account-wide exemption asked from one issue remembers that
 * issue (so that an approver can narrow it back); a re-opened request names the one it follows.
 * A requester may cancel a pending request (status `cancelled`).
 *
 * Notifications are queued as deliveries, one per event and channel (the unique key), and sent in
 * the background; a sender claims a delivery until `lease_until`, so replicas never send one twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('exemptions').addColumn('link', 'text').execute();
  await db.schema.alterTable('exemptions').addColumn('decision_comment', 'text').execute();
  await db.schema.alterTable('exemptions').addColumn('source_issue_id', 'integer').execute();
  await db.schema.alterTable('exemptions').addColumn('reopened_from', 'integer').execute();
  await db.schema.createIndex('exemptions_requester').on('exemptions').columns(['requested_by_id', 'status']).execute();

  await columnTypes(db)
    .id(db.schema.createTable('notification_deliveries'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addUniqueConstraint('notification_deliveries_once', ['event_key', 'channel'])
    .execute();
  await db.schema.createIndex('notification_deliveries_due').on('notification_deliveries').columns(['status', 'next_attempt_at']).execute();
}
