import type { Kysely } from 'kysely';
import { IN_LIST_BATCH } from './batches.js';
import type { Database, ExemptionRow, SlaPauseRow } from './schema.js';

type Db = Kysely<Database>;

/** An approved exemption starts pausing what it covers: from its approval to its expiry (or for good). */
export async function startSlaPause(db: Db, exemption: ExemptionRow): Promise<void> {
  await db
    .insertInto('sla_pauses')
    .values({
      exemption_id: exemption.id,
      level: exemption.level,
      target_id: exemption.target_id,
      scope: exemption.scope,
      issue_id: exemption.issue_id,
      key: exemption.key,
      paused_from: exemption.decided_at ?? exemption.created_at,
      paused_until: exemption.expires_at,
    })
    .execute();
}

/** A revoked exemption's pause ends at `at` (one that ended before stays as it was). */
export async function endSlaPause(db: Db, exemptionId: number, at: string): Promise<void> {
  await db
    .updateTable('sla_pauses')
    .set({ paused_until: at })
    .where('exemption_id', '=', exemptionId)
    .where((eb) => eb.or([eb('paused_until', 'is', null), eb('paused_until', '>', at)]))
    .execute();
}

/**
 * The pauses that can cover issues of these targets: their target-level ones and every wider one
 * (project, org, account); whether one covers an issue is decided per issue (insights/exemptions.ts).
 */
export async function slaPausesFor(db: Db, targetIds: readonly number[]): Promise<SlaPauseRow[]> {
  if (targetIds.length > IN_LIST_BATCH) {
    const wanted = new Set(targetIds);
    return (await db.selectFrom('sla_pauses').selectAll().execute()).filter((p) => p.level !== 'target' || (p.target_id !== null && wanted.has(p.target_id)));
  }
  return db
    .selectFrom('sla_pauses')
    .selectAll()
    .where((eb) => eb.or([eb('level', '<>', 'target'), ...(targetIds.length > 0 ? [eb('target_id', 'in', targetIds)] : [])]))
    .execute();
}
