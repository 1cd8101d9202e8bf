import { lazy, Suspense, useCallback, useRef } from 'react';
import { type EntitySummary, type IssuePage, type IssueRow, SEVERITIES, type Severity, SLA_STATES, type SlaState } from '../api/types.js';
import type { Resource } from '../api/use-resource.js';
import { useResource } from '../api/use-resource.js';
import { type EntityName, entityHref } from '../routing/routes.js';
import { navigate, useLocation } from '../routing/router.js';
import { nextSort } from '../routing/search-params.js';
import { Breakable } from '../ui/Breakable.js';
import { type Column, DataTable } from '../ui/DataTable.js';
import { FilterMenu } from '../ui/FilterMenu.js';
import { formatCount, formatDate, formatDateTime, formatFileLocation, formatVersions } from '../ui/format.js';
import { CursorPagination } from '../ui/Pagination.js';
import { SearchBox } from '../ui/SearchBox.js';
import { SEVERITY_LABEL, SeverityBadge, SeverityIcon } from '../ui/Severity.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { type IssueQuery, isIssueFiltered, issueSearch, issuesPath, parseIssueQuery, withIssueChange } from './issue-query.js';
import { linkProblems } from './link-advice.js';
import { UnmatchedLinks } from './LinkDiagnostics.js';
import { exportTable } from '../export/export.js';
import { ExportButtons } from '../export/ExportButtons.js';
import { allIssues, ISSUE_EXPORT } from './issue-export.js';
import { EpssCell, KevCell, SlaCell } from './ExploitationCells.js';
import { EPSS_FLOORS, KEV_LABELS, SLA_LABELS } from './exploitation-text.js';
import { EXEMPTION_COLUMN, SelectionBar, useIssueSelection } from '../exemptions/IssueSelection.js';

// The drawer brings the markdown reader with it: loaded when an issue is first opened.
const IssueDrawer = lazy(() => import('./IssueDrawer.js'));

const KIND_LABELS: Record<string, string> = { vulnerability: 'Vulnerability', code: 'Code', misconfiguration: 'Misconfiguration', secret: 'Secret', instance: 'Instance', license: 'License' };

function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** What the issue is in: a package and its versions, or a rule's file. */
function Where({ issue }: { issue: IssueRow }) {
  if (issue.package) {
    return (
      <>
        <span className="mono">{issue.package}</span>
        {(issue.installedVersion || issue.fixedVersion) && <span className="cell-sub mono">{formatVersions(issue.installedVersion, issue.fixedVersion)}</span>}
      </>
    );
  }
  if (issue.location) {
    return (
      <span className="mono">
        <Breakable text={formatFileLocation(issue.location.filePath, issue.location.startLine, issue.location.endLine)} />
      </span>
    );
  }
  return <span className="muted">—</span>;
}

/** The table's columns; sorted by priority, each title says why the issue is where it is. */
function issueColumns(byPriority: boolean): Column<IssueRow>[] {
  return [
  { key: 'severity', header: 'Severity', sortKey: 'severity', descendingFirst: true, className: 'col-severity', cell: (i) => <SeverityBadge severity={i.severity} /> },
  {
    key: 'title',
    header: 'Title',
    sortKey: 'title',
    className: 'col-title',
    cell: (i) => (
      <>
        <span className="issue-title">{i.title}</span>
        {i.new && <span className="badge badge-new">New</span>}
        {i.exempted && <span className="badge badge-exempted">Exempted</span>}
        <span className="cell-sub">{kindLabel(i.kind)}</span>
        {byPriority && i.priorityReason && (
          <span className="cell-sub priority-reason" data-testid="priority-reason">
            {i.priorityReason}
          </span>
        )}
      </>
    ),
  },
  {
    key: 'id',
    header: 'Identifier',
    className: 'col-id mono',
    cell: (i) => {
      const id = i.vulnerabilityId ?? i.ruleId;
      return id ? <Breakable text={id} /> : <span className="muted">—</span>;
    },
  },
  { key: 'kev', header: <span title="In CISA's Known Exploited Vulnerabilities catalog">KEV</span>, className: 'col-kev', cell: (i) => <KevCell issue={i} /> },
  { key: 'epss', header: <span title="FIRST EPSS percentile: how likely exploitation is in the next 30 days, against every scored CVE">EPSS</span>, className: 'col-epss num', cell: (i) => <EpssCell issue={i} /> },
  { key: 'sla', header: <span title="When the SLA for its severity says it must be fixed">SLA</span>, className: 'col-sla', cell: (i) => <SlaCell issue={i} /> },
  { key: 'package', header: 'Package or file', sortKey: 'package', className: 'col-where', cell: (i) => <Where issue={i} /> },
  {
    key: 'target',
    header: 'Target',
    className: 'col-target',
    cell: (i) => (
      <>
        <Breakable text={i.targetName} />
        <span className="cell-sub">{i.variant}</span>
      </>
    ),
  },
  { key: 'scanners', header: 'Scanners', cell: (i) => i.scanners.join(', ') },
  { key: 'occurrences', header: 'Occurrences', className: 'num', cell: (i) => formatCount(i.occurrences) },
  {
    key: 'firstSeen',
    header: 'First seen',
    sortKey: 'firstSeen',
    descendingFirst: true,
    className: 'col-date',
    cell: (i) => (
      <time dateTime={i.firstSeenAt} title={formatDateTime(i.firstSeenAt)}>
        {formatDate(i.firstSeenAt)}
      </time>
    ),
  },
  ];
}

/** The orders the Order menu offers; a column's other direction is offered when it is the current one. */
const ORDERS: Array<[string, string]> = [
  ['priority', 'Priority (exploited first)'],
  ['-severity', 'Severity, worst first'],
  ['-firstSeen', 'Newest first'],
  ['firstSeen', 'Oldest first'],
  ['title', 'Title'],
  ['package', 'Package'],
];

const ORDER_NAMES: Record<string, string> = { priority: 'Priority', severity: 'Severity', title: 'Title', package: 'Package', firstSeen: 'First seen' };

function orderLabel(sort: string): string {
  const key = sort.replace(/^-/, '');
  return ORDERS.find(([value]) => value === sort)?.[1] ?? `${ORDER_NAMES[key] ?? key}, ${sort.startsWith('-') ? 'descending' : 'ascending'}`;
}

function epssLabel(floor: number): string {
  return `EPSS ≥ ${floor}`;
}

function SeverityFilter({ selected, onChange }: { selected: Severity[]; onChange: (values: Severity[]) => void }) {
  return (
    <div className="severity-filter" role="group" aria-label="Severity">
      {SEVERITIES.map((s) => {
        const on = selected.includes(s);
        return (
          <button key={s} type="button" className={`chip sev-chip sev-${s}${on ? ' is-on' : ''}`} aria-pressed={on} onClick={() => onChange(on ? selected.filter((x) => x !== s) : [...selected, s])}>
            <SeverityIcon severity={s} />
            {SEVERITY_LABEL[s]}
          </button>
        );
      })}
    </div>
  );
}

export function VulnerabilitiesTab({ name, summary }: { name: EntityName; summary: Resource<EntitySummary> }) {
  const location = useLocation();
  const query = parseIssueQuery(location.search);
  const page = useResource<IssuePage>(issuesPath(name, { ...query, issue: null }), { keepPrevious: true });
  // Cursors of the pages seen before this one in this visit, for "Previous".
  const previous = useRef<{ key: string; cursors: Array<string | null> }>({ key: '', cursors: [] });
  const filterKey = issueSearch({ ...query, cursor: null, issue: null });
  if (previous.current.key !== filterKey) previous.current = { key: filterKey, cursors: [] };

  const go = useCallback((next: IssueQuery, replace = false) => navigate(entityHref(name, 'vulnerabilities', issueSearch(next)), { replace }), [name]);
  const change = (patch: Partial<IssueQuery>) => go(withIssueChange(query, patch));
  const onSearch = useCallback((q: string) => go(withIssueChange(parseIssueQuery(window.location.search), { q }), true), [go]);
  const open = (issue: number | null) => go({ ...query, issue });

  const data = page.data;
  const noData = summary.data && !summary.data.hasData;
  const scopes = new Map(summary.data?.targets.map((t) => [t.targetId, t.scope]));
  const selection = useIssueSelection(data?.items ?? [], (targetId) => scopes.get(targetId), !query.exempted);
  const shownColumns = [...(selection.column ? [selection.column] : []), ...issueColumns(query.sort === 'priority'), ...(query.exempted ? [EXEMPTION_COLUMN] : [])];

  return (
    <section className="card vulnerabilities" aria-labelledby="vulnerabilities-title">
      <h2 id="vulnerabilities-title" className="visually-hidden">
        Vulnerabilities
      </h2>
      <div className="filter-bar" role="search" aria-label="Filter the issues">
        <SearchBox value={query.q} onSearch={onSearch} label="Search issues by title, identifier, package or file" placeholder="Search title, CVE, package, file…" />
        <SeverityFilter selected={query.severity} onChange={(severity) => change({ severity })} />
        <FilterMenu label="Scanner" options={(data?.facets.scanners ?? []).map((s) => ({ value: s, label: s }))} selected={query.scanner} onChange={(scanner) => change({ scanner })} />
        <FilterMenu label="Kind" options={(data?.facets.kinds ?? []).map((k) => ({ value: k, label: kindLabel(k) }))} selected={query.kind} onChange={(kind) => change({ kind })} />
        <label className="select-filter">
          <span>Target</span>
          <select value={query.target ?? ''} onChange={(e) => change({ target: e.target.value === '' ? null : Number(e.target.value) })}>
            <option value="">All targets</option>
            {(data?.facets.targets ?? []).map((t) => (
              <option key={t.targetId} value={t.targetId}>
                {t.name}
              </option>
            ))}
            {query.target !== null && !data?.facets.targets.some((t) => t.targetId === query.target) && <option value={query.target}>Target {query.target}</option>}
          </select>
        </label>
        <div className="status-toggle" role="group" aria-label="Status">
          {([false, true] as const).map((exempted) => (
            <button key={String(exempted)} type="button" className={`chip${query.exempted === exempted ? ' is-on' : ''}`} aria-pressed={query.exempted === exempted} onClick={() => change({ exempted, newOnly: false })}>
              {exempted ? 'Exempted' : 'Open'}
            </button>
          ))}
        </div>
        {!query.exempted && (
          <label className="check-filter">
            <input type="checkbox" checked={query.newOnly} onChange={(e) => change({ newOnly: e.target.checked })} />
            New only
          </label>
        )}
        <label className="select-filter">
          <span>Exploited</span>
          <select value={query.kev ?? ''} onChange={(e) => change({ kev: e.target.value === '' ? null : (e.target.value as IssueQuery['kev']) })} data-testid="kev-filter">
            <option value="">Any</option>
            {Object.entries(KEV_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="select-filter">
          <span>EPSS</span>
          <select value={query.epssMin ?? ''} onChange={(e) => change({ epssMin: e.target.value === '' ? null : Number(e.target.value) })} data-testid="epss-filter">
            <option value="">Any</option>
            {[...new Set([...EPSS_FLOORS, ...(query.epssMin === null ? [] : [query.epssMin])])]
              .sort((a, b) => a - b)
              .map((floor) => (
                <option key={floor} value={floor}>
                  {epssLabel(floor)}
                </option>
              ))}
          </select>
        </label>
        <label className="select-filter">
          <span>SLA</span>
          <select value={query.sla ?? ''} onChange={(e) => change({ sla: e.target.value === '' ? null : (e.target.value as SlaState) })} data-testid="sla-filter">
            <option value="">Any</option>
            {SLA_STATES.map((state) => (
              <option key={state} value={state}>
                {SLA_LABELS[state]}
              </option>
            ))}
          </select>
        </label>
        <label className="select-filter">
          <span>Order</span>
          <select value={query.sort} onChange={(e) => change({ sort: e.target.value })} data-testid="issue-order">
            {[...ORDERS.map(([value]) => value), ...(ORDERS.some(([value]) => value === query.sort) ? [] : [query.sort])].map((value) => (
              <option key={value} value={value}>
                {orderLabel(value)}
              </option>
            ))}
          </select>
        </label>
        {isIssueFiltered(query) && (
          <button type="button" className="link-button" onClick={() => go({ ...parseIssueQuery(''), sort: query.sort, exempted: query.exempted })}>
            Clear filters
          </button>
        )}
      </div>

      {data && data.total > 0 && (
        <div className="export-bar">
          <ExportButtons name="issues" label="Export the issues these filters show" load={async () => exportTable(ISSUE_EXPORT, await allIssues(name, query))} />
        </div>
      )}
      {!query.exempted && <SelectionBar selected={selection.selected} clear={selection.clear} />}
      {page.status === 'error' && <ErrorState error={page.error as Error} what="the issues" onRetry={page.reload} />}
      {page.status === 'loading' && !data && <Loading what="the issues" />}
      {data && page.status !== 'error' && (
        <>
          {data.items.length === 0 ? (
            noData && summary.data ? (
              <>
                <EmptyState title="No security data for this entity.">
                  <p>None of its target links matched a scanned target: there is nothing to list yet. This is not the same as no issues.</p>
                </EmptyState>
                <UnmatchedLinks links={linkProblems(summary.data.links).unmatched} />
              </>
            ) : query.exempted && !isIssueFiltered(query) ? (
              <EmptyState title="No exempted issues.">
                <p>No approved exemption covers an issue of this entity now.</p>
              </EmptyState>
            ) : isIssueFiltered(query) ? (
              <EmptyState title="No issue matches these filters.">
                <p>Loosen a filter, or clear them to see every open issue.</p>
                {(query.kev === 'listed' || query.kev === 'not-listed' || query.epssMin !== null) && (
                  <p className="muted">The known-exploited and EPSS filters match only issues matched with a loaded feed: an issue never matched is unknown, not "not exploited" (<code>lantern feeds status</code> says what is loaded).</p>
                )}
              </EmptyState>
            ) : (
              <EmptyState title="No open issues.">
                <p>The latest scans of this entity's targets report nothing open. New scans show up here as they are ingested.</p>
              </EmptyState>
            )
          ) : (
            <DataTable
              caption={query.exempted ? 'Exempted issues of this entity' : 'Open issues of this entity'}
              testId="issues-table"
              columns={shownColumns}
              rows={data.items}
              rowKey={(i) => i.id}
              onOpen={(i) => open(i.id)}
              sort={query.sort}
              onSort={(key, descendingFirst) => change({ sort: nextSort(query.sort, key, descendingFirst) })}
              busy={page.status === 'loading'}
              rowClassName={(i) => (i.id === query.issue ? 'is-open' : undefined)}
            />
          )}
          {data.total > 0 && (
            <CursorPagination
              label="Issues"
              shown={data.items.length}
              total={data.total}
              atFirst={query.cursor === null}
              hasPrevious={previous.current.cursors.length > 0}
              hasNext={data.nextCursor !== null}
              onFirst={() => go({ ...query, cursor: null, issue: null })}
              onPrevious={() => {
                const back = previous.current.cursors.pop() ?? null;
                go({ ...query, cursor: back, issue: null });
              }}
              onNext={() => {
                previous.current.cursors.push(query.cursor);
                go({ ...query, cursor: data.nextCursor, issue: null });
              }}
            />
          )}
        </>
      )}
      {query.issue !== null && (
        <Suspense fallback={<Loading what="the issue" />}>
          <IssueDrawer issueId={query.issue} entity={name} row={data?.items.find((i) => i.id === query.issue)} onClose={() => open(null)} />
        </Suspense>
      )}
    </section>
  );
}
