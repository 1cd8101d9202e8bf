import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { rowCounts } from '../../test/support/row-counts.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { ConflictError, InputError } from '../domain/errors.js';
import { parseScope } from '../domain/scope.js';
import { entitiesOfLocation, findEntityByRef } from '../store/catalog-entities.js';
import { listLocations } from '../store/catalog-locations.js';
import type { Store } from '../store/database.js';
import { previewLocation, refreshLocation, registerLocation, unregisterLocation } from './refresh.js';

const TESTDATA = fileURLToPath(new URL('./testdata/store/', import.meta.url));
const PAY = parseScope('acme.pay');

describeEachStore('catalog locations in the store', (kind: StoreKind) => {
  let store: Store;
  let dir: string;
  beforeEach(async () => {
    store = await openTestStore(kind);
    dir = mkdtempSync(join(tmpdir(), 'lantern-catalog-store-'));
    cpSync(TESTDATA, dir, { recursive: true });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = (...parts: string[]) => join(dir, ...parts);
  const edit = (file: string, change: (text: string) => string) => writeFileSync(at(file), change(readFileSync(at(file), 'utf8')));
  const refsOf = async (locationId: number) => (await entitiesOfLocation(store.db, locationId)).map((e) => e.ref_key).sort();
  const relationsOf = async (ref: string) => {
    const rows = await store.db
      .selectFrom('entity_relations')
      .innerJoin('entities', 'entities.id', 'entity_relations.entity_id')
      .select(['entity_relations.type', 'entity_relations.target_ref', 'entity_relations.target_exists'])
      .where('entities.ref_key', '=', ref)
      .orderBy('entity_relations.type')
      .orderBy('entity_relations.target_ref')
      .execute();
    return rows.map((r) => `${r.type} ${r.target_ref}${r.target_exists ? '' : ' (missing)'}`);
  };

  it('registers a location and stores every entity its Location tree reaches, with columns, relations and links', async () => {
    const summary = await registerLocation(store, at('catalog-info.yaml'), PAY);
    expect(summary).toMatchObject({ created: true, updated: [], removed: [], kept: [], unchanged: 0 });
    expect(summary.location).toMatchObject({ target: at('catalog-info.yaml'), scope: 'acme.pay', status: 'ok', last_error: null });
    expect(summary.added.sort()).toEqual([
      'api:default/payments-api',
      'component:default/ledger',
      'component:default/payments',
      'group:default/team-a',
      'location:default/checkout-services',
      'system:default/checkout',
    ]);
    // A reference to an entity no file defines (ledger's owner team-b) is not a problem of the
    // read: the relation is kept and marked missing (below).
    expect(summary.problems).toEqual([]);

    const payments = await findEntityByRef(store.db, 'COMPONENT', 'Default', 'Payments');
    expect(payments).toMatchObject({
      ref: 'component:default/payments',
      kind: 'Component',
      title: 'Payments',
      description: 'Takes payments',
      type: 'service',
      owner_ref: 'group:default/team-a',
      system_ref: 'system:default/checkout',
      lifecycle: 'production',
      tags: '["java","pci"]',
      scope: 'acme.pay',
      format: 'backstage',
      repository_url: 'https://github.com/acme/payments',
      source_file: at('services', 'payments.yaml'),
      source_document: 1,
    });
    expect((await findEntityByRef(store.db, 'system', 'default', 'checkout'))?.domain_ref).toBe('domain:default/commerce');
    const envelope = JSON.parse(payments?.envelope ?? '{}');
    expect(envelope.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `file:${at('services', 'payments.yaml')}`,
      'backstage.io/managed-by-origin-location': `file:${at('catalog-info.yaml')}`,
      'lantern.io/scope': 'acme.pay',
      'harness.io/sto-test-target': '[{"name":"registry.acme.io/payments","variant":"latest"},{"name":"acme/payments-config","scope":"account"}]',
    });
    expect(envelope.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    expect(await relationsOf('component:default/payments')).toEqual([
      'dependencyOf component:default/ledger',
      'ownedBy group:default/team-a',
      'partOf system:default/checkout',
      'providesApi api:default/payments-api',
    ]);
    expect(await relationsOf('group:default/team-a')).toEqual([
      'ownerOf api:default/payments-api',
      'ownerOf component:default/payments',
      'ownerOf system:default/checkout',
    ]);
    expect(await relationsOf('component:default/ledger')).toEqual([
      'dependsOn component:default/payments',
      'ownedBy group:default/team-b (missing)',
      'partOf system:default/checkout',
    ]);
    expect(await relationsOf('system:default/checkout')).toEqual([
      'hasPart api:default/payments-api',
      'hasPart component:default/ledger',
      'hasPart component:default/payments',
      'ownedBy group:default/team-a',
      'partOf domain:default/commerce (missing)',
    ]);

    const links = await store.db
      .selectFrom('entity_links')
      .innerJoin('entities', 'entities.id', 'entity_links.entity_id')
      .select(['entities.ref', 'entity_links.name', 'entity_links.scope', 'entity_links.variant', 'entity_links.origin', 'entity_links.matched', 'entity_links.target_id'])
      .orderBy('entities.ref')
      .orderBy('entity_links.position')
      .execute();
    expect(links).toEqual([
      { ref: 'component:default/ledger', name: 'acme/ledger', scope: 'acme.pay', variant: null, origin: 'annotation', matched: 0, target_id: null },
      { ref: 'component:default/payments', name: 'registry.acme.io/payments', scope: 'acme.pay', variant: 'latest', origin: 'annotation', matched: 0, target_id: null },
      { ref: 'component:default/payments', name: 'acme/payments-config', scope: 'account', variant: null, origin: 'annotation', matched: 0, target_id: null },
      { ref: 'component:default/payments', name: 'acme/payments', scope: 'acme.pay', variant: null, origin: 'source-url', matched: 0, target_id: null },
    ]);
  });

  it('reads a location again: an entity deleted from its file leaves, a changed one is rewritten, the rest untouched', async () => {
    const first = await registerLocation(store, at('catalog-info.yaml'), PAY);
    const before = await findEntityByRef(store.db, 'component', 'default', 'payments');
    edit('services/ledger.yaml', (text) => text.replace('name: ledger', 'name: billing'));
    edit('catalog-info.yaml', (text) => text.replace('title: Checkout', 'title: Checkout system'));

    const again = await refreshLocation(store, first.location.id);
    expect(again).toMatchObject({ created: false, added: ['component:default/billing'], updated: ['system:default/checkout'], removed: ['component:default/ledger'], kept: [], unchanged: 4 });
    expect(await findEntityByRef(store.db, 'component', 'default', 'ledger')).toBeUndefined();
    const after = await findEntityByRef(store.db, 'component', 'default', 'payments');
    expect(after).toEqual(before);
    expect(await relationsOf('component:default/payments')).toContain('dependencyOf component:default/billing');
    expect(await relationsOf('component:default/payments')).not.toContain('dependencyOf component:default/ledger');
    expect((await findEntityByRef(store.db, 'system', 'default', 'checkout'))?.title).toBe('Checkout system');
    const orphans = await store.db.selectFrom('entity_links').select('entity_id').where('entity_id', 'not in', store.db.selectFrom('entities').select('id')).execute();
    expect(orphans).toEqual([]);

    // Registering the same target again reads it again rather than adding a second location.
    const third = await registerLocation(store, at('catalog-info.yaml'), PAY);
    expect(third).toMatchObject({ created: false, added: [], removed: [], unchanged: 6 });
    expect(await listLocations(store.db)).toHaveLength(1);
  });

  it('keeps the last good entities of a file that no longer parses, and shows the error on the location', async () => {
    const first = await registerLocation(store, at('catalog-info.yaml'), PAY);
    edit('services/payments.yaml', (text) => text.replace('  title: Payments\n', '  title: [Payments\n'));
    const broken = await refreshLocation(store, first.location.id);
    expect(broken).toMatchObject({ added: [], updated: [], removed: [], kept: ['component:default/payments'], unchanged: 5 });
    expect(broken.location.status).toBe('error');
    expect(broken.location.last_error).toMatch(new RegExp(`^${at('services', 'payments.yaml')}:\\d+:\\d+: document 1: error: YAML syntax error`));
    expect((await listLocations(store.db))[0]).toMatchObject({ status: 'error', entities: 6 });
    expect(await findEntityByRef(store.db, 'component', 'default', 'payments')).toMatchObject({ title: 'Payments' });

    // The whole file gone: every entity it held stays until it can be read again.
    rmSync(at('services', 'payments.yaml'));
    const missing = await refreshLocation(store, first.location.id);
    expect(missing.kept.sort()).toEqual(['api:default/payments-api', 'component:default/payments']);
    expect(missing.location.last_error).toMatch(/cannot be read: The file .*payments\.yaml does not exist\. \(field spec\.targets\[0\]\)$/);

    // Fixed: the error clears.
    cpSync(join(TESTDATA, 'services', 'payments.yaml'), at('services', 'payments.yaml'));
    const fixed = await refreshLocation(store, first.location.id);
    expect(fixed.location).toMatchObject({ status: 'ok', last_error: null });
    expect(await refsOf(first.location.id)).toHaveLength(6);
  });

  it('keeps the entities of files a broken Location file no longer reaches', async () => {
    const first = await registerLocation(store, at('catalog-info.yaml'), PAY);
    edit('catalog-info.yaml', (text) => text.replace('name: checkout-services', 'name: checkout services'));
    const summary = await refreshLocation(store, first.location.id);
    expect(summary.kept.sort()).toEqual(['api:default/payments-api', 'component:default/ledger', 'component:default/payments', 'location:default/checkout-services']);
    expect(summary.location.status).toBe('error');
  });

  it('reports an entity another location defines on the second location, and the first keeps it', async () => {
    const first = await registerLocation(store, at('catalog-info.yaml'), PAY);
    const second = await registerLocation(store, at('elsewhere'), PAY);
    expect(second.added).toEqual(['component:default/reports']);
    expect(second.location.status).toBe('error');
    expect(second.problems.map((p) => [p.level, p.code, p.message])).toEqual([
      [
        'error',
        'conflict',
        `The entity component:default/payments is already defined in ${at('services', 'payments.yaml')}, document 1 (location ${at('catalog-info.yaml')}); this second definition is ignored and the first is kept.`,
      ],
    ]);
    const payments = await findEntityByRef(store.db, 'component', 'default', 'payments');
    expect(payments).toMatchObject({ location_id: first.location.id, title: 'Payments' });
    expect(await relationsOf('api:default/payments-api')).toContain('apiConsumedBy component:default/reports');

    // Reading the first location again changes nothing: it still holds payments.
    const again = await refreshLocation(store, first.location.id);
    expect(again).toMatchObject({ added: [], removed: [], unchanged: 6 });
    expect(again.location.status).toBe('ok');
  });

  it('unregisters a location: its entities leave, and relations to them are marked missing', async () => {
    const first = await registerLocation(store, at('catalog-info.yaml'), PAY);
    const second = await registerLocation(store, at('elsewhere'), PAY);
    await unregisterLocation(store, first.location.id);
    expect(await refsOf(second.location.id)).toEqual(['component:default/reports']);
    expect(await relationsOf('component:default/reports')).toEqual(['consumesApi api:default/payments-api (missing)', 'ownedBy group:default/team-a (missing)']);
    const counts = await rowCounts(store);
    expect(counts).toMatchObject({ locations: 1, entities: 1 });
  });

  it('refuses a target that cannot be read, and a second scope for a registered target, storing nothing', async () => {
    const before = await rowCounts(store);
    await expect(registerLocation(store, at('nowhere.yaml'), PAY)).rejects.toThrow(new InputError(`The file or folder ${at('nowhere.yaml')} does not exist.`));
    expect(await rowCounts(store)).toEqual(before);
    await registerLocation(store, at('elsewhere'), PAY);
    await expect(registerLocation(store, at('elsewhere'), parseScope('acme.other'))).rejects.toThrow(ConflictError);
    await expect(registerLocation(store, at('elsewhere'), PAY, { onExisting: 'reject' })).rejects.toThrow(/is already registered \(id \d+\)/);
  });

  it('stores harness.io/v1 entities in the scope they name, whatever the location is registered under', async () => {
    const summary = await registerLocation(store, fileURLToPath(new URL('./testdata/harness.yaml', import.meta.url)), parseScope('account'));
    expect(summary.added.sort()).toEqual(['api:default/ledger_api', 'component:default/payments', 'system:default/checkout', 'workflow:default/new-service']);
    const rows = await store.db.selectFrom('entities').select(['ref', 'format', 'scope', 'title', 'type', 'owner_ref', 'repository_url']).orderBy('ref').execute();
    expect(rows).toEqual([
      { ref: 'api:default/ledger_api', format: 'harness', scope: 'account', title: 'Ledger API', type: 'openapi', owner_ref: 'group:default/team-a', repository_url: null },
      { ref: 'component:default/payments', format: 'harness', scope: 'acme.pay', title: 'Payments Service', type: 'service', owner_ref: 'group:default/team-a', repository_url: 'https://github.com/acme/monorepo' },
      { ref: 'system:default/checkout', format: 'harness', scope: 'default.pay', title: null, type: 'product', owner_ref: 'group:default/team-a', repository_url: null },
      { ref: 'workflow:default/new-service', format: 'harness', scope: 'account', title: 'New service', type: null, owner_ref: 'group:default/team-a', repository_url: null },
    ]);
    const links = await store.db.selectFrom('entity_links').select(['name', 'scope', 'variant', 'origin']).orderBy('entity_id').orderBy('position').execute();
    // ledger_api is org-level (org acme): its "ledger" scope is project ledger in org acme.
    expect(links).toEqual([
      { name: 'registry.acme.io/payments', scope: 'acme.pay', variant: 'latest', origin: 'annotation' },
      { name: 'acme/monorepo', scope: 'acme.pay', variant: null, origin: 'annotation' },
      { name: 'acme/ledger', scope: 'acme.ledger', variant: null, origin: 'annotation' },
    ]);
  });

  it('previews a location without writing', async () => {
    const before = await rowCounts(store);
    const preview = await previewLocation(store, at('catalog-info.yaml'), PAY);
    expect(preview.entities.map((e) => e.metadata.name).sort()).toEqual(['checkout', 'checkout-services', 'ledger', 'payments', 'payments-api', 'team-a']);
    expect(await rowCounts(store)).toEqual(before);
  });
});
