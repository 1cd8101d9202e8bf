import { useCallback, useEffect, useState } from 'react';
import type { CheckStatus, Facets, Scorecard, ScorecardResultRow, ScorecardResults } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { entityHref, humanizeEntityRef, scorecardHref } from '../routing/routes.js';
import { Link, navigate, useLocation } from '../routing/router.js';
import { nextSort, PAGE_SIZES } from '../routing/search-params.js';
import { CHECK_STATUS_LABEL, CheckStatusIcon, ScoreValue } from '../ui/CheckStatus.js';
import { type Column, DataTable } from '../ui/DataTable.js';
import { FilterMenu, type FilterOption } from '../ui/FilterMenu.js';
import { formatCount } from '../ui/format.js';
import { OffsetPagination } from '../ui/Pagination.js';
import { RefLink } from '../ui/RefLink.js';
import { SearchBox } from '../ui/SearchBox.js';
import { Stat } from '../ui/Stat.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { CheckTallyTable } from './CheckTallyTable.js';
import { ORIGIN_LABEL } from './origin.js';
import { isScorecardFiltered, parseScorecardQuery, resultsPath, type ScorecardQuery, scorecardSearch, withScorecardChange } from './scorecard-query.js';
import { ScorecardTrendCard } from './ScorecardTrendCard.js';

// Owners and systems to filter by, from the catalog: the same refs the results API takes.
const FACETS_PATH = `/api/catalog/entity-facets?facet=${encodeURIComponent('relations.ownedBy')}&facet=${encodeURIComponent('relations.partOf')}`;

const NO_SCORE_HINT = 'No score: none of the checks could be decided for this entity.';

function entityOf(row: ScorecardResultRow) {
  return { kind: row.kind.toLowerCase(), namespace: row.namespace, name: row.name };
}

/** Owners are groups or users; what an entity is part of may be a system or a domain, and only systems filter here. */
function ownerOptions(facets: Facets | undefined): FilterOption[] {
  return (facets?.facets['relations.ownedBy'] ?? []).map((v) => ({ value: v.value, label: humanizeEntityRef(v.value, 'group') }));
}

function systemOptions(facets: Facets | undefined): FilterOption[] {
  return (facets?.facets['relations.partOf'] ?? []).filter((v) => v.value.startsWith('system:')).map((v) => ({ value: v.value, label: humanizeEntityRef(v.value, 'system') }));
}

/** Each check's status for one entity, in the scorecard's order, as shapes with the check's name for screen readers and on hover. */
function CheckMarks({ row, checks }: { row: ScorecardResultRow; checks: Array<{ id: string; name: string }> }) {
  return (
    <span className="status-counts">
      {checks.map((check) => {
        const status = row.checks[check.id] ?? 'unknown';
        const text = `${check.name}: ${CHECK_STATUS_LABEL[status].toLowerCase()}`;
        return (
          <span key={check.id} title={text} data-check={check.id} data-status={status}>
            <CheckStatusIcon status={status} />
            <span className="visually-hidden">{text}; </span>
          </span>
        );
      })}
    </span>
  );
}

function columnsFor(checks: Array<{ id: string; name: string }>): Column<ScorecardResultRow>[] {
  return [
    {
      key: 'name',
      header: 'Entity',
      sortKey: 'name',
      className: 'col-name',
      cell: (row) => (
        <Link href={entityHref(entityOf(row), 'scorecards')} tabIndex={-1} className="entity-name">
          {row.title || row.name}
          <span className="entity-name-sub">{[row.kind, row.type].filter(Boolean).join(' · ')}</span>
        </Link>
      ),
    },
    { key: 'owner', header: 'Owner', sortKey: 'owner', className: 'col-secondary', cell: (row) => <RefLink refText={row.owner} kind="group" tabIndex={-1} /> },
    { key: 'system', header: 'System', sortKey: 'system', className: 'col-secondary', cell: (row) => <RefLink refText={row.system} kind="system" tabIndex={-1} /> },
    { key: 'score', header: 'Score', sortKey: 'score', className: 'num', cell: (row) => <ScoreValue value={row.score} hint={NO_SCORE_HINT} /> },
    { key: 'checks', header: 'Checks', cell: (row) => <CheckMarks row={row} checks={checks} /> },
    {
      key: 'failed',
      header: 'Failed',
      sortKey: 'failed',
      descendingFirst: true,
      className: 'num',
      cell: (row) => (
        <span title={`${row.passed} passed, ${row.failed} failed, ${row.unknown} unknown`}>
          {formatCount(row.failed)}
          <span className="cell-sub">
            {formatCount(row.passed)} passed · {formatCount(row.unknown)} unknown
          </span>
        </span>
      ),
    },
  ];
}

const STATUS_FILTER_TEXT: Record<CheckStatus, string> = { pass: 'pass', fail: 'fail', unknown: 'are unknown on' };

/** One scorecard: its pass rates over the entities the filters select, each check's, its trend, and the entities with their scores. */
export default function ScorecardPage({ scorecardId }: { scorecardId: string }) {
  const location = useLocation();
  const query = parseScorecardQuery(location.search);
  const definition = useResource<Scorecard>(`/api/scorecards/${encodeURIComponent(scorecardId)}`);
  const results = useResource<ScorecardResults>(resultsPath(scorecardId, query), { keepPrevious: true });
  // Filter values are asked for once the rows are in, as on the catalog page.
  const [wantFacets, setWantFacets] = useState(false);
  useEffect(() => {
    if (results.status !== 'loading') setWantFacets(true);
  }, [results.status]);
  const facets = useResource<Facets>(wantFacets ? FACETS_PATH : null);

  const go = useCallback((next: ScorecardQuery, replace = false) => navigate(scorecardHref(scorecardId, scorecardSearch(next)), { replace }), [scorecardId]);
  const change = (patch: Partial<ScorecardQuery>) => go(withScorecardChange(query, patch));
  const onSearch = useCallback((q: string) => go(withScorecardChange(parseScorecardQuery(window.location.search), { q }), true), [go]);
  const hrefFor = (check: string, status: CheckStatus) => scorecardHref(scorecardId, scorecardSearch(withScorecardChange(query, { check: { id: check, status } })));

  const name = definition.data?.name ?? results.data?.scorecard.name;
  useEffect(() => {
    if (name) document.title = `${name} · Scorecards · Lantern`;
  }, [name]);

  const breadcrumb = (
    <p className="breadcrumb">
      <Link href="/scorecards">Scorecards</Link> <span aria-hidden="true">›</span>
    </p>
  );
  if (definition.status === 'error') {
    return (
      <div className="page">
        {breadcrumb}
        <ErrorState error={definition.error as Error} what={`the scorecard “${scorecardId}”`} onRetry={definition.reload} />
      </div>
    );
  }

  const data = results.data;
  const checks = data?.summary.checks ?? [];
  const filteredCheck = query.check ? checks.find((c) => c.id === query.check?.id) : undefined;
  const filtered = isScorecardFiltered(query);
  return (
    <div className="page">
      <div className="entity-header">
        {breadcrumb}
        <h1>
          {name ?? scorecardId}
          {definition.data && <span className="kind-badge">{ORIGIN_LABEL[definition.data.origin]}</span>}
        </h1>
        {definition.data?.description && <p className="muted">{definition.data.description}</p>}
      </div>

      <div className="filter-bar" role="search" aria-label="Filter the entities">
        <SearchBox value={query.q} onSearch={onSearch} label="Search entities by name or title" placeholder="Search by name or title…" />
        <FilterMenu label="Owner" options={ownerOptions(facets.data)} selected={query.owner} onChange={(owner) => change({ owner })} />
        <FilterMenu label="System" options={systemOptions(facets.data)} selected={query.system} onChange={(system) => change({ system })} />
        {query.check && (
          <span className="chip-filter" data-testid="check-filter">
            Entities that {STATUS_FILTER_TEXT[query.check.status]} “{filteredCheck?.name ?? query.check.id}”
            <button type="button" className="button icon-button" aria-label="Show every result of this check" onClick={() => change({ check: null })}>
              ×
            </button>
          </span>
        )}
        {filtered && (
          <button type="button" className="link-button" onClick={() => go({ ...parseScorecardQuery(''), sort: query.sort, pageSize: query.pageSize, days: query.days })}>
            Clear filters
          </button>
        )}
      </div>
      {facets.status === 'error' && (
        <p className="inline-error" role="alert">
          Filter values could not be loaded: {facets.error?.message}
        </p>
      )}

      {results.status === 'error' && <ErrorState error={results.error as Error} what="the results" onRetry={results.reload} />}
      {results.status === 'loading' && !data && <Loading what="the results" />}
      {data && results.status !== 'error' && (
        <>
          <section className="card" aria-labelledby="scorecard-summary-title">
            <h2 id="scorecard-summary-title">{query.owner.length > 0 || query.system.length > 0 || query.q !== '' ? 'Entities the filters select' : 'Every entity it applies to'}</h2>
            <dl className="stats">
              <Stat
                label="Pass rate"
                value={<ScoreValue value={data.summary.passRate} none="—" hint="No entity here has a score." />}
                testId="scorecard-pass-rate"
                hint="Entities that failed no check, of those with a score"
              />
              <Stat label="Average score" value={<ScoreValue value={data.summary.averageScore} none="—" hint="No entity here has a score." />} testId="scorecard-average" />
              <Stat label="Entities" value={formatCount(data.summary.entities)} testId="scorecard-entities" />
              <Stat label="Passing" value={`${formatCount(data.summary.passing)} of ${formatCount(data.summary.scored)}`} testId="scorecard-passing" hint="Entities that failed no check, of those with a score" />
            </dl>
          </section>

          <div className="dashboard-grid">
            <section className="card" aria-labelledby="scorecard-checks-title">
              <h2 id="scorecard-checks-title">Checks</h2>
              <CheckTallyTable checks={checks} caption="Each check's results over these entities; a count shows its entities" hrefFor={hrefFor} testId="scorecard-checks" />
              <p className="muted">Unknown results (no data) are left out of a check's pass rate.</p>
            </section>
            <ScorecardTrendCard scorecardId={scorecardId} query={query} go={go} />
          </div>

          <section className="card scorecard-entities" aria-labelledby="scorecard-entities-title">
            <h2 id="scorecard-entities-title">Entities</h2>
            {data.items.length === 0 ? (
              filtered ? (
                <EmptyState title="No entity matches these filters.">
                  <p>Loosen a filter or clear them all to see every entity this scorecard applies to.</p>
                </EmptyState>
              ) : query.page > 1 ? (
                <EmptyState title="This page is past the end of the list.">
                  <p>
                    <Link href={scorecardHref(scorecardId, scorecardSearch({ ...query, page: 1 }))}>Go to the first page</Link>
                  </p>
                </EmptyState>
              ) : (
                <EmptyState title="This scorecard applies to no entity yet.">
                  <p>Its filter picks entities by kind, type, lifecycle, owner or tags; entities appear here once the catalog has some it picks.</p>
                </EmptyState>
              )
            ) : (
              <DataTable
                caption="Entities with their score and each check's result"
                testId="scorecard-results"
                columns={columnsFor(checks)}
                rows={data.items}
                rowKey={(row) => row.entityRef}
                onOpen={(row) => navigate(entityHref(entityOf(row), 'scorecards'))}
                sort={query.sort}
                onSort={(key, descendingFirst) => change({ sort: nextSort(query.sort, key, descendingFirst) })}
                busy={results.status === 'loading'}
              />
            )}
            {data.total > 0 && (
              <OffsetPagination
                label="Entities"
                page={query.page}
                pageSize={query.pageSize}
                total={data.total}
                pageSizes={PAGE_SIZES}
                onPage={(page) => go({ ...query, page })}
                onPageSize={(pageSize) => change({ pageSize })}
              />
            )}
          </section>
        </>
      )}
    </div>
  );
}
