import { type Kysely, sql } from 'kysely';
import { columnTypes } from './dialect.js';

/**
 * Fix verdicts kept when a clock closes, and the spans exemptions paused clocks.
 *
 * - `sla_clocks` gets the verdict of each fix, recorded once when it is judged (insights/sla-clock.ts
 *   recordFixVerdicts): the due date that applied, whether it was fixed within SLA, the days to
 *   fix and the paused days, and when the verdict was made (`judged_at`; null: not judged yet). A
 *   later change of the SLA policy or of the KEV feed no longer rewrites past verdicts. An index on
 *   the fix time (and one on the variant an entity link shows) serves the catalog's compliance over a
 *   period.
 * - `sla_pauses` keeps each span an approved exemption covered (from its approval to its expiry,
 *   or to its revocation): a revoked exemption's row is deleted, and its paused days with it.
 *   Approved exemptions present now are copied in; the spans of exemptions revoked before this
 *   migration are gone with their rows and cannot be rebuilt.
 *
 * The clocks are rebuilt from the whole scan history (scans and scan_issues are never deleted), so
 * that fixes made before 0013-sla-clock count too. Replaying every variant's scans in the order
 * they were ingested gives exactly the stretches ingest would have written had clocks been kept
 * from the first scan: an issue opens a stretch when it enters the variant's current state (each
 * scanner's latest scan), from first seen in its target the first time and from the scan that
 * brought it back afterwards, and is fixed at the scan after which no scanner's latest scan of the
 * variant reports it, with the severity its scanner last gave it. This also corrects what 0013
 * seeded: an issue open then that had been fixed and came back before 0013 restarts its clock
 * where it came back, not at first seen.
 *
 * What cannot be rebuilt: the SLA policy and the KEV feed as they were at each past fix (the
 * verdicts of rebuilt fixes are made with those in force when they are first judged, after this
 * migration), the pauses of exemptions revoked before this migration, and an issue's first-seen
 * time as it was at the time (an issue's `first_seen_at` is the earliest scan that reported it, as
 * stored now).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);
  await db.schema.alterTable('sla_clocks').addColumn('due_date', 'text').execute();
  await db.schema.alterTable('sla_clocks').addColumn('fixed_within_sla', 'integer').execute();
  await db.schema.alterTable('sla_clocks').addColumn('days_to_fix', t.real).execute();
  await db.schema.alterTable('sla_clocks').addColumn('paused_days', 'integer').execute();
  await db.schema.alterTable('sla_clocks').addColumn('judged_at', 'text').execute();
  // It holds what the catalog's compliance adds up, so that the sum reads the index alone.
  await db.schema.createIndex('sla_clocks_fixed_at').on('sla_clocks').columns(['fixed_at', 'judged_at', 'variant_id', 'severity', 'fixed_within_sla', 'days_to_fix']).execute();
  // The fixes still to judge: few (the last scan's), except once after this migration.
  // The catalog's compliance goes from each fix's variant to the entities that show it.
  await db.schema.createIndex('entity_links_variant_for_fixes').on('entity_links').column('variant_id').execute();
  await db.schema.createIndex('sla_clocks_unjudged').on('sla_clocks').column('id').where(sql.ref('fixed_at'), 'is not', null).where(sql.ref('judged_at'), 'is', null).execute();

  await t
    .id(db.schema.createTable('sla_pauses'))
    .addColumn('exemption_id', 'integer', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('target_id', 'integer')
    .addColumn('scope', 'text')
    .addColumn('issue_id', 'integer')
    .addColumn('key', 'text')
    .addColumn('paused_from', 'text', (c) => c.notNull())
    .addColumn('paused_until', 'text')
    .execute();
  await db.schema.createIndex('sla_pauses_exemption').on('sla_pauses').column('exemption_id').execute();
  await db.schema.createIndex('sla_pauses_target').on('sla_pauses').columns(['level', 'target_id']).execute();
  await sql`
    INSERT INTO sla_pauses (exemption_id, level, target_id, scope, issue_id, key, paused_from, paused_until)
    SELECT id, level, target_id, scope, issue_id, key, COALESCE(decided_at, created_at), expires_at
    FROM exemptions WHERE status = 'approved'
  `.execute(db);

  await rebuildSlaClocks(db);
}

interface ReplayedClock {
  variant_id: number;
  issue_id: number;
  opened_at: string;
  clock_from: string;
  fixed_at: string | null;
  fixed_scan_id: number | null;
  severity: number;
}

const SCANS_PER_READ = 50;
const ROWS_PER_INSERT = 500;

/**
 * Replaces every SLA clock by the replay of the scan history, one variant at a time (see above).
 * Exported for the test that compares it with the clocks ingest writes.
 */
export async function rebuildSlaClocks(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM sla_clocks`.execute(db);
  const variants = await sql<{ variant_id: number }>`SELECT DISTINCT variant_id FROM scans ORDER BY variant_id`.execute(db);
  for (const { variant_id: variantId } of variants.rows) {
    const scans = (await sql<{ id: number; scanner: string; scanned_at: string }>`SELECT id, scanner, scanned_at FROM scans WHERE variant_id = ${variantId} ORDER BY id`.execute(db)).rows;
    // Each scanner's latest scan so far: issue id → the severity it gave.
    const latest = new Map<string, Map<number, number>>();
    // How many scanners' latest scans report each issue: above 0 it is open in the variant.
    const reporting = new Map<number, number>();
    const open = new Map<number, ReplayedClock>();
    // Issues fixed in the variant before: when one comes back its clock restarts.
    const fixedBefore = new Set<number>();
    // Every stretch, in the order it opened (the order ingest inserts them).
    const clocks: ReplayedClock[] = [];
    for (let start = 0; start < scans.length; start += SCANS_PER_READ) {
      const chunk = scans.slice(start, start + SCANS_PER_READ);
      const members = await sql<{ scan_id: number; issue_id: number; severity: number; first_seen_at: string }>`
        SELECT si.scan_id, si.issue_id, si.severity, i.first_seen_at
        FROM scan_issues si JOIN issues i ON i.id = si.issue_id
        WHERE si.scan_id IN (${sql.join(chunk.map((s) => s.id))})
        ORDER BY si.scan_id, si.issue_id
      `.execute(db);
      const byScan = new Map<number, typeof members.rows>();
      for (const row of members.rows) {
        const list = byScan.get(Number(row.scan_id));
        if (list) list.push(row);
        else byScan.set(Number(row.scan_id), [row]);
      }
      for (const scan of chunk) {
        const reported = byScan.get(Number(scan.id)) ?? [];
        for (const row of reported) {
          const issueId = Number(row.issue_id);
          const count = reporting.get(issueId) ?? 0;
          if (count === 0) {
            const reopened = fixedBefore.has(issueId);
            const clock: ReplayedClock = { variant_id: Number(variantId), issue_id: issueId, opened_at: scan.scanned_at, clock_from: reopened ? scan.scanned_at : row.first_seen_at, fixed_at: null, fixed_scan_id: null, severity: Number(row.severity) };
            open.set(issueId, clock);
            clocks.push(clock);
          }
          reporting.set(issueId, count + 1);
        }
        for (const [issueId, severity] of latest.get(scan.scanner) ?? []) {
          const left = (reporting.get(issueId) ?? 1) - 1;
          if (left > 0) {
            reporting.set(issueId, left);
            continue;
          }
          reporting.delete(issueId);
          const clock = open.get(issueId) as ReplayedClock;
          open.delete(issueId);
          fixedBefore.add(issueId);
          Object.assign(clock, { fixed_at: scan.scanned_at, fixed_scan_id: Number(scan.id), severity });
        }
        latest.set(scan.scanner, new Map(reported.map((r) => [Number(r.issue_id), Number(r.severity)])));
      }
    }
    await insertClocks(db, clocks);
  }
}

async function insertClocks(db: Kysely<unknown>, clocks: readonly ReplayedClock[]): Promise<void> {
  for (let start = 0; start < clocks.length; start += ROWS_PER_INSERT) {
    const rows = clocks.slice(start, start + ROWS_PER_INSERT).map((c) => sql`(${c.variant_id}, ${c.issue_id}, ${c.opened_at}, ${c.clock_from}, ${c.fixed_at}, ${c.fixed_scan_id}, ${c.severity})`);
    await sql`INSERT INTO sla_clocks (variant_id, issue_id, opened_at, clock_from, fixed_at, fixed_scan_id, severity) VALUES ${sql.join(rows)}`.execute(db);
  }
}
