/** The filters, sorting and paging of an entity's issue list, as Lantern's issues route takes them. */

export interface IssueQuery {
  severity?: string[];
  scanner?: string[];
  kind?: string[];
  target?: number;
  status?: 'new' | 'common' | 'exempted';
  /** `listed`: only issues CISA lists as known exploited. */
  kev?: 'listed' | 'not-listed' | 'never-enriched';
  epssMin?: number;
  sla?: string;
  q?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

/** The query parameters Lantern's issues route accepts; the backend forwards these and no other. */
export const ISSUE_QUERY_KEYS = ['severity', 'scanner', 'kind', 'target', 'status', 'kev', 'epssMin', 'sla', 'q', 'sort', 'limit', 'cursor'] as const;

export function issueSearchParams(query: IssueQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ISSUE_QUERY_KEYS) {
    const value = query[key];
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  return params;
}

/** Only the parameters Lantern's issues route knows, each once, from a request's query. */
export function forwardedIssueParams(query: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ISSUE_QUERY_KEYS) {
    const value = query[key];
    if (typeof value === 'string' && value !== '') params.set(key, value);
  }
  return params;
}
