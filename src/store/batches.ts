/**
 * Long `IN (…)` lists split into batches that stay under both dialects' limits on bound
 * parameters (SQLite 32 766, PostgreSQL 65 535), whatever else the statement binds.
 */
export const IN_LIST_BATCH = 5000;

export function batches<T>(items: Iterable<T>, size = IN_LIST_BATCH): T[][] {
  const all = [...items];
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}
