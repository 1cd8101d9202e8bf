import { buildServer, type LanternApp, type ServerOptions } from '../../src/api/server.js';
import { Lantern, type LanternOptions } from '../../src/lantern.js';
import { openTestStore, type StoreKind } from './stores.js';

export interface TestServer {
  lantern: Lantern;
  app: LanternApp;
  close(): Promise<void>;
}

/** A Lantern server on a fresh test store, to be driven with app.inject() or listened on. */
export async function startTestServer(kind: StoreKind, options: LanternOptions = {}, server: ServerOptions = {}): Promise<TestServer> {
  const lantern = new Lantern(await openTestStore(kind), options);
  const app = await buildServer(lantern, server);
  return {
    lantern,
    app,
    close: async () => {
      await app.close();
      await lantern.close();
    },
  };
}
