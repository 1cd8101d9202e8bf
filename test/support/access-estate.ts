import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/roles.js';
import { nodeSourceReader, type SourceReader } from '../../src/catalog/source-reader.js';
import { parseScope } from '../../src/domain/scope.js';
import type { Lantern, LanternOptions } from '../../src/lantern.js';
import { bytes, trivyReport, type Vulnerability } from './reports.js';
import { startTestServer, type TestServer } from './server.js';
import type { StoreKind } from './stores.js';

/**
 * Two projects of one org, each with what every API route acts on, for the tests of who may do
 * what where (src/api/access-*.test.ts):
 *
 *   acme.pay:  catalog location (System payments in domain money, Component pay-api owned by
 *              team-pay, linked to target acme/pay-api), one Trivy scan of acme/pay-api with
 *              CVE-2026-1001, a pending exemption of that issue requested by dev-pay.
 *   acme.edge: the same shape: System edge in domain network, Component edge-proxy owned by
 *              team-edge, target acme/edge-proxy with CVE-2026-2002, a pending exemption.
 *   account:   the scorecard `owned` (defined through the API), and tokens named after their
 *              grant, e.g. `viewer@acme.pay` (see PRINCIPALS).
 *
 * A URL location is served by a stand-in reader at CATALOG_URL.
 */
export const CATALOG_URL = 'https://catalog.example.com/catalog-info.yaml';

export const PRINCIPALS = [
  'admin@account',
  'viewer@account',
  'admin@acme.pay',
  'security@acme.pay',
  'developer@acme.pay',
  'viewer@acme.pay',
  'ingester@acme.pay',
  'admin@acme.edge',
  'security@acme.edge',
  'developer@acme.edge',
  'viewer@acme.edge',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export const PAY_CVE: Vulnerability = { id: 'CVE-2026-1001', pkg: 'pay-lib', version: '1.0.0', severity: 'HIGH', fixed: '1.0.1' };
export const EDGE_CVE: Vulnerability = { id: 'CVE-2026-2002', pkg: 'edge-lib', version: '2.0.0', severity: 'CRITICAL' };

export interface ProjectObjects {
  scope: string;
  component: string;
  system: string;
  domain: string;
  owner: string;
  target: string;
  targetId: number;
  scanId: number;
  issueId: number;
  locationId: number;
  entityUid: string;
  exemptionId: number;
}

export interface AccessEstate {
  server: TestServer;
  lantern: Lantern;
  dir: string;
  pay: ProjectObjects;
  edge: ProjectObjects;
  /** Each principal's token, by name. */
  tokens: Record<PrincipalName, string>;
  /** The actor of a token, to call Lantern's methods as that principal. */
  actor(name: PrincipalName): Promise<Actor>;
  /** A folder with a catalog file of one component (and its name), for a new location. */
  catalogFolder(component: string, options?: { owner?: string; system?: string; domain?: string; target?: string }): string;
  close(): Promise<void>;
}

function catalogFile(component: string, options: { owner?: string | undefined; system?: string | undefined; domain?: string | undefined; target?: string | undefined }): string {
  const docs = [];
  if (options.system && options.domain) {
    docs.push(`apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: ${options.system}\nspec:\n  owner: ${options.owner ?? 'nobody'}\n  domain: ${options.domain}\n`);
  }
  docs.push(
    [
      'apiVersion: backstage.io/v1alpha1',
      'kind: Component',
      'metadata:',
      `  name: ${component}`,
      ...(options.target ? ['  annotations:', '    harness.io/sto-test-target:', `      - name: ${options.target}`] : []),
      'spec:',
      '  type: service',
      '  lifecycle: production',
      `  owner: ${options.owner ?? 'nobody'}`,
      ...(options.system ? [`  system: ${options.system}`] : []),
      '',
    ].join('\n'),
  );
  return docs.join('---\n');
}

/** A reader that serves CATALOG_URL from memory and everything else from the disk. */
function standInReader(): SourceReader {
  const disk = nodeSourceReader();
  return {
    ...disk,
    readText: (address, within) => (address === CATALOG_URL ? Promise.resolve(catalogFile('from-url', { owner: 'team-pay' })) : disk.readText(address, within)),
  };
}

export async function buildAccessEstate(kind: StoreKind, options: LanternOptions = {}, serverOptions: Parameters<typeof startTestServer>[2] = {}): Promise<AccessEstate> {
  const server = await startTestServer(kind, { ...options, catalog: { reader: standInReader(), ...options.catalog } }, { auth: {}, webRoot: false, ...serverOptions });
  const { lantern } = server;
  const dir = mkdtempSync(join(tmpdir(), 'lantern-access-'));
  let folders = 0;
  const catalogFolder: AccessEstate['catalogFolder'] = (component, o = {}) => {
    const folder = join(dir, `catalog-${++folders}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'catalog-info.yaml'), catalogFile(component, o));
    return folder;
  };

  const tokens = {} as Record<PrincipalName, string>;
  for (const name of PRINCIPALS) {
    const [role, scope] = name.split('@') as [Role, string];
    tokens[name] = (await lantern.createToken({ name, role, scope })).token;
  }
  const actor = async (name: PrincipalName): Promise<Actor> => {
    const principal = await lantern.tokens.verify(tokens[name]);
    if (!principal) throw new Error(`The token of ${name} does not verify.`);
    return { principal, clientAddress: '203.0.113.7' };
  };

  const project = async (scope: string, p: { component: string; system: string; domain: string; owner: string; target: string; cve: Vulnerability; requester: PrincipalName }): Promise<ProjectObjects> => {
    const folder = catalogFolder(p.component, { owner: p.owner, system: p.system, domain: p.domain, target: p.target });
    const { location } = await lantern.registerLocation(folder, parseScope(scope));
    const scan = await lantern.ingest({ report: bytes(trivyReport([p.cve])), source: `${p.target}.json`, target: p.target, targetType: 'repository', variant: 'main', scope: parseScope(scope) });
    const db = lantern.store.db;
    const issue = await db.selectFrom('issues').select('id').where('vulnerability_id', '=', p.cve.id).executeTakeFirstOrThrow();
    const target = await db.selectFrom('targets').select('id').where('name', '=', p.target).executeTakeFirstOrThrow();
    const entity = await db.selectFrom('entities').select('uid').where('name', '=', p.component).executeTakeFirstOrThrow();
    const exemption = await lantern.requestExemption({ issueId: issue.id, reason: 'accepted_risk', comment: `Not reachable in ${p.component}.` }, await actor(p.requester));
    return { scope, component: p.component, system: p.system, domain: p.domain, owner: p.owner, target: p.target, targetId: target.id, scanId: scan.scanId, issueId: issue.id, locationId: location.id, entityUid: entity.uid, exemptionId: exemption.id };
  };
  const pay = await project('acme.pay', { component: 'pay-api', system: 'payments', domain: 'money', owner: 'team-pay', target: 'acme/pay-api', cve: PAY_CVE, requester: 'developer@acme.pay' });
  const edge = await project('acme.edge', { component: 'edge-proxy', system: 'edge', domain: 'network', owner: 'team-edge', target: 'acme/edge-proxy', cve: EDGE_CVE, requester: 'developer@acme.edge' });

  const defined = await server.app.inject({
    method: 'POST',
    url: '/api/scorecards',
    headers: { authorization: `Bearer ${tokens['admin@account']}` },
    payload: { id: 'owned', name: 'Owned', checks: [{ id: 'owner', name: 'Has an owner', rules: [{ dataPoint: 'catalog.has_owner', operator: '==', value: true }] }] },
  });
  if (defined.statusCode !== 201) throw new Error(`Defining the scorecard answered ${defined.statusCode}: ${defined.body}`);

  return {
    server,
    lantern,
    dir,
    pay,
    edge,
    tokens,
    actor,
    catalogFolder,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
