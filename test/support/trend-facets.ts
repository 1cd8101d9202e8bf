import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { fillTrendFacets } from '../../src/store/migrations/0027-trend-facets.js';
import type { Database } from '../../src/store/schema.js';

const SUMS = new Set(['with_data', 'critical', 'high', 'medium', 'low', 'info', 'total', 'entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail']);
const TABLES = ['trend_facet_changes', 'scorecard_trend_facet_changes'] as const;

/** A table's rows that change something, sums as numbers, in key order. */
async function kept(db: Kysely<Database>, table: (typeof TABLES)[number]): Promise<Array<Record<string, unknown>>> {
  const rows = (await db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
  const key = (r: Record<string, unknown>) => Object.entries(r).filter(([k]) => !SUMS.has(k)).map(([, v]) => String(v)).join('\n');
  return rows
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, SUMS.has(k) || k === 'shard' ? Number(v) : v])))
    .filter((r) => Object.entries(r).some(([k, v]) => SUMS.has(k) && v !== 0))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The migration's fill, from the history as it stands, gives the facet rows kept so far (and leaves them so). */
export async function expectFillGivesKeptRows(db: Kysely<Database>, postgres: boolean): Promise<void> {
  const before = await Promise.all(TABLES.map((t) => kept(db, t)));
  expect(before.every((rows) => rows.length > 0)).toBe(true);
  for (const table of TABLES) await db.deleteFrom(table).execute();
  await fillTrendFacets(db as never, postgres);
  expect(await Promise.all(TABLES.map((t) => kept(db, t)))).toEqual(before);
}
