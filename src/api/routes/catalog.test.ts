import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatalogClient } from '@backstage/catalog-client';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport } from '../../../test/support/reports.js';
import { rowCounts } from '../../../test/support/row-counts.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { parseScope } from '../../domain/scope.js';

/** A browser's cross-site form cannot send it, so Lantern wants it on every bodyless change (api/auth.ts). */
const JSON_TYPE = { 'content-type': 'application/json' };

const TESTDATA = fileURLToPath(new URL('../../catalog/testdata/store/', import.meta.url));
const PAY = parseScope('acme.pay');
const ALL_REFS = ['api:default/payments-api', 'component:default/ledger', 'component:default/payments', 'group:default/team-a', 'location:default/checkout-services', 'system:default/checkout'];

describeEachStore('HTTP API: the Backstage-compatible catalog', (kind: StoreKind) => {
  let server: TestServer;
  let dir: string;
  beforeEach(async () => {
    // The remote catalog of these tests is served on 127.0.0.1; reading it again at once is part of them.
    server = await startTestServer(kind, { catalog: { allowHosts: ['127.0.0.1'], minRefreshIntervalMs: 0 } });
    dir = mkdtempSync(join(tmpdir(), 'lantern-catalog-api-'));
    cpSync(TESTDATA, dir, { recursive: true });
    await server.lantern.catalog.register(join(dir, 'catalog-info.yaml'), PAY);
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string) => server.app.inject({ method: 'GET', url });
  const names = (items: Array<{ metadata?: { name?: unknown } }>) => items.map((e) => e.metadata?.name);

  it('serves @backstage/catalog-client unchanged, listening on 127.0.0.1', async () => {
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new CatalogClient({ discoveryApi: { getBaseUrl: async () => `${address}/api/catalog` }, fetchApi: { fetch } });

    const components = await client.getEntities({ filter: { kind: 'component' }, fields: ['kind', 'metadata.name'], order: { field: 'metadata.name', order: 'asc' } });
    expect(components.items).toEqual([
      { kind: 'Component', metadata: { name: 'ledger' } },
      { kind: 'Component', metadata: { name: 'payments' } },
    ]);
    const either = await client.getEntities({ filter: [{ kind: 'group' }, { 'spec.type': 'openapi' }] });
    expect(names(either.items).sort()).toEqual(['payments-api', 'team-a']);

    const payments = await client.getEntityByRef('Component:default/PAYMENTS');
    expect(payments).toMatchObject({ kind: 'Component', metadata: { name: 'payments', namespace: 'default', uid: expect.any(String), etag: expect.any(String) } });
    expect(payments?.relations).toContainEqual({ type: 'ownedBy', targetRef: 'group:default/team-a', target: { kind: 'group', namespace: 'default', name: 'team-a' } });
    expect(typeof payments?.metadata.annotations?.['harness.io/sto-test-target']).toBe('string');
    expect(await client.getEntityByRef('component:default/nope')).toBeUndefined();

    // Page through everything with cursors, newest name first.
    const seen: string[] = [];
    let page = await client.queryEntities({ limit: 4, orderFields: { field: 'metadata.name', order: 'desc' } });
    expect(page.totalItems).toBe(6);
    expect(page.pageInfo.prevCursor).toBeUndefined();
    seen.push(...(names(page.items) as string[]));
    const next = page.pageInfo.nextCursor as string;
    page = await client.queryEntities({ cursor: next, limit: 4 });
    seen.push(...(names(page.items) as string[]));
    expect(page.pageInfo.nextCursor).toBeUndefined();
    expect(page.pageInfo.prevCursor).toEqual(expect.any(String));
    expect(seen).toEqual(['team-a', 'payments-api', 'payments', 'ledger', 'checkout-services', 'checkout']);
    const streamed = [];
    for await (const items of client.streamEntities({ pageSize: 2 })) streamed.push(...names(items));
    expect(streamed).toHaveLength(6);

    const found = await client.queryEntities({ fullTextFilter: { term: 'PAY', fields: ['metadata.name'] }, filter: { kind: 'component' } });
    expect(names(found.items)).toEqual(['payments']);
    const byTitle = await client.queryEntities({ fullTextFilter: { term: 'checkout' }, orderFields: { field: 'metadata.title', order: 'asc' } });
    expect(names(byTitle.items)).toEqual(['checkout']);

    const facets = await client.getEntityFacets({ facets: ['kind', 'spec.lifecycle'], filter: { 'metadata.namespace': 'default' } });
    expect(facets.facets.kind).toEqual([
      { value: 'Component', count: 2 },
      { value: 'API', count: 1 },
      { value: 'Group', count: 1 },
      { value: 'Location', count: 1 },
      { value: 'System', count: 1 },
    ]);
    expect(facets.facets['spec.lifecycle']).toEqual([
      { value: 'production', count: 2 },
      { value: 'experimental', count: 1 },
    ]);

    const byRefs = await client.getEntitiesByRefs({ entityRefs: ['component:default/ledger', 'component:default/nope', 'group:team-a'], fields: ['metadata.name'] });
    expect(byRefs.items).toEqual([{ metadata: { name: 'ledger' } }, undefined, { metadata: { name: 'team-a' } }]);

    const locations = await client.getLocations();
    expect(locations.items).toEqual([expect.objectContaining({ id: expect.any(String), type: 'file', target: join(dir, 'catalog-info.yaml') })]);
    expect(await client.getLocationByEntity('component:default/ledger')).toMatchObject({ target: join(dir, 'catalog-info.yaml') });
    await expect(client.refreshEntity('component:default/ledger')).resolves.toBeUndefined();

    const files = await serveFolder(TESTDATA);
    try {
      const added = await client.addLocation({ type: 'url', target: `${files.url}/elsewhere/catalog-info.yaml` });
      expect(added.location).toMatchObject({ type: 'url', target: `${files.url}/elsewhere/catalog-info.yaml` });
      // payments is already defined by the file location: only reports is added.
      expect(names(added.entities)).toEqual(['reports']);
      expect(await client.getLocationById(added.location.id)).toMatchObject({ id: added.location.id, type: 'url', status: 'error' });
      await client.removeLocationById(added.location.id);
      expect(await client.getLocationById(added.location.id)).toBeUndefined();
      expect(await client.getEntityByRef('component:default/reports')).toBeUndefined();
    } finally {
      await files.close();
    }
  });

  it('filters as Backstage does: sets OR-ed, conditions AND-ed, existence, list items, relations, annotations', async () => {
    const query = async (q: string) => names((await get(`/api/catalog/entities?${q}`)).json()).sort();
    expect(await query('filter=kind=component,spec.lifecycle=production')).toEqual(['payments']);
    expect(await query('filter=kind=component&filter=kind=api')).toEqual(['ledger', 'payments', 'payments-api']);
    expect(await query('filter=kind=component,kind=group')).toEqual(['ledger', 'payments', 'team-a']);
    expect(await query('filter=spec.providesApis')).toEqual(['payments']);
    expect(await query('filter=metadata.tags.pci')).toEqual(['payments']);
    expect(await query('filter=metadata.tags=JAVA')).toEqual(['payments']);
    expect(await query(`filter=${encodeURIComponent('relations.ownedby=group:default/team-a')}`)).toEqual(['checkout', 'payments', 'payments-api']);
    expect(await query(`filter=${encodeURIComponent('relations.hasPart')}`)).toEqual(['checkout']);
    expect(await query(`filter=${encodeURIComponent('metadata.annotations.backstage.io/source-location')}`)).toEqual(['payments']);
    expect(await query(`filter=${encodeURIComponent('metadata.annotations.lantern.io/scope=acme.pay,kind=system')}`)).toEqual(['checkout']);
    expect(await query('filter=kind=nothing')).toEqual([]);
  });

  it('orders by any field, entities without it last in either direction, ties by first registration', async () => {
    const ordered = async (q: string) => names((await get(`/api/catalog/entities/by-query?${q}`)).json().items);
    // Only checkout and payments have a title; the others keep the order they were stored in.
    const untitled = ['team-a', 'checkout-services', 'payments-api', 'ledger'];
    expect(await ordered('orderField=metadata.title,asc')).toEqual(['checkout', 'payments', ...untitled]);
    expect(await ordered('orderField=metadata.title,desc')).toEqual(['payments', 'checkout', ...untitled]);
    expect(await ordered('orderField=kind,asc&orderField=metadata.name,desc')).toEqual(['payments-api', 'payments', 'ledger', 'team-a', 'checkout-services', 'checkout']);
  });

  it('pages GET /entities with limit, offset and after, naming the next page in a Link header', async () => {
    const first = await get('/api/catalog/entities?limit=4&order=asc:metadata.name&fields=metadata.name');
    expect(names(first.json())).toEqual(['checkout', 'checkout-services', 'ledger', 'payments']);
    const link = String(first.headers.link);
    expect(link).toMatch(/^<\/api\/catalog\/entities\?.*after=.*>; rel="next"$/);
    const second = await get(link.slice(1, link.indexOf('>')));
    expect(names(second.json())).toEqual(['payments-api', 'team-a']);
    expect(second.headers.link).toBeUndefined();
    expect(names((await get('/api/catalog/entities?offset=5&order=desc:metadata.name')).json())).toEqual(['checkout']);
    const none = await get('/api/catalog/entities?limit=0');
    expect([none.json(), none.headers.link]).toEqual([[], undefined]);
  });

  it('answers bad queries with 400 and unknown names with 404, in the error shape', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['/api/catalog/entities?filter=%3Dx', 400, /^Invalid filter "=x": expected key=value or key/],
      ['/api/catalog/entities?order=sideways:metadata.name', 400, /^Invalid order "sideways:metadata\.name"/],
      ['/api/catalog/entities/by-query?orderField=metadata.name,up', 400, /^Invalid orderField "metadata\.name,up"/],
      ['/api/catalog/entities/by-query?cursor=not-a-cursor', 400, /^Invalid cursor "not-a-cursor"/],
      ['/api/catalog/entities?fields=metadata.tags[0]', 400, /^Invalid field "metadata\.tags\[0\]"/],
      ['/api/catalog/entities?limit=-1', 400, /^Invalid request/],
      ['/api/catalog/entity-facets', 400, /^Invalid request/],
      ['/api/catalog/entities/by-name/component/default/nope', 404, /^No entity named "nope" of kind "component" in namespace "default"\.$/],
      ['/api/catalog/entities/by-uid/nope', 404, /^No entity with uid "nope"\.$/],
      ['/api/catalog/locations/99', 404, /^No location with id "99"\.$/],
      ['/api/catalog/locations/x', 404, /^No location with id "x"\.$/],
    ];
    for (const [url, status, message] of cases) {
      const response = await get(url);
      expect([url, response.statusCode]).toEqual([url, status]);
      expect(response.json().error.message).toMatch(message);
    }
    const badRef = await server.app.inject({ method: 'POST', url: '/api/catalog/entities/by-refs', payload: { entityRefs: ['component:'] } });
    expect(badRef.statusCode).toBe(400);
    expect(badRef.json().error.message).toBe('Invalid entity ref "component:": expected kind:namespace/name, such as component:default/payments.');
    const badJson = await server.app.inject({ method: 'POST', url: '/api/catalog/entities/by-refs', payload: '{"entityRefs": [', headers: { 'content-type': 'application/json' } });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.message).toBe('The request body is not valid JSON.');
    // An empty JSON body is no body, as Backstage's client sends it.
    const empty = await server.app.inject({ method: 'POST', url: '/api/catalog/refresh', payload: '', headers: { 'content-type': 'application/json' } });
    expect(empty.statusCode).toBe(200);
  });

  it("serves an entity's target links, re-resolved when a scan arrives", async () => {
    const before = (await get('/api/catalog/entities/by-name/component/default/payments/target-links')).json();
    expect(before).toMatchObject({ entityRef: 'component:default/payments', scope: 'acme.pay' });
    expect(before.links.map((l: { name: string; matched: boolean; origin: string }) => [l.name, l.origin, l.matched])).toEqual([
      ['registry.acme.io/payments', 'annotation', false],
      ['acme/payments-config', 'annotation', false],
      ['acme/payments', 'source-url', false],
    ]);
    await server.lantern.ingest({ report: bytes(trivyReport([])), source: 'trivy.json', target: 'registry.acme.io/payments', targetType: 'container', variant: 'latest', scope: PAY });
    const after = (await get('/api/catalog/entities/by-name/component/default/payments/target-links')).json();
    expect(after.links[0]).toMatchObject({ matched: true, target: { name: 'registry.acme.io/payments' }, shown: { name: 'latest', reason: 'variant' }, diagnostics: [] });
    const entity = (await get('/api/catalog/entities/by-name/component/default/payments')).json();
    expect(entity.status.items[0]).toEqual({
      type: 'lantern.io/target-links',
      level: 'info',
      message: 'Linked to target "registry.acme.io/payments" in acme.pay, showing "latest" (the variant asked for).',
    });
    const uid = entity.metadata.uid;
    expect((await get(`/api/catalog/entities/by-uid/${uid}`)).json().metadata.name).toBe('payments');
  });

  it('reads locations again on POST /api/catalog/refresh: an entity deleted from its file leaves, a broken file keeps its entities', async () => {
    writeFileSync(join(dir, 'services', 'ledger.yaml'), readFileSync(join(dir, 'services', 'ledger.yaml'), 'utf8').replace('name: ledger', 'name: billing'));
    const refreshed = await server.app.inject({ method: 'POST', url: '/api/catalog/refresh', headers: JSON_TYPE });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().locations).toEqual([expect.objectContaining({ status: 'ok', added: 1, removed: 1, unchanged: 5, kept: 0 })]);
    expect((await get('/api/catalog/entities/by-name/component/default/ledger')).statusCode).toBe(404);

    writeFileSync(join(dir, 'services', 'payments.yaml'), ': : not yaml [');
    const broken = await server.app.inject({ method: 'POST', url: '/api/catalog/refresh', payload: { entityRef: 'component:default/payments' } });
    expect(broken.json().locations).toEqual([expect.objectContaining({ status: 'error', kept: 2, removed: 0, lastError: expect.stringMatching(/payments\.yaml:1:\d+: document 1: error: YAML syntax error/) })]);
    expect((await get('/api/catalog/entities/by-name/component/default/payments')).statusCode).toBe(200);
    const location = (await get('/api/catalog/locations')).json()[0].data;
    expect(location).toMatchObject({ status: 'error', entities: 6 });
    const detail = (await get(`/api/catalog/locations/${location.id}`)).json();
    expect(detail.problems).toEqual([expect.objectContaining({ level: 'error', file: join(dir, 'services', 'payments.yaml'), message: expect.stringMatching(/^YAML syntax error/) })]);

    const unknown = await server.app.inject({ method: 'POST', url: '/api/catalog/refresh', payload: { entityRef: 'component:default/nope' } });
    expect(unknown.statusCode).toBe(404);
  });

  it('registers a URL location over HTTP, refuses local files, and deletes a location with its entities', async () => {
    const files = await serveFolder(TESTDATA);
    try {
      const url = `${files.url}/catalog-info.yaml`;
      const post = (payload: object, q = '') => server.app.inject({ method: 'POST', url: `/api/catalog/locations${q}`, payload });

      // Deleting the file location removes its entities and frees their refs.
      const fileLocation = (await get('/api/catalog/locations')).json()[0].data.id;
      expect((await server.app.inject({ method: 'DELETE', url: `/api/catalog/locations/${fileLocation}`, headers: JSON_TYPE })).statusCode).toBe(204);
      expect((await get('/api/catalog/entities')).json()).toEqual([]);
      expect((await server.app.inject({ method: 'DELETE', url: `/api/catalog/locations/${fileLocation}`, headers: JSON_TYPE })).statusCode).toBe(404);

      const before = await rowCounts(server.lantern.store);
      const dry = await post({ type: 'url', target: url, scope: 'acme.url' }, '?dryRun=true');
      expect(dry.statusCode).toBe(201);
      expect(dry.json()).toMatchObject({ exists: false, location: { target: url, scope: 'acme.url' } });
      expect(dry.json().entities).toHaveLength(6);
      expect(await rowCounts(server.lantern.store)).toEqual(before);

      const created = await post({ type: 'url', target: url, scope: 'acme.url' });
      expect(created.statusCode).toBe(201);
      expect(created.json().location).toMatchObject({ type: 'url', target: url, scope: 'acme.url', status: 'ok', lastError: null });
      expect(created.json().exists).toBeUndefined();
      const refs = created.json().entities.map((e: { kind: string; metadata: { name: string } }) => `${e.kind.toLowerCase()}:default/${e.metadata.name}`);
      expect(refs.sort()).toEqual(ALL_REFS);
      const payments = (await get('/api/catalog/entities/by-name/component/default/payments')).json();
      expect(payments.metadata.annotations).toMatchObject({
        'backstage.io/managed-by-location': `url:${files.url}/services/payments.yaml`,
        'backstage.io/managed-by-origin-location': `url:${url}`,
        'lantern.io/scope': 'acme.url',
      });

      expect((await post({ type: 'url', target: url, scope: 'acme.url' })).statusCode).toBe(409);
      const again = await post({ type: 'url', target: url, scope: 'acme.url' }, '?onConflict=refresh');
      expect(again.statusCode).toBe(201);
      expect(again.json().exists).toBe(true);

      const file = await post({ type: 'file', target: join(dir, 'catalog-info.yaml') });
      expect(file.statusCode).toBe(400);
      expect(file.json().error.message).toMatch(/^Locations of type "file" cannot be registered over HTTP/);
      expect((await post({ target: '/etc/passwd' })).json().error.message).toBe('Invalid location target "/etc/passwd": expected an http(s) URL.');
      const unreachable = await post({ target: `${files.url}/missing.yaml` });
      expect(unreachable.statusCode).toBe(400);
      expect(unreachable.json().error.message).toBe(`The catalog file could not be read from ${files.url}/missing.yaml.`);
    } finally {
      await files.close();
    }
  });

  it('documents the catalog routes in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/catalog/entities',
        '/api/catalog/entities/by-query',
        '/api/catalog/entities/by-refs',
        '/api/catalog/entities/by-name/{kind}/{namespace}/{name}',
        '/api/catalog/entities/by-name/{kind}/{namespace}/{name}/target-links',
        '/api/catalog/entity-facets',
        '/api/catalog/locations',
        '/api/catalog/locations/{id}',
        '/api/catalog/refresh',
      ]),
    );
  });
});

/** Serves a folder's files over http on 127.0.0.1, as a remote catalog would. */
async function serveFolder(folder: string): Promise<{ url: string; close(): Promise<void> }> {
  const http: Server = createServer((request, response) => {
    try {
      const body = readFileSync(join(folder, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
      response.writeHead(200, { 'content-type': 'text/yaml' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => http.close(() => resolve())) };
}
