import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDefaultUser } from '../../src/store/database.js';

const lockKey = (run: string) => `lantern-test-run:${run}`;

/**
 * Vitest global setup: names this run, so that every PostgreSQL test schema it creates carries the
 * name (test/support/stores.ts), and drops them all once the run is over. Dropping schemas while
 * other tests run made Kysely's introspection, which reads every schema, fail now and then.
 *
 * A run that was killed never drops its schemas, and thousands of left-over tables slow every
 * later run down. So a run holds an advisory lock named after it while it lasts, and at its start
 * drops the schemas of every run whose lock nobody holds any more (a run still going holds its own).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const run = randomBytes(4).toString('hex');
  process.env.LANTERN_TEST_RUN = run;
  const url = process.env.LANTERN_TEST_DATABASE_URL;
  if (!url) return async () => undefined;
  const client = new pg.Client({ connectionString: withDefaultUser(url) });
  await client.connect();
  await client.query('select pg_advisory_lock(hashtext($1))', [lockKey(run)]);
  const schemasOf = async (pattern: string) =>
    (await client.query<{ name: string }>(`select nspname as name from pg_catalog.pg_namespace where nspname ~ $1`, [pattern])).rows.map((r) => r.name);
  const others = new Set((await schemasOf('^lantern_t[0-9a-f]{8}_')).map((name) => name.slice('lantern_t'.length, 'lantern_t'.length + 8)));
  others.delete(run);
  for (const other of others) {
    const { rows } = await client.query<{ free: boolean }>('select pg_try_advisory_lock(hashtext($1)) as free', [lockKey(other)]);
    if (!rows[0]?.free) continue;
    try {
      for (const name of await schemasOf(`^lantern_t${other}_`)) await client.query(`drop schema if exists ${name} cascade`);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [lockKey(other)]);
    }
  }
  return async () => {
    try {
      for (const name of await schemasOf(`^lantern_t${run}_`)) await client.query(`drop schema if exists ${name} cascade`);
    } finally {
      await client.end();
    }
  };
}
