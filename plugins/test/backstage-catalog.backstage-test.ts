import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseScope } from '../../src/domain/scope.js';
import type { TargetType } from '../../src/domain/target.js';
import { Lantern } from '../../src/lantern.js';
import { linksOfEntity } from '../../src/store/target-links.js';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';

/**
 * Lantern's `backstage+http://…` catalog reader against Backstage's own catalog backend
 * (@backstage/plugin-catalog-backend from npm), started in Backstage's test backend on an
 * in-memory SQLite database and listening on a loopback port. Backstage reads a
 * catalog-info.yaml through a static file location; Lantern reads the same file once as a file
 * location and once through Backstage's API, and both reads must give the same entities, links,
 * diagnostics and scopes.
 */

const PAY = parseScope('acme.pay');

/** The entities as a team writes them in its catalog-info.yaml. */
const written = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments',
      title: 'Payments',
      tags: ['java', 'pci'],
      annotations: {
        'harness.io/sto-test-target': JSON.stringify([{ name: 'registry.acme.io/payments', variant: 'latest' }, { name: 'acme/payments-config', scope: 'account' }]),
        'backstage.io/source-location': 'url:https://github.com/acme/payments/tree/main/',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a', system: 'checkout' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'ledger', namespace: 'finance', description: 'The general ledger', annotations: { 'backstage.io/source-location': 'url:https://gitlab.com/acme/finance/ledger/-/tree/main/' } },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:default/team-a' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'storefront',
      annotations: {
        // A target of another project than the location's scope, and a name that matches nothing scanned.
        'harness.io/sto-test-target': JSON.stringify([{ name: 'acme/storefront', scope: 'acme.shop' }, { name: 'registry.acme.io/storefront' }]),
      },
    },
    spec: { type: 'website', lifecycle: 'experimental', owner: 'team-a', system: 'checkout' },
  },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'team-a' }, spec: { type: 'team', children: [] } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'checkout' }, spec: { owner: 'team-a' } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata: { name: 'payments-api' }, spec: { type: 'openapi', lifecycle: 'production', owner: 'team-a', system: 'checkout', definition: 'openapi: 3.0.0' } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Resource', metadata: { name: 'payments-db' }, spec: { type: 'database', owner: 'team-a', system: 'checkout' } },
];
const WRITTEN_REFS = ['api:default/payments-api', 'component:default/payments', 'component:default/storefront', 'component:finance/ledger', 'group:default/team-a', 'resource:default/payments-db', 'system:default/checkout'];

const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;
const scans: Array<[target: string, type: TargetType, variant: string]> = [
  ['registry.acme.io/payments', 'container', 'latest'],
  ['acme/payments', 'repository', 'main'],
  ['Acme/Finance/Ledger', 'repository', 'main'],
  ['acme/storefront', 'repository', 'main'],
];

describeEachStore("Lantern's catalog read from Backstage's own catalog backend", (kind: StoreKind) => {
  let dir: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let address: string;
  let fromBackstage: Lantern;
  let fromFile: Lantern;
  let catalogFile: string;
  let viaBackstage: Awaited<ReturnType<Lantern['catalog']['register']>>;
  let viaFile: typeof viaBackstage;
  const token = mockCredentials.service.token();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-backstage-catalog-'));
    catalogFile = join(dir, 'catalog-info.yaml');
    writeFileSync(catalogFile, written.map((e) => JSON.stringify(e, null, 2)).join('\n---\n'));
    backend = await startTestBackend({
      features: [
        import('@backstage/plugin-catalog-backend'),
        mockServices.rootConfig.factory({
          data: {
            backend: { database: { client: 'better-sqlite3', connection: ':memory:' } },
            catalog: {
              rules: [{ allow: ['Component', 'API', 'Group', 'System', 'Resource', 'Location'] }],
              locations: [{ type: 'file', target: catalogFile }],
            },
          },
        }),
      ],
    });
    address = `http://127.0.0.1:${backend.server.port()}`;
    await waitForBackstage(address, token);

    fromBackstage = new Lantern(await openTestStore(kind), { catalog: { allowPrivate: true, backstage: { token } } });
    fromFile = new Lantern(await openTestStore(kind));
    for (const into of [fromBackstage, fromFile]) {
      for (const [target, targetType, variant] of scans) {
        await into.ingest({ report: bytes(trivyReport([lodash])), source: 'trivy.json', target, targetType, variant, scope: PAY });
      }
    }
    viaBackstage = await fromBackstage.catalog.register(`backstage+${address}`, PAY);
    viaFile = await fromFile.catalog.register(catalogFile, PAY);
  });
  afterAll(async () => {
    await fromBackstage?.close();
    await fromFile?.close();
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the entities Backstage processed from the file: the same entities, fields and scopes as the file location gives', async () => {
    expect(viaBackstage.location).toMatchObject({ target: `backstage+${address}/`, status: 'ok', last_error: null, scope: 'acme.pay' });
    expect(viaFile.location).toMatchObject({ status: 'ok', last_error: null });
    expect(viaBackstage.problems).toEqual([]);
    expect(viaFile.problems).toEqual([]);
    expect(viaFile.added.sort()).toEqual(WRITTEN_REFS);
    // Backstage also serves the Location entity it generated for its static location: stored, not followed.
    const generated = viaBackstage.added.filter((ref) => !WRITTEN_REFS.includes(ref));
    expect(generated).toEqual([expect.stringMatching(/^location:default\/generated-[0-9a-f]+$/)]);
    expect(viaBackstage.added.filter((ref) => WRITTEN_REFS.includes(ref)).sort()).toEqual(WRITTEN_REFS);

    // Every written entity as Lantern stores it, but for where it was read from.
    const stored = async (lantern: Lantern) =>
      (await lantern.store.db.selectFrom('entities').select(['ref', 'kind', 'namespace', 'name', 'title', 'description', 'type', 'owner_ref', 'system_ref', 'domain_ref', 'lifecycle', 'tags', 'scope', 'format', 'repository_url', 'problems']).where('ref', 'in', WRITTEN_REFS).orderBy('ref').execute());
    const fileRows = await stored(fromFile);
    expect(fileRows).toHaveLength(WRITTEN_REFS.length);
    expect(await stored(fromBackstage)).toEqual(fileRows);
    expect(fileRows.find((r) => r.ref === 'component:finance/ledger')).toMatchObject({ scope: 'acme.pay', owner_ref: 'group:default/team-a', repository_url: 'https://gitlab.com/acme/finance/ledger' });

    // Relations are Lantern's own, computed the same way from both reads.
    const relations = async (lantern: Lantern) =>
      (await lantern.store.db.selectFrom('entity_relations').innerJoin('entities', 'entities.id', 'entity_relations.entity_id').select(['entities.ref', 'entity_relations.type', 'entity_relations.target_ref']).where('entities.ref', 'in', WRITTEN_REFS).execute())
        .map((r) => `${r.ref} ${r.type} ${r.target_ref}`)
        .sort();
    expect(await relations(fromBackstage)).toEqual(await relations(fromFile));

    // The annotations Backstage added say where it read the entity: the file, as a file: location.
    const envelope = await fromBackstage.store.db.selectFrom('entities').select(['envelope', 'source_file']).where('ref', '=', 'component:default/payments').executeTakeFirstOrThrow();
    expect(envelope.source_file).toBe(`${address}/api/catalog/entities/by-name/Component/default/payments`);
    expect(JSON.parse(envelope.envelope).metadata.annotations).toMatchObject({ 'backstage.io/managed-by-location': `file:${catalogFile}`, 'lantern.io/scope': 'acme.pay' });
  });

  it('links every entity to the same targets, with the same diagnostics, as the file location does', async () => {
    const links = async (lantern: Lantern) => {
      const all: Record<string, unknown> = {};
      const rows = await lantern.store.db.selectFrom('entities').select(['id', 'ref']).where('ref', 'in', WRITTEN_REFS).orderBy('ref').execute();
      for (const row of rows) {
        all[row.ref] = (await linksOfEntity(lantern.store.db, row.id)).map((l) => ({ origin: l.origin, name: l.name, scope: l.scope, variant: l.variant, matched: l.matched, target: l.targetName, shown: l.variantName, diagnostics: l.diagnostics }));
      }
      return all;
    };
    const viaFile = await links(fromFile);
    expect(await links(fromBackstage)).toEqual(viaFile);
    // What the file gives is what the estate says: two targets found, one in another project, one never scanned.
    const payments = viaFile['component:default/payments'] as Array<{ name: string; matched: boolean }>;
    expect(payments.map((l) => [l.name, l.matched])).toEqual([
      ['registry.acme.io/payments', true],
      ['acme/payments-config', false],
      ['acme/payments', true],
    ]);
    expect(viaFile['component:finance/ledger']).toEqual([expect.objectContaining({ name: 'acme/finance/ledger', matched: true, target: 'Acme/Finance/Ledger', diagnostics: [expect.objectContaining({ code: 'case-folded' })] })]);
    const storefront = viaFile['component:default/storefront'] as Array<{ name: string; matched: boolean; diagnostics: unknown[] }>;
    expect(storefront.map((l) => [l.name, l.matched])).toEqual([
      ['acme/storefront', false],
      ['registry.acme.io/storefront', false],
    ]);
    expect(storefront.every((l) => l.diagnostics.length > 0)).toBe(true);
  });

  it("says so when Backstage refuses Lantern's token, naming the location and never the token", async () => {
    const refused = new Lantern(await openTestStore(kind), { catalog: { allowPrivate: true, backstage: { token: mockCredentials.service.invalidToken() } } });
    try {
      await expect(refused.catalog.register(`backstage+${address}`, PAY)).rejects.toThrow(
        `The Backstage catalog backstage+${address}/ refused the token in LANTERN_BACKSTAGE_TOKEN (HTTP 401): expected a static or service token that Backstage's backend accepts.`,
      );
    } finally {
      await refused.close();
    }
  });
});

/** Backstage processes its locations in the background: waits until it serves every written entity. */
async function waitForBackstage(address: string, token: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  let served: string[] = [];
  while (Date.now() < deadline) {
    const response = await fetch(`${address}/api/catalog/entities/by-query?limit=100`, { headers: { authorization: `Bearer ${token}` } });
    if (response.ok) {
      const page = (await response.json()) as { items: Array<{ kind: string; metadata: { namespace?: string; name: string } }> };
      served = page.items.map((e) => `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`);
      if (WRITTEN_REFS.every((ref) => served.includes(ref))) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Backstage's catalog served only ${served.join(', ') || 'nothing'} after 90 seconds.`);
}
