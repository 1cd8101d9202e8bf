import type { Kysely } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import type { SeverityCounts } from '../domain/severity.js';
import type { Database, NewScan, ScanRow } from './schema.js';

type Db = Kysely<Database>;

export function findScanByReport(db: Db, variantId: number, reportSha256: string): Promise<ScanRow | undefined> {
  return db.selectFrom('scans').selectAll().where('variant_id', '=', variantId).where('report_sha256', '=', reportSha256).executeTakeFirst();
}

export async function getScan(db: Db, scanId: number): Promise<ScanRow> {
  const scan = await db.selectFrom('scans').selectAll().where('id', '=', scanId).executeTakeFirst();
  if (!scan) throw new NotFoundError(`No scan with id ${scanId}.`);
  return scan;
}

/** The same scanner's latest scan of a variant (ingest order) before scan `before`, if any. */
export function latestScanBefore(db: Db, variantId: number, scanner: string, before: number): Promise<ScanRow | undefined> {
  return db
    .selectFrom('scans')
    .selectAll()
    .where('variant_id', '=', variantId)
    .where('scanner', '=', scanner)
    .where('id', '<', before)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The scans that make up a variant's current state: each scanner's latest scan of it
 * (DESIGN.md: Current state of a variant).
 */
export async function currentScanIds(db: Db, variantIds: readonly number[]): Promise<number[]> {
  if (variantIds.length === 0) return [];
  const rows = await db
    .selectFrom('scans')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('variant_id', 'in', variantIds)
    .groupBy(['variant_id', 'scanner'])
    .execute();
  return rows.map((r) => Number(r.id));
}

export async function insertScan(db: Db, scan: NewScan): Promise<number> {
  const row = await db.insertInto('scans').values(scan).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function countsOf(scan: Pick<ScanRow, 'critical' | 'high' | 'medium' | 'low' | 'info' | 'total'>): SeverityCounts {
  return { critical: scan.critical, high: scan.high, medium: scan.medium, low: scan.low, info: scan.info, total: scan.total };
}

/** Scans of a target, newest first, optionally of one variant. */
export function scansOf(db: Db, targetId: number, variantId?: number): Promise<(ScanRow & { variant: string })[]> {
  let query = db
    .selectFrom('scans')
    .innerJoin('variants', 'variants.id', 'scans.variant_id')
    .selectAll('scans')
    .select('variants.name as variant')
    .where('scans.target_id', '=', targetId);
  if (variantId !== undefined) query = query.where('scans.variant_id', '=', variantId);
  return query.orderBy('scans.id', 'desc').execute();
}
