import { SEVERITIES, type Severity } from '../api/types.js';
import { readList, writeSearch } from '../routing/search-params.js';

/** The "Where is…" page's view, in the URL: `/issues?q=log4j&severity=critical,high`. */
export interface IssueSearchQuery {
  q: string;
  severity: Severity[];
}

/** Text shorter than this searches nothing (the API's minimum). */
export const MIN_SEARCH = 3;

export function parseIssueSearchQuery(search: string): IssueSearchQuery {
  const params = new URLSearchParams(search);
  return {
    q: (params.get('q') ?? '').trim(),
    severity: readList(params, 'severity').filter((s): s is Severity => (SEVERITIES as readonly string[]).includes(s)),
  };
}

export function issueSearchHref(query: IssueSearchQuery): string {
  return `/issues${writeSearch([
    ['q', query.q],
    ['severity', query.severity],
  ])}`;
}

/** The API request for a view; null when the text is too short to search. */
export function issueSearchPath(query: IssueSearchQuery): string | null {
  if (query.q.length < MIN_SEARCH) return null;
  return `/api/insights/issues${writeSearch([
    ['q', query.q],
    ['severity', query.severity],
  ])}`;
}
