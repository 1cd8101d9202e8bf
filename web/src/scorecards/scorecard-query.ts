import type { CheckStatus } from '../api/types.js';
import { DEFAULT_PAGE_SIZE, DEFAULT_TREND_DAYS, readList, readPageSize, readPositiveInteger, readSort, readTrendDays, writeSearch } from '../routing/search-params.js';

/**
 * A scorecard page's view, all of it in the URL:
 * `/scorecards/security-baseline?owner=group:default/team-a&check=no-critical&status=fail&sort=-failed&days=90`.
 */
export interface ScorecardQuery {
  /** Owners and systems, as full refs (`group:default/team-a`) or bare names. */
  owner: string[];
  system: string[];
  q: string;
  /** Only the entities whose result on one check is one status. */
  check: { id: string; status: CheckStatus } | null;
  sort: string;
  page: number;
  pageSize: number;
  /** The trend's period. */
  days: number;
}

export const RESULT_SORT_KEYS = ['score', 'name', 'owner', 'system', 'failed'] as const;
/** Worst first: the lowest score, then those without one. */
export const DEFAULT_RESULT_SORT = 'score';

const STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'unknown'];

export function parseScorecardQuery(search: string): ScorecardQuery {
  const params = new URLSearchParams(search);
  const check = (params.get('check') ?? '').trim();
  const status = STATUSES.find((s) => s === params.get('status'));
  return {
    owner: readList(params, 'owner'),
    system: readList(params, 'system'),
    q: (params.get('q') ?? '').trim(),
    check: check !== '' && status !== undefined ? { id: check, status } : null,
    sort: readSort(params, RESULT_SORT_KEYS, DEFAULT_RESULT_SORT),
    page: readPositiveInteger(params, 'page', 1),
    pageSize: readPageSize(params),
    days: readTrendDays(params),
  };
}

/** The query string of a view; defaults are left out. */
export function scorecardSearch(query: ScorecardQuery): string {
  return writeSearch([
    ['owner', query.owner],
    ['system', query.system],
    ['q', query.q],
    ['check', query.check?.id],
    ['status', query.check?.status],
    ['sort', query.sort, DEFAULT_RESULT_SORT],
    ['page', query.page, 1],
    ['size', query.pageSize, DEFAULT_PAGE_SIZE],
    ['days', query.days, DEFAULT_TREND_DAYS],
  ]);
}

/** A changed view starts again on its first page. */
export function withScorecardChange(query: ScorecardQuery, change: Partial<ScorecardQuery>): ScorecardQuery {
  return { ...query, page: 1, ...change };
}

/** Whether the view leaves out some of the scorecard's entities. */
export function isScorecardFiltered(query: ScorecardQuery): boolean {
  return query.owner.length > 0 || query.system.length > 0 || query.q !== '' || query.check !== null;
}

/** The results request for the table of a view. */
export function resultsPath(scorecardId: string, query: ScorecardQuery): string {
  const search = writeSearch([
    ['owner', query.owner],
    ['system', query.system],
    ['check', query.check?.id],
    ['status', query.check?.status],
    ['q', query.q],
    ['sort', query.sort],
    ['limit', query.pageSize],
    ['offset', (query.page - 1) * query.pageSize, 0],
  ]);
  return `/api/scorecards/${encodeURIComponent(scorecardId)}/results${search}`;
}

/** The trend request of a view: the same owners and systems (the trend has no check or name filter). */
export function trendPath(scorecardId: string, query: ScorecardQuery): string {
  const search = writeSearch([
    ['days', query.days],
    ['owner', query.owner],
    ['system', query.system],
  ]);
  return `/api/scorecards/${encodeURIComponent(scorecardId)}/trend${search}`;
}
