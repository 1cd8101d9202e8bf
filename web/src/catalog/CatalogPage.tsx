import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Facets, Overview, OverviewRow, ScorecardList } from '../api/types.js';
import { SEVERITIES } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { entityHref, humanizeEntityRef } from '../routing/routes.js';
import { Link, navigate, useLocation } from '../routing/router.js';
import { nextSort, PAGE_SIZES } from '../routing/search-params.js';
import { type Column, DataTable } from '../ui/DataTable.js';
import { FilterMenu, type FilterOption } from '../ui/FilterMenu.js';
import { ScoreValue } from '../ui/CheckStatus.js';
import { formatCount, formatDateTime, formatRelative, formatScore } from '../ui/format.js';
import { OffsetPagination } from '../ui/Pagination.js';
import { RefLink } from '../ui/RefLink.js';
import { SearchBox } from '../ui/SearchBox.js';
import { NoData, SEVERITY_LABEL, SeverityCount, SeverityIcon } from '../ui/Severity.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { type CatalogFilter, type CatalogQuery, catalogSearch, DEFAULT_KINDS, isDefaultKinds, isFiltered, overviewPath, parseCatalogQuery, withCatalogChange } from './catalog-query.js';
import { api } from '../api/client.js';
import { type ExportColumn, exportTable } from '../export/export.js';
import { ExportButtons } from '../export/ExportButtons.js';

/** Facets of the catalog API behind each filter. */
const FACETS: Record<CatalogFilter, string> = { kind: 'kind', type: 'spec.type', owner: 'relations.ownedBy', lifecycle: 'spec.lifecycle', tag: 'metadata.tags' };
const FILTER_LABELS: Record<CatalogFilter, string> = { kind: 'Kind', type: 'Type', owner: 'Owner', lifecycle: 'Lifecycle', tag: 'Tag' };
const FACETS_PATH = `/api/catalog/entity-facets?${Object.values(FACETS)
  .map((f) => `facet=${encodeURIComponent(f)}`)
  .join('&')}`;

function entityOf(row: OverviewRow) {
  return { kind: row.kind.toLowerCase(), namespace: row.namespace, name: row.name };
}

function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null;
  const shown = tags.slice(0, 3);
  return (
    <span className="tags">
      {shown.map((t) => (
        <span key={t} className="tag">
          {t}
        </span>
      ))}
      {tags.length > shown.length && <span className="muted" title={tags.slice(3).join(', ')}>+{tags.length - shown.length}</span>}
    </span>
  );
}

/** A known-exploited or SLA-breached count: "—" when the entity has no data or the count is unknown, never 0. */
function ExploitedCount({ row, count, label, search }: { row: OverviewRow; count: number | null | undefined; label: string; search: string }) {
  if (row.counts === null) return null;
  if (count === null || count === undefined) return <span className="xcell tone-unknown" title={`${label}: unknown (no KEV feed loaded, or no CVE id to match)`}>—</span>;
  if (count === 0) return <span className="muted">0</span>;
  return (
    <Link href={entityHref(entityOf(row), 'vulnerabilities', search)} tabIndex={-1} className="xcell tone-alert" title={`${formatCount(count)} ${label.toLowerCase()}`}>
      <strong>{formatCount(count)}</strong>
    </Link>
  );
}

/** Whether the overview sends known-exploited and SLA-breached counts (docs/web-ui.md): the columns show only then. */
export function sendsExploitation(rows: OverviewRow[]): boolean {
  return rows.some((r) => r.knownExploited !== undefined || r.slaBreached !== undefined);
}

/**
 * Known-exploited, then SLA-breached, each linking to the filtered tab and sortable: the server
 * keeps a sort key for each (unknown counts last either way round), so any page is read by index.
 */
const EXPLOITATION_COLUMNS: Column<OverviewRow>[] = [
  {
    key: 'knownExploited',
    header: <span title="Open issues known to be exploited (CISA KEV)">KEV</span>,
    sortKey: 'knownExploited',
    descendingFirst: true,
    className: 'col-count col-exploitation',
    cell: (row) => <ExploitedCount row={row} count={row.knownExploited} label="Known exploited" search="?kev=listed" />,
  },
  {
    key: 'slaBreached',
    header: <span title="Open issues past their SLA due date">Breached</span>,
    sortKey: 'slaBreached',
    descendingFirst: true,
    className: 'col-count col-exploitation',
    cell: (row) => <ExploitedCount row={row} count={row.slaBreached} label="SLA breached" search="?sla=breached" />,
  },
];

/** The catalog's columns; the Score column names the scorecard its scores are on. */
function catalogColumns(scorecard: string | null, extra: Column<OverviewRow>[] = []): Column<OverviewRow>[] {
  const on = scorecard ?? 'a scorecard';
  return [
    {
      key: 'name',
      header: 'Name',
      sortKey: 'name',
      className: 'col-name col-sticky',
      cell: (row) => (
        <Link href={entityHref(entityOf(row))} tabIndex={-1} className="entity-name">
          {row.title || row.name}
          {row.title && row.title !== row.name && <span className="entity-name-sub">{row.name}</span>}
          {/* Below 1440 px type, lifecycle and tags fold under the name; on a phone, kind, type and owner instead. */}
          <span className="entity-name-sub phone-only">{[row.kind, row.type, row.owner ? humanizeEntityRef(row.owner, 'group') : null].filter(Boolean).join(' · ')}</span>
          <span className="entity-name-sub fold-only">{[row.type, row.lifecycle, ...row.tags.slice(0, 3)].filter(Boolean).join(' · ')}</span>
        </Link>
      ),
    },
    { key: 'kind', header: 'Kind', sortKey: 'kind', className: 'col-secondary', cell: (row) => row.kind },
    { key: 'type', header: 'Type', sortKey: 'type', className: 'col-secondary col-fold', cell: (row) => row.type ?? <span className="muted">—</span> },
    { key: 'owner', header: 'Owner', sortKey: 'owner', className: 'col-secondary', cell: (row) => <RefLink refText={row.owner} kind="group" tabIndex={-1} /> },
    { key: 'system', header: 'System', sortKey: 'system', className: 'col-secondary', cell: (row) => <RefLink refText={row.system} kind="system" tabIndex={-1} /> },
    { key: 'lifecycle', header: 'Lifecycle', sortKey: 'lifecycle', className: 'col-secondary col-fold', cell: (row) => row.lifecycle ?? <span className="muted">—</span> },
    { key: 'tags', header: 'Tags', className: 'col-secondary col-fold', cell: (row) => <Tags tags={row.tags} /> },
    {
      key: 'score',
      header: <span title={`The entity's score on ${on}`}>Score</span>,
      sortKey: 'score',
      className: 'num',
      // "No score" (the scorecard does not apply, or decided nothing) is not a score of 0.
      cell: (row) => (
        <Link href={entityHref(entityOf(row), 'scorecards')} tabIndex={-1} aria-label={row.score === null ? 'No score' : `Score ${formatScore(row.score)}`}>
          <ScoreValue value={row.score} none="—" hint={scorecard === null ? 'No score: Lantern has no scorecard.' : `No score: ${on} does not apply to this entity, or decided none of its checks.`} />
        </Link>
      ),
    },
    ...SEVERITIES.map(
      (severity, index): Column<OverviewRow> => ({
        key: severity,
        header: (
          <span className="sev-header">
            <SeverityIcon severity={severity} />
            <span className="sev-header-label">{SEVERITY_LABEL[severity]}</span>
          </span>
        ),
        sortKey: severity,
        descendingFirst: true,
        className: 'col-count',
        // "No data" covers the severity and total columns: it is not six zeros.
        span: (row) => (row.counts === null && index === 0 ? SEVERITIES.length + 1 : 1),
        cell: (row) => (row.counts === null ? <NoDataOf row={row} /> : <SeverityCount severity={severity} count={row.counts[severity]} />),
      }),
    ),
    {
      key: 'total',
      header: 'Total',
      sortKey: 'total',
      descendingFirst: true,
      className: 'col-count',
      cell: (row) => (row.counts === null ? null : <strong>{formatCount(row.counts.total)}</strong>),
    },
    ...extra,
    {
      key: 'lastScanAt',
      header: 'Last scan',
      sortKey: 'lastScanAt',
      descendingFirst: true,
      className: 'col-date col-secondary',
      cell: (row) => (row.lastScanAt ? <time dateTime={row.lastScanAt} title={formatDateTime(row.lastScanAt)}>{formatRelative(row.lastScanAt)}</time> : <span className="muted">—</span>),
    },
  ];
}

/** No data, or, when the entity has links that matched nothing, how many: that is not the same as having no link. */
function NoDataOf({ row }: { row: OverviewRow }) {
  if (row.unmatchedLinks === 0) return <NoData />;
  return (
    <Link href={entityHref(entityOf(row))} tabIndex={-1} className="unmatched-count" title="A link of this entity names a target that was not found or never scanned: its page says why.">
      {row.unmatchedLinks === 1 ? '1 link unmatched' : `${formatCount(row.unmatchedLinks)} links unmatched`}
    </Link>
  );
}

/** Every row the view's filters select, all pages, in the view's order. */
async function allRows(query: CatalogQuery): Promise<OverviewRow[]> {
  const rows: OverviewRow[] = [];
  for (let page = 1; ; page++) {
    const next = await api.get<Overview>(overviewPath({ ...query, page, pageSize: 200 }));
    rows.push(...next.items);
    if (next.items.length < 200 || rows.length >= next.total) return rows;
  }
}

const CATALOG_EXPORT: ExportColumn<OverviewRow>[] = [
  { key: 'entityRef', value: (r) => r.entityRef },
  { key: 'kind', value: (r) => r.kind },
  { key: 'name', value: (r) => r.name },
  { key: 'title', value: (r) => r.title },
  { key: 'type', value: (r) => r.type },
  { key: 'owner', value: (r) => r.owner },
  { key: 'system', value: (r) => r.system },
  { key: 'lifecycle', value: (r) => r.lifecycle },
  { key: 'tags', value: (r) => r.tags.join(' ') },
  { key: 'score', value: (r) => r.score },
  { key: 'hasData', value: (r) => r.hasData },
  ...SEVERITIES.map((s): ExportColumn<OverviewRow> => ({ key: s, value: (r) => r.counts?.[s] ?? null })),
  { key: 'total', value: (r) => r.counts?.total ?? null },
  { key: 'knownExploited', value: (r) => r.knownExploited ?? null },
  { key: 'slaBreached', value: (r) => r.slaBreached ?? null },
  { key: 'unmatchedLinks', value: (r) => r.unmatchedLinks },
  { key: 'lastScanAt', value: (r) => r.lastScanAt },
];

function facetOptions(facets: Facets | undefined, filter: CatalogFilter): FilterOption[] {
  const values = facets?.facets[FACETS[filter]] ?? [];
  return values.map((v) => ({ value: v.value, label: filter === 'owner' ? humanizeEntityRef(v.value, 'group') : v.value, count: v.count }));
}

export function CatalogPage() {
  const location = useLocation();
  const query = parseCatalogQuery(location.search);
  const overview = useResource<Overview>(overviewPath(query), { keepPrevious: true });
  // Filter values are asked for once the rows are in: on SQLite one query runs at a time, and the
  // rows are what the reader is waiting for.
  const [wantFacets, setWantFacets] = useState(false);
  useEffect(() => {
    if (overview.status !== 'loading') setWantFacets(true);
  }, [overview.status]);
  const facets = useResource<Facets>(wantFacets ? FACETS_PATH : null);
  const scorecards = useResource<ScorecardList>(wantFacets ? '/api/scorecards' : null);

  const go = useCallback((next: CatalogQuery, replace = false) => navigate(`/catalog${catalogSearch(next)}`, { replace }), []);
  const change = (patch: Partial<CatalogQuery>) => go(withCatalogChange(query, patch));
  const onSearch = useCallback((q: string) => go(withCatalogChange(parseCatalogQuery(window.location.search), { q }), true), [go]);

  const data = overview.data;
  const scoredOn = data?.scorecard ?? null;
  const withExploitation = sendsExploitation(overview.data?.items ?? []);
  const columns = useMemo(() => catalogColumns(scoredOn?.name ?? null, withExploitation ? EXPLOITATION_COLUMNS : []), [scoredOn?.name, withExploitation]);
  return (
    <div className="page">
      <div className="page-header">
        <h1>Catalog</h1>
        {data && (
          <p className="page-subtitle" data-testid="catalog-totals">
            {formatCount(data.totals.entities)} entities, {formatCount(data.totals.withData)} with security data
          </p>
        )}
      </div>

      <div className="filter-bar" role="search" aria-label="Filter the catalog">
        <SearchBox value={query.q} onSearch={onSearch} label="Search entities by name, title or an issue they have (CVE, package, rule)" placeholder="Name, title, CVE, package…" />
        {(Object.keys(FACETS) as CatalogFilter[]).map((filter) => (
          <FilterMenu key={filter} label={FILTER_LABELS[filter]} options={facetOptions(facets.data, filter)} selected={query[filter]} onChange={(values) => change({ [filter]: values })} />
        ))}
        {isDefaultKinds(query.kind) ? (
          <button type="button" className="link-button" onClick={() => change({ kind: [] })} data-testid="all-kinds">
            All kinds
          </button>
        ) : (
          <button type="button" className="link-button" onClick={() => change({ kind: DEFAULT_KINDS })} data-testid="security-kinds">
            Kinds with security data
          </button>
        )}
        <label className="select-filter">
          <span>Security data</span>
          <select value={query.hasData === null ? '' : String(query.hasData)} onChange={(e) => change({ hasData: e.target.value === '' ? null : e.target.value === 'true' })}>
            <option value="">Any</option>
            <option value="true">Has security data</option>
            <option value="false">No security data</option>
          </select>
        </label>
        {scorecards.data && scorecards.data.items.length > 1 && (
          <label className="select-filter">
            <span>Score on</span>
            <select value={query.scorecard || scoredOn?.id || ''} onChange={(e) => change({ scorecard: e.target.value })}>
              {scorecards.data.items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {isFiltered(query) && (
          <button type="button" className="link-button" onClick={() => go({ ...parseCatalogQuery(''), sort: query.sort, pageSize: query.pageSize, scorecard: query.scorecard })}>
            Clear filters
          </button>
        )}
      </div>
      {data && data.total > 0 && (
        <div className="export-bar">
          <ExportButtons name="catalog" label="Export the entities these filters show" load={async () => exportTable(CATALOG_EXPORT, await allRows(query))} />
        </div>
      )}
      {facets.status === 'error' && <p className="inline-error" role="alert">Filter values could not be loaded: {facets.error?.message}</p>}

      {overview.status === 'error' && <ErrorState error={overview.error as Error} what="the catalog" onRetry={overview.reload} />}
      {overview.status === 'loading' && !data && <Loading what="the catalog" />}
      {data && overview.status !== 'error' && (
        <>
          {data.items.length === 0 ? (
            isFiltered(query) ? (
              <EmptyState title="No entity matches these filters.">
                <p>Loosen a filter or clear them all to see the whole catalog.</p>
              </EmptyState>
            ) : query.page > 1 ? (
              <EmptyState title="This page is past the end of the catalog.">
                <p>
                  <Link href={`/catalog${catalogSearch({ ...query, page: 1 })}`}>Go to the first page</Link>
                </p>
              </EmptyState>
            ) : (
              <EmptyState title="The catalog is empty.">
                <p>
                  Register your <code>catalog-info.yaml</code> files: <code>lantern catalog register catalog-info.yaml</code>, or start the server with{' '}
                  <code>lantern serve --catalog ./catalog</code>. Entities link to scanned targets with the <code>harness.io/sto-test-target</code> annotation or their
                  repository URL.
                </p>
              </EmptyState>
            )
          ) : (
            <DataTable
              caption={`Catalog entities with their open issues per severity${scoredOn ? ` and their ${scoredOn.name} score` : ''}`}
              testId="catalog-table"
              columns={columns}
              rows={data.items}
              rowKey={(row) => row.entityRef}
              onOpen={(row) => navigate(entityHref(entityOf(row)))}
              sort={query.sort}
              onSort={(key, descendingFirst) => change({ sort: nextSort(query.sort, key, descendingFirst) })}
              busy={overview.status === 'loading'}
            />
          )}
          {data.total > 0 && (
            <OffsetPagination
              label="Catalog"
              page={query.page}
              pageSize={query.pageSize}
              total={data.total}
              pageSizes={PAGE_SIZES}
              onPage={(page) => go({ ...query, page })}
              onPageSize={(pageSize) => change({ pageSize })}
            />
          )}
        </>
      )}
    </div>
  );
}
