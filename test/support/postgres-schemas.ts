import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withDefaultUser } from '../../src/store/database.js';

/**
 * Vitest global setup: names this run, so that every PostgreSQL test schema it creates carries the
 * name (test/support/stores.ts), and drops them all once the run is over. Dropping schemas while
 * other tests run made Kysely's introspection, which reads every schema, fail now and then.
 */
export default function setup(): () => Promise<void> {
  const run = randomBytes(4).toString('hex');
  process.env.LANTERN_TEST_RUN = run;
  return async () => {
    const url = process.env.LANTERN_TEST_DATABASE_URL;
    if (!url) return;
    const client = new pg.Client({ connectionString: withDefaultUser(url) });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(`select schema_name as name from information_schema.schemata where schema_name like $1`, [`lantern_t${run}_%`]);
      for (const { name } of rows) await client.query(`drop schema if exists ${name} cascade`);
    } finally {
      await client.end();
    }
  };
}
