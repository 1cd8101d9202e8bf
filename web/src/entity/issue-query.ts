import { entityPath } from '../api/client.js';
import { type KevMatch, SEVERITIES, SLA_STATES, type Severity, type SlaState } from '../api/types.js';
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
  /** KEV state: `listed` for the known-exploited only. */
  kev: KevMatch['state'] | null;
  /** Only issues whose EPSS score is at least this (0 to 1). */
  epssMin: number | null;
  sla: SlaState | null;
  /** The exempted issues instead of the open ones (`status=exempted`). */
  exempted: boolean;
  q: string;
  /** `priority` (the default: known-exploited first, then EPSS bands, severity, fixable) or a column's key. */
  sort: string;
  /** Where the page starts: the API's cursor; null for the first page. */
  cursor: string | null;
  /** The issue open in the drawer. */
  issue: number | null;
}

export const ISSUE_SORT_KEYS = ['priority', 'severity', 'title', 'package', 'firstSeen'] as const;
export const DEFAULT_ISSUE_SORT = 'priority';
export const ISSUE_PAGE_SIZE = 50;
const KEV_STATES: ReadonlyArray<KevMatch['state']> = ['listed', 'not-listed', 'never-enriched'];

/** `epss=0.5`: a number from 0 to 1, else no filter. */
function readEpssMin(params: URLSearchParams): number | null {
  const text = params.get('epss');
  if (text === null || !/^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/.test(text.trim())) return null;
  return Number(text);
}

function readOne<T extends string>(params: URLSearchParams, key: string, values: readonly T[]): T | null {
  const text = params.get(key);
  return values.includes(text as T) ? (text as T) : null;
}

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
    kev: readOne(params, 'kev', KEV_STATES),
    epssMin: readEpssMin(params),
    sla: readOne(params, 'sla', SLA_STATES),
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
    ['kev', query.kev],
    ['epss', query.epssMin],
    ['sla', query.sla],
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
  return query.severity.length + query.scanner.length + query.kind.length > 0 || query.target !== null || query.newOnly || query.kev !== null || query.epssMin !== null || query.sla !== null || query.q !== '';
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
    ['kev', query.kev],
    ['epssMin', query.epssMin],
    ['sla', query.sla],
    ['q', query.q],
    ['sort', query.sort],
    ['limit', limit],
    ['cursor', query.cursor],
  ]);
  return `/api/insights/entities/${entityPath(entity.kind, entity.namespace, entity.name)}/issues${search}`;
}
