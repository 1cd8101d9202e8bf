import { buildServer, type LanternApp, type ServerOptions } from '../../src/api/server.js';
import { Lantern, type LanternOptions } from '../../src/lantern.js';
import { openTestStore, type StoreKind } from './stores.js';

export interface TestServer {
  lantern: Lantern;
  app: LanternApp;
  close(): Promise<void>;
}

/** A Lantern server on a fresh test store, to be driven with app.inject() or listened on. */
/**
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
