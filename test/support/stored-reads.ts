import { expect } from 'vitest';
import { computedTrend, trend } from '../../src/insights/trend.js';
import type { Lantern } from '../../src/lantern.js';
import { computedScorecardTallies, computedScorecardTrend, scorecardTallies, scorecardTrend } from '../../src/scorecards/results.js';

/**
 * The reads kept in stored rows (the dashboard trend's sums, the scorecards' tallies and trends) say what
 * computing them from every row says. Their rows themselves depend on the order concurrent
 * transactions committed in (as the daily histories do), so runs are compared by these reads.
 */
export async function expectStoredReadsComputed(lantern: Lantern): Promise<void> {
  const { db } = lantern.store;
  const options = { days: 60, now: lantern.now() };
  expect(await trend(db, options)).toEqual(await computedTrend(db, options));
  const scorecards = await lantern.scorecards.list(db);
  expect(await scorecardTallies(db, scorecards)).toEqual(await computedScorecardTallies(db, scorecards));
  for (const scorecard of scorecards) expect(await scorecardTrend(db, scorecard, options), scorecard.id).toEqual(await computedScorecardTrend(db, scorecard, options));
}
