import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../test/support/shared-fixtures.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { InputError } from '../domain/errors.js';
import { DEFAULT_PROJECT_SCOPE } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { countAllEntities } from '../store/catalog-entities.js';
import { isUrl } from './source-address.js';
import { nodeSourceReader, type SourceReader } from './source-reader.js';

/**
 * The real Backstage example catalog registered into the store. The expected counts are the
 * ones derived with python3 for backstage-examples.test.ts (the reader alone): 30 entities in the
 * all.yaml tree, 26 in acme/org.yaml's, 91 entity documents in the folder; 234 distinct relations
 * of which 42 have a side outside the folder, so 234 - 21 = 213 rows (a reference to an entity
 * that is not there gives a row only on the side that exists).
 */

/** No network in tests: every URL fails as it would offline. */
const base = nodeSourceReader();
const offline: SourceReader = {
  ...base,
  readText: (address) => (isUrl(address) ? Promise.reject(new InputError(`The URL ${address} could not be fetched: offline.`)) : base.readText(address)),
};
const examples = (...parts: string[]) => sharedPath('catalog', 'backstage-examples', ...parts);

describeShared('the Backstage example catalog in the store', () => {
  describeEachStore('register', (kind: StoreKind) => {
    let lantern: Lantern;
    beforeEach(async () => {
      lantern = new Lantern(await openTestStore(kind), { catalog: { reader: offline, cwd: examples() } });
    });
    afterEach(async () => {
      await lantern.close();
    });

    it('all.yaml and acme/org.yaml store exactly the entities their Location trees reach', async () => {
      const all = await lantern.catalog.register('all.yaml', DEFAULT_PROJECT_SCOPE);
      expect(all.added).toHaveLength(30);
      expect(all.location.status).toBe('ok');
      const org = await lantern.catalog.register('acme/org.yaml', DEFAULT_PROJECT_SCOPE);
      expect(org.added).toHaveLength(26);
      expect(await countAllEntities(lantern.store.db)).toBe(56);
    });

    it('the folder with **/*.yaml stores every entity document, with its relations', async () => {
      const summary = await lantern.catalog.register('**/*.yaml', DEFAULT_PROJECT_SCOPE);
      expect(summary.added).toHaveLength(91);
      expect(summary.location.status).toBe('error');
      expect(summary.location.last_error).toMatch(/invalid-component\.yaml:4:\d+: document 1: error: metadata\.name "invalid component" is not a valid entity name.* \(and 1 more error\)$/);
      const relations = await lantern.store.db.selectFrom('entity_relations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(relations.n)).toBe(213);
      const missing = await lantern.store.db.selectFrom('entity_relations').select((eb) => eb.fn.countAll<number>().as('n')).where('target_exists', '=', 0).executeTakeFirstOrThrow();
      expect(Number(missing.n)).toBe(21);

      // all.yaml as well: its root Location is already defined by the folder, so it is a conflict,
      // and a Location that is not loaded is not followed.
      const again = await lantern.catalog.register('all.yaml', DEFAULT_PROJECT_SCOPE);
      expect(again.added).toEqual([]);
      expect(again.problems.map((p) => [p.code, p.message])).toEqual([['conflict', `The entity location:default/example-all is already defined in ${examples('all.yaml')}, document 1 (location ${examples('**/*.yaml')}); this second definition is ignored and the first is kept.`]]);
      expect(await countAllEntities(lantern.store.db)).toBe(91);
    });
  });
});
