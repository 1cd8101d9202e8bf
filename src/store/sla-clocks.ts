import type { Kysely } from 'kysely';
import { batches } from './batches.js';
import type { Database, ScanRow, SlaClockRow } from './schema.js';
import { reusedStatement } from './reused-statement.js';
import { isPostgres } from './row-locks.js';
import { currentScansQuery } from './scans.js';

type Db = Kysely<Database>;

/**
 * Moves a variant's SLA clocks after scan `scanId` (of `scanner`, run at `scannedAt`) joined its
 * current state, in the ingest's transaction: an issue the scan reports that has no open clock in
 * the variant opens one (its clock from first seen in the target the first time, from now when it
 * comes back); an issue the scanner's previous scan of the variant reported that no current scan
 * reports any more is fixed now. Two set statements, whatever the size of the scan. `previous` is
 * that previous scan, which the ingest has read already (latestScanBefore).
 */
export async function advanceSlaClocks(
  trx: Db,
  scan: { id: number; variantId: number; scanner: string; scannedAt: string },
  previous: Pick<ScanRow, 'id'> | undefined,
): Promise<void> {
  await openClocks(trx, scan.id, scan.variantId, scan.scannedAt);
  if (previous) await fixClocks(trx, scan.id, scan.variantId, scan.scannedAt, previous.id);
}

/** The statement that opens the clocks of a scan's issues without an open one (exported for its plan's test). */
export const openClocksQuery = (db: Db, scanId: number, variantId: number, scannedAt: string) =>
  db
    .insertInto('sla_clocks')
    .columns(['variant_id', 'issue_id', 'opened_at', 'clock_from', 'fixed_at', 'fixed_scan_id', 'severity'])
    .expression((eb) =>
      eb
        .selectFrom('scan_issues as si')
        .innerJoin('issues as i', 'i.id', 'si.issue_id')
        .select((e) => [
          e.val(variantId).as('variant_id'),
          'si.issue_id',
          e.val(scannedAt).as('opened_at'),
          e
            .case()
            .when(e.exists(e.selectFrom('sla_clocks as c').select('c.id').where('c.variant_id', '=', variantId).whereRef('c.issue_id', '=', 'si.issue_id')))
            .then(e.val(scannedAt))
            .else(e.ref('i.first_seen_at'))
            .end()
            .as('clock_from'),
          e.val(null).as('fixed_at'),
          e.val(null).as('fixed_scan_id'),
          'si.severity',
        ])
        .where('si.scan_id', '=', scanId)
        .where((e) => {
          const open = e.selectFrom('sla_clocks as c').select('c.id').where('c.variant_id', '=', variantId).whereRef('c.issue_id', '=', 'si.issue_id').where('c.fixed_at', 'is', null);
          // On PostgreSQL, `offset 0` keeps the test a lookup of each issue's open clock through
          // sla_clocks_open, as the planner does not turn a subquery with an offset into a join.
          // As an anti-join it was planned from the tables' statistics, and before any ANALYZE
          // of a new target's rows (no autovacuum yet) it compared every issue with every open
          // clock: 7 s for a rescan of 20 000 issues (issue 17).
          return e.not(e.exists(isPostgres(db) ? open.offset(0) : open));
        }),
    );

// Both statements are compiled once (store/reused-statement.ts): every ingest runs them.
const openClocks = reusedStatement(openClocksQuery);

const fixClocks = reusedStatement((db: Db, scanId: number, variantId: number, scannedAt: string, previousId: number) =>
  db
    .updateTable('sla_clocks')
    .set((eb) => ({
      fixed_at: scannedAt,
      fixed_scan_id: scanId,
      severity: eb.selectFrom('scan_issues as p').select('p.severity').where('p.scan_id', '=', previousId).whereRef('p.issue_id', '=', 'sla_clocks.issue_id'),
    }))
    .where('variant_id', '=', variantId)
    .where('fixed_at', 'is', null)
    .where('issue_id', 'in', (eb) => eb.selectFrom('scan_issues').select('issue_id').where('scan_id', '=', previousId))
    // The variant's current state: each scanner's latest scan of it, read in this statement.
    .where('issue_id', 'not in', (eb) => eb.selectFrom('scan_issues').select('issue_id').where('scan_id', 'in', currentScansQuery(db, [variantId]))),
);

/** Every SLA clock of these variants, open and fixed, oldest first. */
export async function slaClocksOf(db: Db, variantIds: readonly number[]): Promise<SlaClockRow[]> {
  const out: SlaClockRow[] = [];
  for (const batch of batches(new Set(variantIds))) out.push(...(await db.selectFrom('sla_clocks').selectAll().where('variant_id', 'in', batch).orderBy('id').execute()));
  return out;
}
