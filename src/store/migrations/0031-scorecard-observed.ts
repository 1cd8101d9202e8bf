import type { Kysely } from 'kysely';

/**
 * A daily evaluation rewrites only the results that changed (issue #17: a full evaluation a day
 * after the last took 3.3 s at 50 000 entities, rewriting nearly every result).
 *
 * A result kept "days since the last scan" as a count, so time alone changed nearly every stored
 * result each day, and each was written again though its statuses and score stood. Results now
 * keep the moment such a count starts from (scorecards/evaluate.ts), and the count is made when
 * the result is read, as of when the result was last known to hold: the later of its updated_at
 * and the scorecard's last evaluation over every entity, kept here. A full evaluation confirms
 * every result it does not write, so the count as of then is the count it would have stored.
 *
 * Results stored before keep their counts and read as they did; the first full evaluation after
 * this migration rewrites them in the new form.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scorecard_evaluations')
    .addColumn('scorecard_id', 'text', (c) => c.primaryKey())
    .addColumn('evaluated_at', 'text', (c) => c.notNull())
    .execute();
}
