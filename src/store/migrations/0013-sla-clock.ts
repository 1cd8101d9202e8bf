import { type Kysely, sql } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * The SLA clock: one row per stretch of time an issue was open in a variant (insights/sla-clock.ts).
 * A row opens when a scan of the variant brings the issue into its current state and closes (fixed)
 * when, after a later scan, no scanner's latest scan of the variant reports it; an issue that comes
 * back opens a new row, whose clock starts again.
 *
 * Issues open now are seeded with a clock from when they were first seen in their target; the
 * history of remediations before this migration is not rebuilt.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await t
    .id(db.schema.createTable('sla_clocks'))
    .addColumn('variant_id', 'integer', (c) => c.notNull().references('variants.id'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id'))
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('clock_from', 'text', (c) => c.notNull())
    .addColumn('fixed_at', 'text')
    .addColumn('fixed_scan_id', 'integer')
    .addColumn('severity', 'integer')
    .execute();
  await db.schema.createIndex('sla_clocks_variant_issue').on('sla_clocks').columns(['variant_id', 'issue_id']).execute();
  // One open stretch per issue and variant: of two concurrent ingests into a variant, the second to
  // open the same issue's clock fails with a unique violation and its transaction runs again.
  await db.schema.createIndex('sla_clocks_open').on('sla_clocks').columns(['variant_id', 'issue_id']).unique().where(sql.ref('fixed_at'), 'is', null).execute();
  await db.schema.createIndex('sla_clocks_issue').on('sla_clocks').column('issue_id').execute();

  // Each variant's current state: every scanner's latest scan of it.
  await sql`
    INSERT INTO sla_clocks (variant_id, issue_id, opened_at, clock_from, fixed_at, fixed_scan_id, severity)
    SELECT cur.variant_id, si.issue_id, MIN(i.first_seen_at), MIN(i.first_seen_at), NULL, NULL, MAX(si.severity)
    FROM (SELECT variant_id, MAX(id) AS id FROM scans GROUP BY variant_id, scanner) cur
    JOIN scan_issues si ON si.scan_id = cur.id
    JOIN issues i ON i.id = si.issue_id
    GROUP BY cur.variant_id, si.issue_id
  `.execute(db);
}
