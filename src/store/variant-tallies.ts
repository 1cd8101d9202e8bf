import { type Kysely, sql } from 'kysely';
import { batches } from './batches.js';
import type { Database, VariantTallyTable } from './schema.js';

type Db = Kysely<Database>;

export type VariantTallyRow = VariantTallyTable;

/** The stored tallies of these variants. */
export async function storedTallies(db: Db, variantIds: readonly number[]): Promise<Map<number, VariantTallyRow>> {
  const out = new Map<number, VariantTallyRow>();
  for (const batch of batches(variantIds)) {
    for (const row of await db.selectFrom('variant_tallies').selectAll().where('variant_id', 'in', batch).execute()) out.set(row.variant_id, row);
  }
  return out;
}

/**
 * Each target's scan mark: how many scans it has and the highest id. Scans are only ever added, so
 * any scan committed since (even one with a lower id, from a transaction that began earlier) changes it.
 */
export async function scanMarks(db: Db, targetIds: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const batch of batches(targetIds)) {
    const rows = await db
      .selectFrom('scans')
      .select((eb) => ['target_id', eb.fn.countAll<number>().as('n'), eb.fn.max('id').as('last')])
      .where('target_id', 'in', batch)
      .groupBy('target_id')
      .execute();
    for (const row of rows) out.set(row.target_id, `${Number(row.n)}:${Number(row.last)}`);
  }
  return out;
}

/**
 * Stores tallies, replacing those of the same variants. One computed from an older state than the
 * stored one (two transactions at once) is harmless: its marks do not match, and the variant is
 * counted from its issues until the next refresh stores it again.
 */
export async function storeTallies(db: Db, rows: readonly VariantTallyRow[]): Promise<void> {
  for (const batch of batches(rows, 100)) {
    await db
      .insertInto('variant_tallies')
      .values(batch)
      .onConflict((oc) =>
        oc.column('variant_id').doUpdateSet({
          scan_mark: sql.ref('excluded.scan_mark'),
          exemption_mark: sql.ref('excluded.exemption_mark'),
          critical: sql.ref('excluded.critical'),
          high: sql.ref('excluded.high'),
          medium: sql.ref('excluded.medium'),
          low: sql.ref('excluded.low'),
          info: sql.ref('excluded.info'),
          total: sql.ref('excluded.total'),
          exempted: sql.ref('excluded.exempted'),
          tally: sql.ref('excluded.tally'),
          updated_at: sql.ref('excluded.updated_at'),
        }),
      )
      .execute();
  }
}
