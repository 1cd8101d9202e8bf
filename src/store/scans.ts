import type { Kysely } from 'kysely';
import { NotFoundError } from '../domain/errors.js';
import type { SeverityCounts } from '../domain/severity.js';
import { reusedStatement } from './reused-statement.js';
import type { Database, NewScan, ScanRow } from './schema.js';

type Db = Kysely<Database>;

/** The same scanner's latest scan of a variant (ingest order) before scan `before`, if any. */
export async function latestScanBefore(db: Db, variantId: number, scanner: string, before: number): Promise<ScanRow | undefined> {
  return (await latestScanStatement(db, variantId, scanner, before)).rows[0];
}

// Every ingest reads it: compiled once (store/reused-statement.ts).
const latestScanStatement = reusedStatement((db: Db, variantId: number, scanner: string, before: number) =>
  db.selectFrom('scans').selectAll().where('variant_id', '=', variantId).where('scanner', '=', scanner).where('id', '<', before).orderBy('id', 'desc').limit(1),
);

/**
 * The scans that make up a variant's current state: each scanner's latest scan of it
 * (DESIGN.md: Current state of a variant).
 */
export async function currentScanIds(db: Db, variantIds: readonly number[]): Promise<number[]> {
  if (variantIds.length === 0) return [];
  const rows = await currentScansQuery(db, variantIds).execute();
  return rows.map((r) => Number(r.id));
}

/** The ids of each scanner's latest scan of these variants, as a query: currentScanIds, or a subquery of a statement that reads them itself. */
export function currentScansQuery(db: Db, variantIds: readonly number[]) {
  return db
    .selectFrom('scans')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('variant_id', 'in', variantIds)
    .groupBy(['variant_id', 'scanner']);
}

export async function insertScan(db: Db, scan: NewScan): Promise<number> {
  const row = await db.insertInto('scans').values(scan).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function countsOf(scan: Pick<ScanRow, 'critical' | 'high' | 'medium' | 'low' | 'info' | 'total'>): SeverityCounts {
  return { critical: scan.critical, high: scan.high, medium: scan.medium, low: scan.low, info: scan.info, total: scan.total };
}

/** Scans of a target, newest first, optionally of one variant. */
export function scansOf(db: Db, targetId: number, variantId?: number, page?: { limit: number; offset: number }): Promise<(ScanRow & { variant: string })[]> {
  let query = db
    .selectFrom('scans')
    .innerJoin('variants', 'variants.id', 'scans.variant_id')
    .selectAll('scans')
    .select('variants.name as variant')
    .where('scans.target_id', '=', targetId);
  if (variantId !== undefined) query = query.where('scans.variant_id', '=', variantId);
  const ordered = query.orderBy('scans.id', 'desc');
  return (page ? ordered.limit(page.limit).offset(page.offset) : ordered).execute();
}

/** A scan as the CLI prints it and the API answers it. */
export interface ScanView {
  scanId: number;
  targetId: number;
  variant: string;
  scanner: string;
  scannerVersion: string | null;
  format: string;
  scanType: string;
  scannedAt: string;
  ingestedAt: string;
  commit: string | null;
  branch: string | null;
  pipelineUrl: string | null;
  artifact: string | null;
  counts: SeverityCounts;
  occurrences: number;
  new: number;
  common: number;
  remediated: number;
  comparedScanId: number | null;
  suppressed: number;
  errors: string[];
  reportSha256: string;
}

export function scanView(s: ScanRow & { variant: string }): ScanView {
  return {
    scanId: s.id,
    targetId: s.target_id,
    variant: s.variant,
    scanner: s.scanner,
    scannerVersion: s.scanner_version,
    format: s.format,
    scanType: s.scan_type,
    scannedAt: s.scanned_at,
    ingestedAt: s.ingested_at,
    commit: s.commit_sha,
    branch: s.branch,
    pipelineUrl: s.pipeline_url,
    artifact: s.artifact,
    counts: countsOf(s),
    occurrences: s.occurrences,
    new: s.new_count,
    common: s.common_count,
    remediated: s.remediated_count,
    comparedScanId: s.compared_scan_id,
    suppressed: s.suppressed,
    errors: JSON.parse(s.errors) as string[],
    reportSha256: s.report_sha256,
  };
}

/** One scan with its variant's name, or a NotFoundError. */
export async function getScanView(db: Db, scanId: number): Promise<ScanView> {
  const row = await db
    .selectFrom('scans')
    .innerJoin('variants', 'variants.id', 'scans.variant_id')
    .selectAll('scans')
    .select('variants.name as variant')
    .where('scans.id', '=', scanId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`No scan with id ${scanId}.`);
  return scanView(row);
}
