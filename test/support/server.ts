import { sql } from 'kysely';
import { buildServer, type LanternApp, type ServerOptions } from '../../src/api/server.js';
import { Lantern, type LanternOptions } from '../../src/lantern.js';
import { openStore } from '../../src/store/database.js';
import { openTestStore, POSTGRES_URL, type StoreKind } from './stores.js';

export interface TestServer {
  lantern: Lantern;
  app: LanternApp;
  close(): Promise<void>;
}

/**
 * A Lantern server on a fresh test store, to be driven with app.inject() or listened on.
 *
 * Unless a test says otherwise, anonymous callers act as an account admin: the tests of what a
 * route does are not tests of who may call it (src/api/access.test.ts is).
 */
export const ANONYMOUS_ADMIN: ServerOptions['auth'] = { anonymous: { role: 'admin', scope: 'account' } };

export async function startTestServer(kind: StoreKind, options: LanternOptions = {}, server: Partial<ServerOptions> = {}): Promise<TestServer> {
  const lantern = new Lantern(await openTestStore(kind), options);
  const app = await buildServer(lantern, { auth: ANONYMOUS_ADMIN, ...server });
  return {
    lantern,
    app,
    close: async () => {
      await app.close();
      await lantern.close();
    },
  };
}

/**
 * A second Lantern server on the store of `first`, as a second replica would be: on PostgreSQL its
 * own pool on the same schema; on SQLite `first` itself (one process holds the writer), whose
 * close is left to its owner.
 */
export async function startSecondServer(first: TestServer, kind: StoreKind, options: LanternOptions = {}, server: Partial<ServerOptions> = {}): Promise<TestServer> {
  if (kind !== 'postgres') return { lantern: first.lantern, app: first.app, close: async () => {} };
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(first.lantern.store.db);
  const lantern = new Lantern(await openStore(POSTGRES_URL as string, { schema: rows[0]?.schema as string, poolSize: 4 }), options);
  const app = await buildServer(lantern, { auth: ANONYMOUS_ADMIN, ...server });
  return {
    lantern,
    app,
    close: async () => {
      await app.close();
      await lantern.close();
    },
  };
}
