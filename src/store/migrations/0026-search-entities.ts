import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.js';
import { ScanTermCounts, writeScanTerms } from '../scan-search-terms.js';

/**
 * The overview's `q` found the issues with a matching term (0020-search-terms.ts) and checked each
 * against its current columns and scans: a package most targets have meant tens of thousands of
 * issues read per request (issue 17: p95 1.55 s on PostgreSQL at 2 000 entities).
 *
 * scan_search_terms keeps, for each current scan (its variant's latest by its scanner: DESIGN.md,
 * Current state of a variant), the distinct terms of the issues it has as their columns read now,
 * with how many of its issues have each. A search reads the matching distinct terms, the current
 * scans that have them by index, and the entities whose matched links show those scans' variants:
 * as many rows as (term, scan) pairs, however many issues share them. Links, baselines and
 * exemptions are read as they are at search time, so only ingest writes here
 * (store/scan-search-terms.ts): the new scan's terms, the replaced scan's removed, and the counts
 * of other current scans moved when a rescan changes an issue's terms.
 *
 * Every current scan is filled here, a batch of scans at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scan_search_terms')
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('alias', 'integer', (c) => c.notNull())
    .addColumn('variant_id', 'integer', (c) => c.notNull())
    .addColumn('scan_id', 'integer', (c) => c.notNull())
    .addColumn('issues', 'integer', (c) => c.notNull())
    // The variant in the key too, so that a search reads the variants of a term from the index alone.
    .addPrimaryKeyConstraint('scan_search_terms_pk', ['term', 'alias', 'variant_id', 'scan_id'])
    .execute();
  await db.schema.createIndex('scan_search_terms_scan').on('scan_search_terms').columns(['scan_id']).execute();
  await fillScanSearchTerms(db as unknown as Kysely<Database>);
  await sql`analyze ${sql.table('scan_search_terms')}`.execute(db);
}

/** Counts the terms of every current scan's issues into scan_search_terms (the migration's fill, and its test). */
export async function fillScanSearchTerms(db: Kysely<Database>): Promise<void> {
  const current = await db.selectFrom('scans').select((eb) => eb.fn.max('id').as('id')).groupBy(['variant_id', 'scanner']).execute();
  const scanIds = current.map((r) => Number(r.id)).sort((a, b) => a - b);
  const BATCH = 100;
  for (let i = 0; i < scanIds.length; i += BATCH) {
    const batch = scanIds.slice(i, i + BATCH);
    const rows = await db
      .selectFrom('scan_issues as si')
      .innerJoin('issues as i', 'i.id', 'si.issue_id')
      .innerJoin('scans as s', 's.id', 'si.scan_id')
      .select(['si.scan_id', 's.variant_id', 'i.vulnerability_id', 'i.package', 'i.rule_id', 'i.details'])
      .where('si.scan_id', 'in', batch)
      .execute();
    const counts = new Map<number, { variantId: number; terms: ScanTermCounts }>();
    for (const row of rows) {
      let scan = counts.get(row.scan_id);
      if (!scan) counts.set(row.scan_id, (scan = { variantId: row.variant_id, terms: new ScanTermCounts() }));
      scan.terms.add(row);
    }
    for (const [id, scan] of counts) await writeScanTerms(undefined, db, { id, variantId: scan.variantId }, scan.terms);
  }
}
