import { type Kysely, sql } from 'kysely';
import { batches } from './batches.js';
import { bulkRun } from './bulk.js';
import type { Store } from './database.js';
import type { Database } from './schema.js';
import { issueTerms, type SearchedColumns } from './search-terms.js';

type Db = Kysely<Database>;

/**
 * The search terms of the issues a scan has, each with how many of them have it
 * (migrations/0026-search-entities.ts): filled while the scan's issues are written, each issue once.
 */
export class ScanTermCounts {
  /** Keyed by alias (0 or 1) followed by the term. */
  private readonly counts = new Map<string, number>();

  add(issue: SearchedColumns): void {
    for (const t of issueTerms(issue)) {
      const key = `${t.alias}${t.term}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  rows(scan: CountedScan): ScanTermRow[] {
    return [...this.counts.entries()].map(([key, issues]) => ({ term: key.slice(1), alias: Number(key[0]), variant_id: scan.variantId, scan_id: scan.id, issues }));
  }
}

type ScanTermRow = { term: string; alias: number; variant_id: number; scan_id: number; issues: number };

/** A scan and the variant it is of. */
export interface CountedScan {
  id: number;
  variantId: number;
}

/** Stores a scan's counted terms: the scan is its variant's latest by its scanner, so current. */
export async function writeScanTerms(store: Store | undefined, trx: Db, scan: CountedScan, counts: ScanTermCounts): Promise<void> {
  const rows = counts.rows(scan);
  if (!store) {
    // Without the store (a migration's fill): plain multi-row statements, small enough for either dialect.
    for (let i = 0; i < rows.length; i += 250) await trx.insertInto('scan_search_terms').values(rows.slice(i, i + 250)).execute();
    return;
  }
  await bulkRun(store, trx, rows.length, (i) => rows[i] as ScanTermRow, (db, batch) => db.insertInto('scan_search_terms').values(batch));
}

/** Drops the terms of a scan that a newer scan of its variant by its scanner replaced: it is no longer current. */
export async function retireScanTerms(trx: Db, scanId: number): Promise<void> {
  await trx.deleteFrom('scan_search_terms').where('scan_id', '=', scanId).execute();
}

/** An issue whose searched columns a scan rewrote. */
export interface RewrittenTerms {
  id: number;
  before: SearchedColumns;
  after: SearchedColumns;
}

/**
 * Moves the counts of the other current scans that have issues whose terms a rescan changed (a new
 * alias, another package spelling): each such scan counts the issue's new terms instead of its old
 * ones. `scanId` is the scan being written, which counts its issues itself (ScanTermCounts).
 */
export async function shiftScanTerms(store: Store, trx: Db, scanId: number, rewritten: readonly RewrittenTerms[]): Promise<void> {
  const deltas = new Map<number, Map<string, number>>();
  for (const issue of rewritten) {
    const delta = new Map<string, number>();
    for (const t of issueTerms(issue.before)) delta.set(`${t.alias}${t.term}`, -1);
    for (const t of issueTerms(issue.after)) {
      const key = `${t.alias}${t.term}`;
      if (delta.get(key) === -1) delta.delete(key);
      else delta.set(key, 1);
    }
    if (delta.size > 0) deltas.set(issue.id, delta);
  }
  if (deltas.size === 0) return;
  const change = new Map<string, ScanTermRow>();
  for (const ids of batches([...deltas.keys()])) {
    const holders = await trx
      .selectFrom('scan_issues as si')
      .innerJoin('scans as s', 's.id', 'si.scan_id')
      .select(['si.scan_id', 's.variant_id', 'si.issue_id'])
      .where('si.issue_id', 'in', ids)
      .where('si.scan_id', '<>', scanId)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('scans as later').select('later.id').whereRef('later.variant_id', '=', 's.variant_id').whereRef('later.scanner', '=', 's.scanner').whereRef('later.id', '>', 's.id'))),
      )
      .execute();
    for (const { scan_id, variant_id, issue_id } of holders) {
      for (const [key, n] of deltas.get(issue_id) ?? []) {
        const id = `${scan_id}:${key}`;
        const row = change.get(id) ?? { term: key.slice(1), alias: Number(key[0]), variant_id, scan_id, issues: 0 };
        row.issues += n;
        change.set(id, row);
      }
    }
  }
  // In key order, so that two transactions meet the rows in one order.
  const rows = [...change.values()].filter((r) => r.issues !== 0).sort((a, b) => (a.term < b.term ? -1 : a.term > b.term ? 1 : a.alias - b.alias || a.variant_id - b.variant_id || a.scan_id - b.scan_id));
  await bulkRun(store, trx, rows.length, (i) => rows[i] as ScanTermRow, (db, batch) =>
    db
      .insertInto('scan_search_terms')
      .values(batch)
      .onConflict((oc) => oc.columns(['term', 'alias', 'variant_id', 'scan_id']).doUpdateSet({ issues: sql`scan_search_terms.issues + excluded.issues` })),
  );
  const emptied = rows.filter((r) => r.issues < 0);
  for (let i = 0; i < emptied.length; i += 300) {
    // Typed: PostgreSQL takes a VALUES list's untyped parameters as text, and integer = text has no operator.
    const keys = emptied.slice(i, i + 300).map((r) => sql`(cast(${r.term} as text), cast(${r.alias} as integer), cast(${r.variant_id} as integer), cast(${r.scan_id} as integer))`);
    await sql`delete from scan_search_terms where issues <= 0 and (term, alias, variant_id, scan_id) in (values ${sql.join(keys)})`.execute(trx);
  }
}
