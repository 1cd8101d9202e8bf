import type { IssueQuery, Severity } from '@lantern-security/backstage-plugin-common';

/**
 * The Security tab's issue table: its filters, its sort and where it is in the pages. Lantern pages
 * by cursor, so going back is going to the cursor of the page before, kept on a stack.
 */
export interface IssueTableState {
  severity: Severity[];
  scanner: string[];
  status: 'active' | 'new' | 'exempted';
  knownExploited: boolean;
  q: string;
  /** Lantern's sort: `-severity` (default), `title`, `package`, `-firstSeen`, `priority`, … */
  sort: string;
  pageSize: number;
  /** The cursors of the pages before this one and of this one (`null`: the first page). */
  cursors: Array<string | null>;
}

export const INITIAL_ISSUE_TABLE: IssueTableState = { severity: [], scanner: [], status: 'active', knownExploited: false, q: '', sort: '-severity', pageSize: 20, cursors: [null] };

type Filter = Pick<IssueTableState, 'severity' | 'scanner' | 'status' | 'knownExploited' | 'q' | 'sort' | 'pageSize'>;

/** A changed filter or sort starts again at the first page. */
export function withFilter(state: IssueTableState, change: Partial<Filter>): IssueTableState {
  return { ...state, ...change, cursors: [null] };
}

export function nextPage(state: IssueTableState, nextCursor: string | null): IssueTableState {
  return nextCursor === null ? state : { ...state, cursors: [...state.cursors, nextCursor] };
}

export function previousPage(state: IssueTableState): IssueTableState {
  return state.cursors.length <= 1 ? state : { ...state, cursors: state.cursors.slice(0, -1) };
}

export function pageNumber(state: IssueTableState): number {
  return state.cursors.length;
}

export function issueQuery(state: IssueTableState): IssueQuery {
  const cursor = state.cursors[state.cursors.length - 1];
  return {
    ...(state.severity.length > 0 ? { severity: state.severity } : {}),
    ...(state.scanner.length > 0 ? { scanner: state.scanner } : {}),
    ...(state.status === 'active' ? {} : { status: state.status }),
    ...(state.knownExploited ? { kev: 'listed' as const } : {}),
    ...(state.q.trim() ? { q: state.q.trim() } : {}),
    sort: state.sort,
    limit: state.pageSize,
    ...(cursor ? { cursor } : {}),
  };
}
