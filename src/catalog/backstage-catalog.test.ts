import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asServed, type FakeBackstage, type FakeEntity, startFakeBackstage } from '../../test/support/fake-backstage.js';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { startTestServer } from '../../test/support/server.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { InputError } from '../domain/errors.js';
import { parseScope } from '../domain/scope.js';
import type { TargetType } from '../domain/target.js';
import { Lantern } from '../lantern.js';
import { findEntityByRef } from '../store/catalog-entities.js';
import { linksOfEntity } from '../store/target-links.js';
import { backstageTokenFrom } from './backstage-catalog.js';
import { Catalog } from './catalog.js';
import type { CatalogReadOptions } from './refresh.js';

const TOKEN = 'bk-static-3f9a1c7e5d2b';
const WRONG = 'bk-wrong-8e2d6a4c1f0b';
const PAY = parseScope('acme.pay');
const CATALOG_FILE = 'https://github.com/acme/catalog/blob/main/all.yaml';

/** The entities as their files write them. */
const written: FakeEntity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments',
      title: 'Payments',
      annotations: {
        'harness.io/sto-test-target': JSON.stringify([{ name: 'registry.acme.io/payments', variant: 'latest' }, { name: 'acme/payments-config', scope: 'account' }]),
        'backstage.io/source-location': 'url:https://github.com/acme/payments/tree/main/',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a', system: 'checkout' },
  },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'ledger', namespace: 'finance' }, spec: { type: 'service', lifecycle: 'production', owner: 'group:default/team-a' } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'team-a' }, spec: { type: 'team', children: [] } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'checkout' }, spec: { owner: 'team-a' } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata: { name: 'payments-api' }, spec: { type: 'openapi', lifecycle: 'production', owner: 'team-a', definition: 'openapi: 3.0.0' } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'generated-0a1b2c' }, spec: { type: 'url', target: CATALOG_FILE } },
  { apiVersion: 'backstage.io/v1alpha1', kind: 'Resource', metadata: { name: 'payments-db' }, spec: { type: 'database', owner: 'team-a' } },
];
const fileOf = (name: string) =>
  name === 'payments' ? 'https://github.com/acme/payments/blob/main/catalog-info.yaml' : name === 'ledger' ? 'https://gitlab.com/acme/finance/ledger/-/blob/main/catalog-info.yaml' : CATALOG_FILE;
const served = () => written.map((e) => asServed(e, fileOf(e.metadata.name)));
const ALL_REFS = ['api:default/payments-api', 'component:default/payments', 'component:finance/ledger', 'group:default/team-a', 'location:default/generated-0a1b2c', 'resource:default/payments-db', 'system:default/checkout'];

describeEachStore('a catalog read from a running Backstage', (kind: StoreKind) => {
  let backstage: FakeBackstage;
  let lantern: Lantern;
  const options: CatalogReadOptions = { allowPrivate: true, backstage: { token: TOKEN, pageSize: 2 } };
  beforeEach(async () => {
    backstage = await startFakeBackstage({ token: TOKEN, entities: served() });
    lantern = new Lantern(await openTestStore(kind), { catalog: options });
  });
  afterEach(async () => {
    await lantern.close();
    await backstage.close();
  });

  /** A catalog over the same store, reading with other options (another token, other limits). */
  const catalogWith = (changes: CatalogReadOptions) => new Catalog(lantern.store, { ...options, ...changes, backstage: { ...options.backstage, ...changes.backstage } });
  const everything = async () => JSON.stringify([await lantern.store.db.selectFrom('locations').selectAll().execute(), await lantern.store.db.selectFrom('entities').selectAll().execute()]);
  const register = () => lantern.catalog.register(backstage.location, PAY);

  it('pages through by-query with the token and stores every entity with its namespace and the annotations Backstage gave it', async () => {
    const summary = await register();
    expect(summary.added.sort()).toEqual(ALL_REFS);
    expect(summary.problems).toEqual([]);
    expect(summary.location).toMatchObject({ target: backstage.location, scope: 'acme.pay', status: 'ok', last_error: null });

    // Seven entities, two a page: four pages, each after the first asked for with the cursor the previous one gave.
    expect(backstage.requests.map((r) => [r.path, r.limit, r.authorization])).toEqual(Array(4).fill(['/api/catalog/entities/by-query', '2', `Bearer ${TOKEN}`]));
    expect(backstage.requests[0]?.cursor).toBeNull();
    expect(new Set(backstage.requests.slice(1).map((r) => r.cursor)).size).toBe(3);

    const ledger = await findEntityByRef(lantern.store.db, 'component', 'finance', 'ledger');
    expect(ledger).toMatchObject({ namespace: 'finance', scope: 'acme.pay', owner_ref: 'group:default/team-a', source_file: `${backstage.url}/api/catalog/entities/by-name/Component/finance/ledger` });
    const envelope = JSON.parse(ledger?.envelope ?? '{}') as { metadata: { annotations: Record<string, string> }; relations?: unknown; status?: unknown };
    expect(envelope.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `url:${fileOf('ledger')}`,
      'backstage.io/managed-by-origin-location': `url:${CATALOG_FILE}`,
      'backstage.io/source-location': 'url:https://gitlab.com/acme/finance/ledger/-/blob/main/',
      'lantern.io/scope': 'acme.pay',
    });
    // Relations are Lantern's own, from spec.owner, not those Backstage served.
    expect(envelope.relations).toBeUndefined();
    const relations = await lantern.store.db.selectFrom('entity_relations').select(['type', 'target_ref']).where('entity_id', '=', ledger?.id ?? -1).execute();
    expect(relations).toEqual([{ type: 'ownedBy', target_ref: 'group:default/team-a' }]);
    // The Location entity is stored, not followed: Backstage has read its target already.
    expect(backstage.requests).toHaveLength(4);
    expect(await everything()).not.toContain(TOKEN);
  });

  it('resolves target links as a file location does: the location and origin annotations Backstage adds change nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-backstage-files-'));
    const fromFiles = new Lantern(await openTestStore(kind));
    try {
      const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;
      const ingest = (into: Lantern, target: string, type: TargetType, variant: string) =>
        into.ingest({ report: bytes(trivyReport([lodash])), source: 'trivy.json', target, targetType: type, variant, scope: PAY });
      for (const into of [lantern, fromFiles]) {
        await ingest(into, 'registry.acme.io/payments', 'container', 'latest');
        await ingest(into, 'acme/payments', 'repository', 'main');
        await ingest(into, 'Acme/Finance/Ledger', 'repository', 'main');
      }
      writeFileSync(join(dir, 'catalog-info.yaml'), written.map((e) => JSON.stringify(e)).join('\n---\n'));
      await fromFiles.catalog.register(join(dir, 'catalog-info.yaml'), PAY);
      await register();
      const linksOf = async (into: Lantern, namespace: string, name: string) => {
        const entity = await findEntityByRef(into.store.db, 'component', namespace, name);
        const links = await linksOfEntity(into.store.db, entity?.id ?? -1);
        return links.map((l) => ({ origin: l.origin, name: l.name, scope: l.scope, variant: l.variant, matched: l.matched, target: l.targetName, shown: l.variantName, diagnostics: l.diagnostics }));
      };
      const fromBackstage = await linksOf(lantern, 'default', 'payments');
      expect(fromBackstage.map((l) => [l.origin, l.name, l.matched, l.shown])).toEqual([
        ['annotation', 'registry.acme.io/payments', true, 'latest'],
        ['annotation', 'acme/payments-config', false, null],
        ['source-url', 'acme/payments', true, 'main'],
      ]);
      expect(fromBackstage).toEqual(await linksOf(fromFiles, 'default', 'payments'));
      // Backstage added a source location the file does not write: the GitLab group path names the repository.
      expect(await linksOf(lantern, 'finance', 'ledger')).toEqual([
        { origin: 'source-url', name: 'acme/finance/ledger', scope: 'acme.pay', variant: null, matched: true, target: 'Acme/Finance/Ledger', shown: 'main', diagnostics: [expect.objectContaining({ code: 'case-folded' })] },
      ]);
    } finally {
      await fromFiles.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads Backstage again on refresh: an entity removed upstream leaves, a changed one is updated, the rest stay unchanged', async () => {
    const { location } = await register();
    backstage.entities = served()
      .filter((e) => e.metadata.name !== 'payments-db')
      .map((e) => (e.metadata.name === 'payments' ? { ...e, metadata: { ...e.metadata, title: 'Payments (v2)' } } : e));
    const summary = await lantern.catalog.refresh(location.id);
    expect(summary).toMatchObject({ removed: ['resource:default/payments-db'], updated: ['component:default/payments'], added: [], kept: [], unchanged: 5 });
    expect(await findEntityByRef(lantern.store.db, 'resource', 'default', 'payments-db')).toBeUndefined();
    expect((await findEntityByRef(lantern.store.db, 'component', 'default', 'payments'))?.title).toBe('Payments (v2)');
  });

  it('refuses a wrong or missing token with a sentence naming the location, never the token, and keeps the entities of the last good read', async () => {
    const { location } = await register();
    const refused = await catalogWith({ backstage: { token: WRONG } }).refresh(location.id);
    expect(refused.location).toMatchObject({ status: 'error', last_error: `${backstage.location}: error: The Backstage catalog ${backstage.location} refused the token in LANTERN_BACKSTAGE_TOKEN (HTTP 401): expected a static or service token that Backstage's backend accepts.` });
    expect(refused).toMatchObject({ removed: [], added: [], updated: [] });
    expect(refused.kept.sort()).toEqual(ALL_REFS);
    expect(await everything()).not.toContain(WRONG);

    await lantern.catalog.unregister(location.id);
    const withoutToken = catalogWith({ backstage: { token: undefined } });
    await expect(withoutToken.register(backstage.location, PAY)).rejects.toThrow(
      new InputError(`The Backstage catalog ${backstage.location} needs a token (HTTP 401): set LANTERN_BACKSTAGE_TOKEN to a static or service token that Backstage's backend accepts.`),
    );
    expect(backstage.requests.at(-1)?.authorization).toBeUndefined();
  });

  it('fails the whole read on a malformed page, naming the location, the page and what was expected, and keeps the entities', async () => {
    const { location } = await register();
    const pageOf = (body: string) => (page: number, response: import('node:http').ServerResponse) => page === 3 && (response.writeHead(200, { 'content-type': 'application/json' }).end(body), true);
    const cases: Array<[string, string]> = [
      ['<html>Sign in</html>', 'a JSON object with items (a list of entities), pageInfo and totalItems, not text that is not JSON'],
      ['[1,2]', 'a JSON object with items (a list of entities), pageInfo and totalItems, not a list'],
      ['{"items":"none","pageInfo":{}}', 'items to be a list of entities, not text (4 characters)'],
      ['{"items":[],"totalItems":0}', 'pageInfo to be an object, not absent'],
      ['{"items":[],"pageInfo":{},"totalItems":-3}', 'totalItems to be a whole number, not a number'],
      ['{"items":[],"pageInfo":{"nextCursor":7}}', 'pageInfo.nextCursor to be absent or a cursor of at most 16384 characters, not a number'],
      ['{"items":[{"kind":"Component","metadata":{}}],"pageInfo":{}}', 'items[0] to be an entity with a kind and a metadata.name, not an object without them'],
    ];
    for (const [body, expected] of cases) {
      backstage.answer = pageOf(body);
      const summary = await lantern.catalog.refresh(location.id);
      expect(summary.location.last_error).toBe(`${backstage.location}: error: Page 3 of the Backstage catalog ${backstage.location} is not an answer of GET /api/catalog/entities/by-query: expected ${expected}.`);
      expect(summary.kept.sort()).toEqual(ALL_REFS);
    }
  });

  it('bounds a page, the whole read and the cursors: each failure keeps the entities', async () => {
    const { location } = await register();
    backstage.answer = (page, response) => page === 2 && (response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [], pageInfo: {}, padding: 'x'.repeat(5000) })), true);
    const tooLarge = await catalogWith({ maxBytes: 2048 }).refresh(location.id);
    expect(tooLarge.location.last_error).toMatch(new RegExp(`^${escape(backstage.location)}: error: The response from ${escape(backstage.url)}/api/catalog/entities/by-query\\?limit=2&cursor=\\S+ is larger than the limit of 2\\.0 KB for one page of a Backstage catalog\\.$`));
    expect(tooLarge.kept).toHaveLength(7);

    backstage.answer = undefined;
    const tooMuch = await catalogWith({ backstage: { maxTotalBytes: 3000 } }).refresh(location.id);
    expect(tooMuch.location.last_error).toMatch(/The Backstage catalog \S+ is larger than 2\.9 KB over its first \d pages, the most Lantern reads from one location\.$/);
    const tooMany = await catalogWith({ backstage: { maxPages: 3 } }).refresh(location.id);
    expect(tooMany.location.last_error).toBe(`${backstage.location}: error: The Backstage catalog ${backstage.location} has more than 3 pages of 2 entities, the most Lantern reads from one location.`);
    expect(tooMany.kept).toHaveLength(7);

    const first = backstage.requests[1]?.cursor;
    backstage.answer = (page, response) => page === 3 && (response.writeHead(200).end(JSON.stringify({ items: [], totalItems: 7, pageInfo: { nextCursor: first } })), true);
    const looping = await catalogWith({}).refresh(location.id);
    expect(looping.location.last_error).toBe(`${backstage.location}: error: Page 3 of the Backstage catalog ${backstage.location} names as its next page a cursor an earlier page already gave, so the pages would never end.`);
  });

  it('gives up on a page that does not answer in time, and on a read that outlasts its deadline, keeping the entities', async () => {
    const { location } = await register();
    // Page 2 never answers: the page's time limit ends it, or the whole read's deadline does.
    backstage.answer = (page) => page === 2;
    const slowPage = await catalogWith({ timeoutMs: 300 }).refresh(location.id);
    expect(slowPage.location.last_error).toBe(`${backstage.location}: error: Page 2 of the Backstage catalog ${backstage.location} could not be read from ${backstage.url}.`);
    expect(slowPage.kept).toHaveLength(7);
    const slowRead = await catalogWith({ backstage: { deadlineMs: 300 } }).refresh(location.id);
    expect(slowRead.location.last_error).toBe(`${backstage.location}: error: The Backstage catalog ${backstage.location} was not read within 0.3 seconds (stopped at page 2), the longest one read of a location may take.`);
    expect(slowRead.kept).toHaveLength(7);

    backstage.answer = (page, response) => page === 2 && (response.writeHead(500).end('{"error":{"message":"database down"}}'), true);
    const failing = await catalogWith({}).refresh(location.id);
    expect(failing.location.last_error).toBe(`${backstage.location}: error: Page 2 of the Backstage catalog ${backstage.location} could not be read from ${backstage.url}.`);
  });

  it('sends the token only to its own origin: a redirect elsewhere is refused before anything is sent there', async () => {
    const elsewhere: string[] = [];
    const other = createServer((request, response) => {
      elsewhere.push(String(request.headers.authorization));
      response.writeHead(200).end('{"items":[],"pageInfo":{}}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      backstage.answer = (_page, response) => (response.writeHead(302, { location: `${otherUrl}/api/catalog/entities/by-query` }).end(), true);
      await expect(register()).rejects.toThrow(
        new InputError(`The redirect of ${backstage.url}/api/catalog/entities/by-query?limit=2 to ${otherUrl} is refused: a request that carries a credential follows redirects only within its own origin (${backstage.url}).`),
      );
      expect(elsewhere).toEqual([]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('applies the outbound-URL policy: a Backstage on a loopback address is refused unless the operator allows it', async () => {
    const strict = catalogWith({ allowPrivate: false });
    await expect(strict.register(backstage.location, PAY)).rejects.toThrow(
      new InputError(`The URL ${backstage.url}/api/catalog/entities/by-query?limit=2 is refused: 127.0.0.1 is a loopback address; catalog locations may only reach public hosts unless allowed with --catalog-allow-host or --catalog-allow-private.`),
    );
    expect(backstage.requests).toEqual([]);
    const listed = await catalogWith({ allowPrivate: false, allowHosts: ['127.0.0.1'] }).register(backstage.location, PAY);
    expect(listed.added).toHaveLength(7);
  });

  it('keeps the last good version of an entity that no longer validates or nests too deep, and loads its neighbours', async () => {
    const { location } = await register();
    let nested: unknown = 'bottom';
    for (let i = 0; i < 150; i++) nested = [nested];
    backstage.entities = served().map((e) => {
      if (e.metadata.name === 'ledger') return { ...e, spec: { type: 'service', lifecycle: 'production' } };
      if (e.metadata.name === 'payments-api') return { ...e, spec: { ...(e.spec as object), deep: nested } };
      return e.metadata.name === 'checkout' ? { ...e, metadata: { ...e.metadata, description: 'Checkout' } } : e;
    });
    const summary = await lantern.catalog.refresh(location.id);
    expect(summary).toMatchObject({ updated: ['system:default/checkout'], removed: [] });
    expect(summary.kept.sort()).toEqual(['api:default/payments-api', 'component:finance/ledger']);
    expect(summary.location.status).toBe('error');
    expect(summary.problems).toEqual([
      expect.objectContaining({ level: 'error', file: `${backstage.url}/api/catalog/entities/by-name/Component/finance/ledger`, document: 1, field: 'spec.owner', message: 'The Component has no spec.owner, which Backstage requires.' }),
      { level: 'error', file: `${backstage.url}/api/catalog/entities/by-name/API/default/payments-api`, document: 1, message: 'The entity nests collections more than 100 levels deep, which no catalog entity needs; it was not read.' },
    ]);
  });

  it('registers a Backstage through the API (type backstage), and answers 400 naming the location when its token is refused', async () => {
    const server = await startTestServer(kind, { catalog: options });
    const refusing = await startTestServer(kind, { catalog: { ...options, backstage: { token: WRONG, pageSize: 2 } } });
    try {
      const created = await server.app.inject({ method: 'POST', url: '/api/catalog/locations', payload: { type: 'backstage', target: backstage.url, scope: 'acme.pay' } });
      expect(created.statusCode).toBe(201);
      const body = created.json<{ location: { type: string; target: string; status: string }; entities: unknown[] }>();
      expect(body.location).toMatchObject({ type: 'backstage', target: backstage.location, status: 'ok' });
      expect(body.entities).toHaveLength(7);
      const again = await server.app.inject({ method: 'POST', url: '/api/catalog/locations', payload: { target: backstage.location } });
      expect(again.statusCode).toBe(409);
      const mistyped = await server.app.inject({ method: 'POST', url: '/api/catalog/locations', payload: { type: 'url', target: backstage.location } });
      expect(mistyped.json()).toMatchObject({ error: { message: 'Invalid location target for type "url": a backstage+http(s) target names a Backstage; register it with type "backstage".' } });

      const denied = await refusing.app.inject({ method: 'POST', url: '/api/catalog/locations', payload: { target: backstage.location } });
      expect(denied.statusCode).toBe(400);
      expect(denied.json()).toMatchObject({ error: { message: `The Backstage catalog ${backstage.location} refused the token in LANTERN_BACKSTAGE_TOKEN (HTTP 401): expected a static or service token that Backstage's backend accepts.` } });
      expect(denied.body).not.toContain(WRONG);
    } finally {
      await server.close();
      await refusing.close();
    }
  });
});

describe('LANTERN_BACKSTAGE_TOKEN', () => {
  it('is read trimmed, absent when empty, and refused, unquoted, when a header cannot carry it', () => {
    expect([backstageTokenFrom({ LANTERN_BACKSTAGE_TOKEN: ` ${TOKEN}\n` }), backstageTokenFrom({ LANTERN_BACKSTAGE_TOKEN: ' ' }), backstageTokenFrom({})]).toEqual([TOKEN, undefined, undefined]);
    expect(() => backstageTokenFrom({ LANTERN_BACKSTAGE_TOKEN: 'abc\r\nX-Injected: 1' })).toThrow(
      new InputError('LANTERN_BACKSTAGE_TOKEN holds spaces, line breaks or characters other than printable ASCII, which an HTTP header cannot carry: expected the token alone.'),
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
