import { entityPath } from '../api/client.js';
import { SEVERITIES, type Severity } from '../api/types.js';
import type { EntityName } from '../routing/routes.js';
import { readList, readPositiveInteger, readSort, writeSearch } from '../routing/search-params.js';

/**
 * The Vulnerabilities tab's view, all of it in the URL, the open issue included:
 * `…/vulnerabilities?severity=critical&new=true&issue=123`.
 */
export interface IssueQuery {
  severity: Severity[];
  scanner: string[];
  kind: string[];
  /** One target's issues only, by target id. */
  target: number | null;
  newOnly: boolean;
  /** The exempted issues instead of the open ones (`status=exempted`). */
  exempted: boolean;
  q: string;
  sort: string;
  /** Where the page starts: the API's cursor; null for the first page. */
  cursor: string | null;
  /** The issue open in the drawer. */
  issue: number | null;
}

export const ISSUE_SORT_KEYS = ['severity', 'title', 'package', 'firstSeen'] as const;
export const DEFAULT_ISSUE_SORT = '-severity';
export const ISSUE_PAGE_SIZE = 50;

export function parseIssueQuery(search: string): IssueQuery {
  const params = new URLSearchParams(search);
  const issue = readPositiveInteger(params, 'issue', 0);
  const target = readPositiveInteger(params, 'target', 0);
  return {
    severity: readList(params, 'severity').filter((s): s is Severity => (SEVERITIES as readonly string[]).includes(s)),
    scanner: readList(params, 'scanner'),
    kind: readList(params, 'kind'),
    target: target === 0 ? null : target,
    newOnly: params.get('new') === 'true',
    exempted: params.get('status') === 'exempted',
    q: (params.get('q') ?? '').trim(),
    sort: readSort(params, ISSUE_SORT_KEYS, DEFAULT_ISSUE_SORT),
    cursor: params.get('cursor') || null,
    issue: issue === 0 ? null : issue,
  };
}

export function issueSearch(query: IssueQuery): string {
  // Severities in their own order, whatever order they were ticked in.
  const severity = SEVERITIES.filter((s) => query.severity.includes(s));
  return writeSearch([
    ['severity', severity],
    ['scanner', query.scanner],
    ['kind', query.kind],
    ['target', query.target],
    ['new', query.newOnly],
    ['status', query.exempted ? 'exempted' : null],
    ['q', query.q],
    ['sort', query.sort, DEFAULT_ISSUE_SORT],
    ['cursor', query.cursor],
    ['issue', query.issue],
  ]);
}

/** A changed filter or order starts again on the first page, with no issue open. */
export function withIssueChange(query: IssueQuery, change: Partial<IssueQuery>): IssueQuery {
  return { ...query, cursor: null, issue: null, ...change };
}

export function isIssueFiltered(query: IssueQuery): boolean {
  return query.severity.length + query.scanner.length + query.kind.length > 0 || query.target !== null || query.newOnly || query.q !== '';
}

/** The insights request for a page of an entity's issues. */
export function issuesPath(entity: EntityName, query: IssueQuery, limit = ISSUE_PAGE_SIZE): string {
  const severity = SEVERITIES.filter((s) => query.severity.includes(s));
  const search = writeSearch([
    ['severity', severity],
    ['scanner', query.scanner],
    ['kind', query.kind],
    ['target', query.target],
    ['status', query.exempted ? 'exempted' : query.newOnly ? 'new' : null],
    ['q', query.q],
    ['sort', query.sort],
    ['limit', limit],
    ['cursor', query.cursor],
  ]);
  return `/api/insights/entities/${entityPath(entity.kind, entity.namespace, entity.name)}/issues${search}`;
}
