import { expect, it } from 'vitest';
import { DAY1, DAY2, useScorecardEstate } from '../../test/support/scorecard-estate.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { Lantern } from '../lantern.js';
import { evaluateScorecards } from './evaluate.js';

/**
 * A full evaluation reads data points and writes results and history for all entities in set-based
 * batches; an ingest or a catalog change evaluates a few entities. Both must store the same rows.
 */
describeEachStore('scorecard evaluation in batches and per entity', (kind: StoreKind) => {
  let lantern: Lantern;
  useScorecardEstate(kind, (opened) => ({ lantern } = opened));

  const clear = async () => {
    await lantern.store.db.deleteFrom('scorecard_history').execute();
    await lantern.store.db.deleteFrom('scorecard_results').execute();
  };
  const stored = async () => ({
    results: await lantern.store.db.selectFrom('scorecard_results').selectAll().orderBy('scorecard_id').orderBy('entity_id').execute(),
    history: await lantern.store.db.selectFrom('scorecard_history').selectAll().orderBy('scorecard_id').orderBy('entity_id').orderBy('day').execute(),
  });

  it('stores the same results and history evaluating all entities at once as one entity at a time', async () => {
    const days = [DAY1, DAY2, new Date(Date.parse(DAY2) + 3 * 24 * 60 * 60 * 1000).toISOString()];
    await clear();
    for (const day of days) await lantern.evaluateScorecards(day);
    const batched = await stored();
    expect(batched.results.length).toBeGreaterThan(0);
    expect(new Set(batched.history.map((h) => h.day)).size).toBeGreaterThan(1);

    const entities = (await lantern.store.db.selectFrom('entities').select('id').orderBy('id').execute()).map((e) => e.id);
    const scorecards = await lantern.scorecards.list(lantern.store.db);
    expect(entities.length).toBeGreaterThan(2);
    // Batches of two entities, by id range over every entity and by id lists.
    for (const selection of [{}, { entityIds: entities }]) {
      await clear();
      for (const day of days) await lantern.store.transaction((trx) => evaluateScorecards(lantern.store, trx, scorecards, { ...selection, now: day, entitiesPerBatch: 2 }));
      expect(await stored()).toEqual(batched);
    }

    await clear();
    for (const day of days) {
      for (const id of entities) await lantern.store.transaction((trx) => evaluateScorecards(lantern.store, trx, scorecards, { entityIds: [id], now: day }));
    }
    expect(await stored()).toEqual(batched);
  });
});
