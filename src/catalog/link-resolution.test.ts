import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import type { TargetType } from '../domain/target.js';
import { entityState } from '../insights/entity-state.js';
import { Lantern } from '../lantern.js';
import { findEntityByRef, refKeyOf } from '../store/catalog-entities.js';
import { linksOfEntity, linksOfRefKey, type TargetLinkView } from '../store/target-links.js';
import { relinkTarget, resolveEntityLinks } from './link-resolution.js';

const CATALOG = fileURLToPath(new URL('./testdata/store/catalog-info.yaml', import.meta.url));
const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;

describeEachStore('target links in the store', (kind: StoreKind) => {
  let lantern: Lantern;
  beforeEach(async () => {
    lantern = new Lantern(await openTestStore(kind));
    await lantern.catalog.register(CATALOG, parseScope('acme.pay'));
  });
  afterEach(async () => {
    await lantern.close();
  });

  // Each ingest, then the refresh of the similar-name hints it queued (link-hints.ts).
  const ingest = async (target: string, variant: string, type: TargetType = 'repository', scope = 'acme.pay') => {
    await lantern.ingest({ report: bytes(trivyReport([lodash])), source: 'trivy.json', target, targetType: type, variant, scope: parseScope(scope) });
    await lantern.linkHints.settled();
  };
  const links = async (name: string): Promise<TargetLinkView[]> => {
    const entity = await findEntityByRef(lantern.store.db, 'component', 'default', name);
    return entity ? linksOfEntity(lantern.store.db, entity.id) : [];
  };
  const shown = (link: TargetLinkView | undefined) => link && { matched: link.matched, target: link.targetName, variant: link.variantName, reason: link.variantReason, codes: link.diagnostics.map((d) => d.code) };

  it('resolves links when a scan is ingested after the catalog was read: a new target, then a new variant of it', async () => {
    const [image, config, repository] = await links('payments');
    expect(image).toMatchObject({ position: 0, origin: 'annotation', name: 'registry.acme.io/payments', scope: 'acme.pay', variant: 'latest', matched: false, targetId: null });
    expect(image?.diagnostics).toEqual([
      { level: 'warning', code: 'target-not-found', message: 'No target named "registry.acme.io/payments" exists in acme.pay, and none has a similar name: no scan of it has been ingested yet.' },
    ]);
    expect(config).toMatchObject({ position: 1, name: 'acme/payments-config', scope: 'account', matched: false });
    expect(repository).toMatchObject({ position: 2, origin: 'source-url', name: 'acme/payments', variant: null, matched: false });

    await ingest('registry.acme.io/payments', 'latest', 'container');
    expect(shown((await links('payments'))[0])).toEqual({ matched: true, target: 'registry.acme.io/payments', variant: 'latest', reason: 'variant', codes: [] });

    await ingest('acme/payments', 'feature-x');
    expect(shown((await links('payments'))[2])).toEqual({ matched: true, target: 'acme/payments', variant: 'feature-x', reason: 'most-recent', codes: ['baseline-note'] });
    await ingest('acme/payments', 'main');
    const repositoryLink = (await links('payments'))[2];
    expect(shown(repositoryLink)).toEqual({ matched: true, target: 'acme/payments', variant: 'main', reason: 'conventional', codes: [] });
    const main = await lantern.store.db.selectFrom('variants').select('id').where('name', '=', 'main').executeTakeFirstOrThrow();
    expect(repositoryLink?.variantId).toBe(main.id);

    // Case differs only: matched, with a note saying so.
    await ingest('ACME/Payments-Config', 'main', 'configuration', 'account');
    expect(shown((await links('payments'))[1])).toEqual({ matched: true, target: 'ACME/Payments-Config', variant: 'main', reason: 'conventional', codes: ['case-folded'] });
  });

  it('tells an unmatched link about a new target with a similar name, then about its name in another scope', async () => {
    await ingest('acme/ledgr', 'main');
    expect((await links('ledger'))[0]?.diagnostics.map((d) => d.message)).toEqual([
      'No target named "acme/ledger" exists in acme.pay; a target with a similar name does: "acme/ledgr" in acme.pay.',
    ]);
    await ingest('acme/ledger', 'main', 'repository', 'acme.other');
    expect((await links('ledger'))[0]?.diagnostics).toEqual([
      {
        level: 'warning',
        code: 'target-in-other-scope',
        message: `No target named "acme/ledger" exists in acme.pay, but one does in acme.other; set the entry's scope to "acme.other" to link it.`,
      },
    ]);
  });

  it('re-resolves only the links a target concerns', async () => {
    const before = await lantern.store.db.selectFrom('entity_links').selectAll().orderBy('id').execute();
    await ingest('unrelated/thing', 'main', 'repository', 'other.place');
    expect(await lantern.store.db.selectFrom('entity_links').selectAll().orderBy('id').execute()).toEqual(before);

    const target = await lantern.store.db.selectFrom('targets').select('id').where('name', '=', 'unrelated/thing').executeTakeFirstOrThrow();
    expect(await relinkTarget(lantern.store.db, target.id, { isNew: true })).toEqual({ checked: 0, changed: 0, hintsQueued: false });
    await ingest('registry.acme.io/payments', 'latest', 'container');
    const image = await lantern.store.db.selectFrom('targets').select('id').where('name', '=', 'registry.acme.io/payments').executeTakeFirstOrThrow();
    // Links that found the target are read again on every scan; a scan that changes nothing writes nothing.
    expect(await relinkTarget(lantern.store.db, image.id, { isNew: false })).toEqual({ checked: 1, changed: 0, hintsQueued: false });
  });

  it("reads an entity's links by its ref as by its id, with the entity: none for an entity without links, no entry for an unknown ref", async () => {
    await ingest('registry.acme.io/payments', 'latest', 'container');
    const db = lantern.store.db;
    const payments = await findEntityByRef(db, 'component', 'default', 'payments');
    const team = await findEntityByRef(db, 'group', 'default', 'team-a');
    if (!payments || !team) throw new Error('the catalog lost its entities');
    const byId = await linksOfEntity(db, payments.id);
    expect(byId.map((l) => l.position)).toEqual([0, 1, 2]);
    expect(await linksOfRefKey(db, await refKeyOf('Component', 'default', 'Payments'))).toEqual(new Map([[payments.id, byId]]));
    expect(await linksOfRefKey(db, await refKeyOf('group', 'default', 'team-a'))).toEqual(new Map([[team.id, []]]));
    expect(await linksOfRefKey(db, await refKeyOf('component', 'default', 'nothing'))).toEqual(new Map());
    // The entity's state from links read with it, and from links read for another entity (read again).
    const state = await entityState(db, payments);
    expect(state.targets.map((t) => t.name)).toEqual(['registry.acme.io/payments']);
    expect(await entityState(db, payments, { links: await linksOfRefKey(db, payments.ref_key) })).toEqual(state);
    expect(await entityState(db, payments, { links: new Map([[team.id, []]]) })).toEqual(state);
  });

  it('resolves every stored link again on request', async () => {
    await lantern.store.db.updateTable('entity_links').set({ diagnostics: '[]' }).execute();
    expect(await resolveEntityLinks(lantern.store.db)).toBe(4);
    expect(await resolveEntityLinks(lantern.store.db)).toBe(0);
  });
});
