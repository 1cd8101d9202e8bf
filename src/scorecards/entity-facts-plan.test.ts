import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturingQueries, sqlitePlan, useTableStatistics } from '../../test/support/sqlite-plans.js';
import { openTestStore } from '../../test/support/stores.js';
import type { Store } from '../store/database.js';
import { readEntityFacts } from './data-points.js';

/*
 * Which entities of a range declare the test-target annotation is read through the (key,
 * entity_id) index (migrations/0035-entity-facts.ts): only the range's annotated rows, not every
 * search row of every entity in the range, nor every annotated row of the estate.
 */
describe('entity facts: the annotation read [sqlite]', () => {
  let store: Store;

  beforeEach(async () => {
    store = await openTestStore('sqlite');
  });
  afterEach(async () => {
    await store.close();
  });

  it('reads the annotation keys of a range of entities through the (key, entity_id) index', async () => {
    // The statistics of an estate of 50 000 entities with about nineteen search rows each.
    useTableStatistics(store, 'entity_search', {
      entity_search_entity: '950000 19 1',
      entity_search_key_value: '950000 20000 3',
      entity_search_key_entity: '950000 20000 1',
    });
    const { db, compiled } = capturingQueries(store);
    await readEntityFacts(db, { from: 1, to: 5000 });
    const annotated = compiled.find((q) => q.sql.includes('"entity_search"'));
    if (!annotated) throw new Error('readEntityFacts reads the annotation from entity_search');
    const plan = sqlitePlan(store, annotated);
    expect(plan).toContain('entity_search_key_entity (key=? AND entity_id>? AND entity_id<?)');
  });
});
