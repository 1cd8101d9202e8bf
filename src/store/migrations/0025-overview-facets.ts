import { type Kysely, sql } from 'kysely';

/**
 * The overview's facet filters read by index (issue #17), beside entity_sort_keys
 * (0010-overview-sort.ts), whose rows and triggers are left as they are.
 *
 * A facet filter that keeps few entities reads them through one of these and sorts them; one that
 * keeps many walks the sort's index and checks each row (insights/overview-facets.ts chooses from
 * the stored counts). An owner or system given as a bare name (`team-a` for
 * `group:default/team-a`) compares the part of the lowered ref after its last `/`: the expression
 * below, the same text on SQLite and PostgreSQL (rtrim by every character but `/` keeps the ref up
 * to its last `/`).
 */
export const refNameKey = (column: string) => `substr(${column}, length(rtrim(${column}, replace(${column}, '/', ''))) + 1)`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['kind_key', 'type_key', 'lifecycle_key', 'has_data']) {
    await db.schema.createIndex(`entity_sort_keys_${column}`).on('entity_sort_keys').column(column).execute();
  }
  for (const column of ['owner_key', 'system_key']) {
    await db.schema
      .createIndex(`entity_sort_keys_${column.replace('_key', '')}_name`)
      .on('entity_sort_keys')
      .expression(sql.raw(refNameKey(column)))
      .execute();
  }
  await sql`analyze ${sql.table('entity_sort_keys')}`.execute(db);
}
