import { DEFAULT_PAGE_SIZE, readList, readPageSize, readPositiveInteger, readSort, writeSearch } from '../routing/search-params.js';

/** The catalog page's view, all of it in the URL: `/catalog?kind=component&tag=pci&sort=-critical&page=2`. */
export interface CatalogQuery {
  kind: string[];
  type: string[];
  owner: string[];
  lifecycle: string[];
  tag: string[];
  /** Only entities with security data (true), only those without (false), or both (null). */
  hasData: boolean | null;
  q: string;
  sort: string;
  page: number;
  pageSize: number;
  /** The scorecard the Score column shows; '' for the server's default (the Security baseline). */
  scorecard: string;
}

export const CATALOG_SORT_KEYS = ['critical', 'high', 'medium', 'low', 'info', 'total', 'name', 'kind', 'type', 'owner', 'system', 'lifecycle', 'lastScanAt', 'score', 'knownExploited', 'slaBreached'] as const;
export const DEFAULT_CATALOG_SORT = '-critical';

export const CATALOG_FILTERS = ['kind', 'type', 'owner', 'lifecycle', 'tag'] as const;

/** The kinds that can have security data, shown unless the URL asks for others (`kind=all` for every kind). */
export const DEFAULT_KINDS = ['Component', 'API', 'Resource', 'System'];
const ALL_KINDS = 'all';

function sameKinds(a: readonly string[], b: readonly string[]): boolean {
  const lower = (list: readonly string[]) => [...list].map((k) => k.toLowerCase()).sort().join(',');
  return lower(a) === lower(b);
}

/** True when the view shows the default kinds. */
export function isDefaultKinds(kinds: readonly string[]): boolean {
  return sameKinds(kinds, DEFAULT_KINDS);
}
export type CatalogFilter = (typeof CATALOG_FILTERS)[number];

export function parseCatalogQuery(search: string): CatalogQuery {
  const params = new URLSearchParams(search);
  const hasData = params.get('hasData');
  return {
    kind: params.has('kind') ? readList(params, 'kind').filter((k) => k.toLowerCase() !== ALL_KINDS) : DEFAULT_KINDS,
    type: readList(params, 'type'),
    owner: readList(params, 'owner'),
    lifecycle: readList(params, 'lifecycle'),
    tag: readList(params, 'tag'),
    hasData: hasData === 'true' ? true : hasData === 'false' ? false : null,
    q: (params.get('q') ?? '').trim(),
    sort: readSort(params, CATALOG_SORT_KEYS, DEFAULT_CATALOG_SORT),
    page: readPositiveInteger(params, 'page', 1),
    pageSize: readPageSize(params),
    scorecard: (params.get('scorecard') ?? '').trim(),
  };
}

/** The query string of a view; defaults are left out, so the plain catalog is just `/catalog`. */
export function catalogSearch(query: CatalogQuery): string {
  return writeSearch([
    ['kind', isDefaultKinds(query.kind) ? [] : query.kind.length === 0 ? ALL_KINDS : query.kind],
    ['type', query.type],
    ['owner', query.owner],
    ['lifecycle', query.lifecycle],
    ['tag', query.tag],
    ['hasData', query.hasData === null ? null : String(query.hasData)],
    ['q', query.q],
    ['sort', query.sort, DEFAULT_CATALOG_SORT],
    ['page', query.page, 1],
    ['size', query.pageSize, DEFAULT_PAGE_SIZE],
    ['scorecard', query.scorecard],
  ]);
}

/** A changed view starts again on its first page. */
export function withCatalogChange(query: CatalogQuery, change: Partial<CatalogQuery>): CatalogQuery {
  return { ...query, page: 1, ...change };
}

/** The insights overview request for a view. */
export function overviewPath(query: CatalogQuery): string {
  const search = writeSearch([
    ['kind', query.kind],
    ['type', query.type],
    ['owner', query.owner],
    ['lifecycle', query.lifecycle],
    ['tag', query.tag],
    ['hasData', query.hasData === null ? null : String(query.hasData)],
    ['q', query.q],
    ['sort', query.sort],
    ['limit', query.pageSize],
    ['offset', (query.page - 1) * query.pageSize, 0],
    ['scorecard', query.scorecard],
  ]);
  return `/api/insights/overview${search}`;
}

export function isFiltered(query: CatalogQuery): boolean {
  return CATALOG_FILTERS.some((f) => (f === 'kind' ? !isDefaultKinds(query.kind) : query[f].length > 0)) || query.hasData !== null || query.q !== '';
}
