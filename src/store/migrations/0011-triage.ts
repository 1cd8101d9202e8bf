import type { Kysely } from 'kysely';

/**
 * Triage of exemptions: a request carries an optional link (a ticket, a design note); a decision
 * its comment; a project-, org- or account-wide exemption asked from one issue remembers that
 * issue (so that an approver can narrow it back); a re-opened request names the one it follows.
 * A requester may cancel a pending request (status `cancelled`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('exemptions').addColumn('link', 'text').execute();
  await db.schema.alterTable('exemptions').addColumn('decision_comment', 'text').execute();
  await db.schema.alterTable('exemptions').addColumn('source_issue_id', 'integer').execute();
  await db.schema.alterTable('exemptions').addColumn('reopened_from', 'integer').execute();
  await db.schema.createIndex('exemptions_requester').on('exemptions').columns(['requested_by_id', 'status']).execute();
}
