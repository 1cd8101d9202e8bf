import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { localActor } from '../../src/access/actor.js';
import { buildScorecardEstate, type ScorecardEstate } from './scorecard-estate.js';
import { startTestServer, type TestServer } from './server.js';
import type { StoreKind } from './stores.js';

/**
 * A Lantern server listening on a loopback port, requiring a token as a deployment does, holding
 * the scorecards test estate (test/support/scorecard-estate.ts): `full` has issues, `clean` has
 * security data and zero issues, `no-data` links nothing scanned, `team-a` is a Group with no link.
 * The Backstage plugins' tests read it as the plugins read a real Lantern.
 */
export interface PluginEstate {
  server: TestServer;
  estate: ScorecardEstate;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** A viewer at account scope, as the plugins are configured with. */
  token: string;
  /** The clock the server runs on. */
  now: number;
  close(): Promise<void>;
}

export async function startPluginEstate(kind: StoreKind): Promise<PluginEstate> {
  // The server's clock stands still at the start, in real time: the estate's exemption then holds
  // for reads that judge its expiry by the wall clock as for those that take the server's.
  const now = Date.now();
  const server = await startTestServer(kind, { clock: () => new Date(now).toISOString() }, { auth: {}, webRoot: false });
  // One admin requests the estate's exemption and another approves it: nobody approves their own.
  const requester = (await server.lantern.createToken({ name: 'estate-requester', role: 'admin', scope: 'account' }, localActor())).token;
  const approver = (await server.lantern.createToken({ name: 'estate-approver', role: 'admin', scope: 'account' }, localActor())).token;
  const token = (await server.lantern.createToken({ name: 'backstage', role: 'viewer', scope: 'account' }, localActor())).token;
  const call = async (url: string, payload: Record<string, unknown>, token: string) => {
    const response = await server.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}` } });
    if (response.statusCode >= 300) throw new Error(`POST ${url}: ${response.statusCode} ${response.body}`);
    return response.json() as { id: number };
  };
  const estate = await buildScorecardEstate(server.lantern, async (issueId) => {
    const requested = await call('/api/exemptions', { issueId, reason: 'accepted_risk', comment: 'Not reachable.' }, requester);
    await call(`/api/exemptions/${requested.id}/approve`, {}, approver);
  });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.app.server.address() as AddressInfo;
  return {
    server,
    estate,
    url: `http://127.0.0.1:${port}`,
    token,
    now,
    close: async () => {
      await server.close();
      rmSync(estate.catalogDir, { recursive: true, force: true });
    },
  };
}
