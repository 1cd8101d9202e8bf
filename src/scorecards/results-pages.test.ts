import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DAY1, DAY2, type ScorecardEstate, useScorecardEstate } from '../../test/support/scorecard-estate.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import type { ScopeFilter } from '../access/roles.js';
import { Lantern } from '../lantern.js';
import { computedResultsPage, computedScorecardTallies, RESULT_SORTS, type ResultsQuery, scorecardResultsPage, scorecardTallies } from './results.js';

/**
 * The scorecard pages read tallies and counts from stored rows, kept by evaluation and by entity
 * removal, and pages through the results' index: they must say what counting every result says.
 */
describeEachStore('scorecard pages from stored rows', (kind: StoreKind) => {
  let lantern: Lantern;
  let estate: ScorecardEstate;
  useScorecardEstate(kind, (opened) => ({ lantern, estate } = opened));

  const SCOPES: ScopeFilter[] = [{ all: true }, { all: false, orgs: ['acme'], projects: [] }, { all: false, orgs: [], projects: ['other.place'] }];
  const QUERIES: ResultsQuery[] = [
    {},
    { owner: ['team-a'] },
    { owner: ['group:default/team-b'] },
    { kind: ['component'], lifecycle: ['PRODUCTION'] },
    { type: ['service', 'website'] },
    { system: ['nothing'] },
  ];

  /** Every scorecard's tallies, and every page of every sort, filter and check status, stored and computed. */
  const same = async (step: string) => {
    const scorecards = await lantern.scorecards.list(lantern.store.db);
    for (const scopes of SCOPES) {
      expect(await scorecardTallies(lantern.store.db, scorecards, scopes), step).toEqual(await computedScorecardTallies(lantern.store.db, scorecards, scopes));
    }
    for (const scorecard of scorecards) {
      const statuses = scorecard.checks.slice(0, 2).flatMap((c) => (['pass', 'fail', 'unknown'] as const).map((status) => ({ check: c.id, status })));
      for (const base of [...QUERIES, ...statuses, ...SCOPES.map((scopes) => ({ scopes }))]) {
        for (const sort of RESULT_SORTS.flatMap((s) => [s, `-${s}`])) {
          const query = { ...base, sort, limit: 2 };
          const all = await computedResultsPage(lantern.store.db, scorecard, { ...query, limit: 100 });
          const first = await scorecardResultsPage(lantern.store.db, scorecard, query);
          const label = `${step}: ${scorecard.id} ${JSON.stringify(query)}`;
          expect({ ...first, nextCursor: null }, label).toEqual({ ...(await computedResultsPage(lantern.store.db, scorecard, query)), nextCursor: null });
          // Page by cursor (score order) or offset (the others) to the end: the same rows in the same order.
          const items = [...first.items];
          let page = first;
          while (items.length < all.total && items.length < 20) {
            page = await scorecardResultsPage(lantern.store.db, scorecard, page.nextCursor ? { ...query, cursor: page.nextCursor } : { ...query, offset: items.length });
            expect(page.total, label).toBe(all.total);
            items.push(...page.items);
          }
          expect(items, label).toEqual(all.items);
          // In every order, by offset too: a page's place is found from its keys, then its rows read.
          const byOffset = [...first.items];
          while (byOffset.length < all.total && byOffset.length < 20) byOffset.push(...(await scorecardResultsPage(lantern.store.db, scorecard, { ...query, offset: byOffset.length })).items);
          expect(byOffset, label).toEqual(all.items);
        }
      }
    }
  };

  it('tallies, counts and pages as counting every result does, through evaluations, catalog edits and removals', async () => {
    await lantern.evaluateScorecards(DAY1);
    await same('first evaluation');
    await lantern.evaluateScorecards(DAY2);
    await same('a day later');

    // An owner and a lifecycle change move results between groups without changing them.
    const file = join(estate.catalogDir, 'catalog-info.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(name: clean[\s\S]*?lifecycle: )production/, '$1experimental').replace(/(name: clean[\s\S]*?owner: )team-a/, '$1team-b'));
    await lantern.catalog.refresh(estate.locationId);
    await same('clean moved to team-b, experimental');
    // Each result of clean records the group it is now counted in (a later change takes it out of that one).
    const groups = await lantern.store.db.selectFrom('scorecard_results as r').innerJoin('entities as e', 'e.id', 'r.entity_id').select('r.tally_group').where('e.name', '=', 'clean').execute();
    expect(groups.length).toBeGreaterThan(1);
    for (const { tally_group } of groups) expect(JSON.parse(tally_group ?? 'null')).toEqual(['acme.apps', 'Component', 'service', 'experimental', 'group:default/team-b', null]);

    // A scorecard defined through the API, then one entity removed from the catalog.
    await lantern.defineScorecard({ id: 'owned', name: 'Owned', checks: [{ id: 'owner', name: 'Has an owner', rules: [{ dataPoint: 'catalog.has_owner', operator: '==', value: true }] }] });
    writeFileSync(file, readFileSync(file, 'utf8').replace(/---\s*\n[^-]*name: no-data[\s\S]*?(?=\n---|$)/, ''));
    await lantern.catalog.refresh(estate.locationId);
    expect(await lantern.store.db.selectFrom('entities').select('id').where('name', '=', 'no-data').executeTakeFirst()).toBeUndefined();
    await same('no-data removed');
    await lantern.deleteScorecard('owned');
    expect(await lantern.store.db.selectFrom('scorecard_tallies').select('entity_group').where('scorecard_id', '=', 'owned').execute()).toEqual([]);
  });

  it('refuses a cursor of another sort or with a text search', async () => {
    await lantern.evaluateScorecards(DAY1);
    const [scorecard] = await lantern.scorecards.list(lantern.store.db);
    if (!scorecard) throw new Error('no scorecard');
    const { nextCursor } = await scorecardResultsPage(lantern.store.db, scorecard, { limit: 1 });
    expect(nextCursor).not.toBeNull();
    await expect(scorecardResultsPage(lantern.store.db, scorecard, { sort: '-score', cursor: nextCursor as string })).rejects.toThrow(/same sort/);
    await expect(scorecardResultsPage(lantern.store.db, scorecard, { q: 'full', cursor: nextCursor as string })).rejects.toThrow(/text search/);
  });
});
