import { describe, expect, it } from 'vitest';
import type { ScorecardTrend } from '../api/types.js';
import { isScorecardFiltered, parseScorecardQuery, resultsPath, scorecardSearch, trendPath, withScorecardChange } from './scorecard-query.js';
import { scorecardSeries, scoredEnds } from './trend-series.js';

describe('scorecard view in the URL', () => {
  it('is every entity, worst first, over 30 days when the URL says nothing', () => {
    const query = parseScorecardQuery('');
    expect(query).toEqual({ owner: [], system: [], q: '', check: null, sort: 'score', page: 1, pageSize: 50, days: 30 });
    expect(scorecardSearch(query)).toBe('');
    expect(isScorecardFiltered(query)).toBe(false);
  });

  it('reads back every filter it writes', () => {
    const search = '?owner=group:default/team-a,team-b&system=system:default/checkout&q=pay&check=no-critical&status=fail&sort=-failed&page=2&size=25&days=90';
    const query = parseScorecardQuery(search);
    expect(query).toEqual({
      owner: ['group:default/team-a', 'team-b'],
      system: ['system:default/checkout'],
      q: 'pay',
      check: { id: 'no-critical', status: 'fail' },
      sort: '-failed',
      page: 2,
      pageSize: 25,
      days: 90,
    });
    expect(parseScorecardQuery(scorecardSearch(query))).toEqual(query);
    expect(isScorecardFiltered(query)).toBe(true);
  });

  it('falls back to defaults on values it does not know, and needs both a check and a status', () => {
    const query = parseScorecardQuery('?sort=colour&size=7&days=31&check=no-critical&status=maybe');
    expect(query).toMatchObject({ sort: 'score', pageSize: 50, days: 30, check: null });
    expect(parseScorecardQuery('?status=fail').check).toBeNull();
    expect(parseScorecardQuery('?check=no-critical').check).toBeNull();
  });

  it('starts a changed view on its first page, and an owner filter is a filter', () => {
    const query = parseScorecardQuery('?page=3&system=checkout');
    const changed = withScorecardChange(query, { owner: ['group:default/team-a'] });
    expect(changed).toMatchObject({ page: 1, owner: ['group:default/team-a'], system: ['checkout'] });
    expect(scorecardSearch(changed)).toBe('?owner=group%3Adefault%2Fteam-a&system=checkout');
    expect(isScorecardFiltered(parseScorecardQuery('?owner=team-a'))).toBe(true);
    expect(isScorecardFiltered(parseScorecardQuery('?sort=name&days=7&page=2'))).toBe(false);
  });

  it('asks the API for the page shown, and for the trend of the same owners and systems', () => {
    expect(resultsPath('security-baseline', parseScorecardQuery(''))).toBe('/api/scorecards/security-baseline/results?sort=score&limit=50');
    const query = parseScorecardQuery('?owner=team-a&system=checkout&q=pay&check=no-critical&status=unknown&sort=-name&page=3&size=25&days=7');
    expect(resultsPath('security-baseline', query)).toBe('/api/scorecards/security-baseline/results?owner=team-a&system=checkout&check=no-critical&status=unknown&q=pay&sort=-name&limit=25&offset=50');
    expect(trendPath('security-baseline', query)).toBe('/api/scorecards/security-baseline/trend?days=7&owner=team-a&system=checkout');
    expect(trendPath('a b', parseScorecardQuery(''))).toBe('/api/scorecards/a%20b/trend?days=30');
  });
});

describe('scorecard trend', () => {
  const tally = { entities: 0, scored: 0, averageScore: null, passing: 0, passRate: null, checks: [] };
  const trend: ScorecardTrend = {
    points: [
      { date: '2026-11-18', ...tally },
      { date: '2026-11-19', ...tally, entities: 3, scored: 2, averageScore: 60, passing: 1, passRate: 50 },
      { date: '2026-11-20', ...tally, entities: 3, scored: 3, averageScore: 72.5, passing: 2, passRate: 66.7 },
    ],
  };

  it('draws the pass rate and the average score, a day without a score as a gap rather than 0', () => {
    const series = scorecardSeries(trend);
    expect(series.map((s) => [s.label, s.values])).toEqual([
      ['Pass rate', [null, 50, 66.7]],
      ['Average score', [null, 60, 72.5]],
    ]);
    expect(series[0]?.dash).not.toEqual(series[1]?.dash);
  });

  it('says where the trend went from the first day with a score', () => {
    expect(scoredEnds(trend)).toEqual({ first: trend.points[1], last: trend.points[2] });
    expect(scoredEnds({ points: [trend.points[0]!] })).toBeNull();
  });
});
