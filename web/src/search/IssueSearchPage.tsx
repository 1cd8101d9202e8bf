import { useCallback, useEffect } from 'react';
import type { AffectedRow, IssueSearch } from '../api/rollup-types.js';
import { SEVERITIES } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { type ExportColumn, exportTable } from '../export/export.js';
import { ExportButtons } from '../export/ExportButtons.js';
import { entityHref } from '../routing/routes.js';
import { Link, navigate, useLocation } from '../routing/router.js';
import { FilterMenu } from '../ui/FilterMenu.js';
import { formatCount, formatVersions } from '../ui/format.js';
import { RefLink } from '../ui/RefLink.js';
import { SearchBox } from '../ui/SearchBox.js';
import { SEVERITY_LABEL, SeverityBadge, SeverityCount, SeverityCounts, SeverityHeaders } from '../ui/Severity.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { issueSearchHref, issueSearchPath, MIN_SEARCH, parseIssueSearchQuery } from './issue-search-query.js';

const ROW_EXPORT: ExportColumn<AffectedRow>[] = [
  { key: 'severity', value: (r) => r.severity },
  { key: 'vulnerabilityId', value: (r) => r.vulnerabilityId },
  { key: 'ruleId', value: (r) => r.ruleId },
  { key: 'title', value: (r) => r.title },
  { key: 'package', value: (r) => r.package },
  { key: 'installedVersion', value: (r) => r.installedVersion },
  { key: 'fixedVersion', value: (r) => r.fixedVersion },
  { key: 'target', value: (r) => r.targetName },
  { key: 'targetScope', value: (r) => r.targetScope },
  { key: 'targetType', value: (r) => r.targetType },
  { key: 'variant', value: (r) => r.variant },
  { key: 'scanners', value: (r) => r.scanners.join(' ') },
  { key: 'exempted', value: (r) => r.exempted },
  { key: 'entities', value: (r) => r.entities.join(' ') },
];

function EntityList({ refs }: { refs: string[] }) {
  if (refs.length === 0) return <span className="muted">No entity shows this variant</span>;
  return (
    <span className="ref-list">
      {refs.map((ref, i) => (
        <span key={ref}>
          {i > 0 && ', '}
          <RefLink refText={ref} kind="component" />
        </span>
      ))}
    </span>
  );
}

function Results({ found }: { found: IssueSearch }) {
  if (found.rows.length === 0) {
    return (
      <EmptyState title={`No current issue matches “${found.q}”.`}>
        <p>The search looks at vulnerability ids and their aliases, package names and rule ids, in what each target's latest scans report.</p>
      </EmptyState>
    );
  }
  return (
    <>
      <section className="card" aria-labelledby="found-title">
        <h2 id="found-title">
          {formatCount(found.counts.total)} open {found.counts.total === 1 ? 'issue' : 'issues'} in {formatCount(found.entities.length)}{' '}
          {found.entities.length === 1 ? 'entity' : 'entities'}, {formatCount(found.targets)} {found.targets === 1 ? 'target' : 'targets'} and {formatCount(found.variants)}{' '}
          {found.variants === 1 ? 'variant' : 'variants'}
        </h2>
        <p data-testid="search-counts">
          <SeverityCounts counts={found.counts} />
        </p>
        {found.exempted > 0 && <p className="muted">{formatCount(found.exempted)} more are exempted: listed below, not counted.</p>}
        {found.truncated && <p className="inline-error">More issues match than one search reads: narrow the text (a whole CVE id, a package name).</p>}
      </section>

      <section className="card" aria-labelledby="entities-title">
        <h2 id="entities-title">Affected entities</h2>
        {found.entities.length === 0 ? (
          <p className="muted">No entity in the catalog shows the targets below.</p>
        ) : (
          <div className="table-scroll">
            <table className="compact-table" data-testid="affected-entities">
              <caption className="visually-hidden">Entities showing a matching issue, with how many per severity</caption>
              <thead>
                <tr>
                  <th scope="col">Entity</th>
                  <th scope="col">Owner</th>
                  <SeverityHeaders />
                  <th scope="col" className="num">
                    Targets
                  </th>
                </tr>
              </thead>
              <tbody>
                {found.entities.map((e) => (
                  <tr key={e.entityRef} data-key={e.entityRef}>
                    <th scope="row">
                      <Link href={entityHref({ kind: e.kind.toLowerCase(), namespace: e.namespace, name: e.name }, 'vulnerabilities', `?q=${encodeURIComponent(found.q)}`)}>{e.title || e.name}</Link>
                      <span className="cell-sub">{e.kind}</span>
                    </th>
                    <td>
                      <RefLink refText={e.owner} kind="group" />
                    </td>
                    {SEVERITIES.map((s) => (
                      <td key={s} className="num">
                        <SeverityCount severity={s} count={e.counts[s]} />
                      </td>
                    ))}
                    <td className="num">{formatCount(e.counts.total)}</td>
                    <td className="num">{formatCount(e.targets)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="rows-title">
        <div className="card-header">
          <h2 id="rows-title">Targets and variants</h2>
          <ExportButtons name="issue-search" label="Export the issues this search shows" load={() => Promise.resolve(exportTable(ROW_EXPORT, found.rows))} />
        </div>
        <div className="table-scroll">
          <table className="compact-table" data-testid="affected-rows">
            <caption className="visually-hidden">Each matching issue in each variant that has it now</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Issue</th>
                <th scope="col">Package</th>
                <th scope="col">Target</th>
                <th scope="col">Variant</th>
                <th scope="col">Entities</th>
              </tr>
            </thead>
            <tbody>
              {found.rows.map((r) => (
                <tr key={`${r.issueId}:${r.variant}`} data-key={`${r.targetName} ${r.variant} ${r.vulnerabilityId ?? r.ruleId ?? r.title}`} className={r.exempted ? 'is-exempted' : undefined}>
                  <td>
                    <SeverityBadge severity={r.severity} />
                    {r.exempted && <span className="cell-sub">exempted</span>}
                  </td>
                  <th scope="row">
                    <code>{r.vulnerabilityId ?? r.ruleId ?? '—'}</code>
                    <span className="cell-sub">{r.title}</span>
                  </th>
                  <td>
                    {r.package ?? <span className="muted">—</span>}
                    {r.package && <span className="cell-sub">{formatVersions(r.installedVersion, r.fixedVersion)}</span>}
                  </td>
                  <td>
                    <Link href={`/targets/${r.targetId}`}>{r.targetName}</Link>
                    <span className="cell-sub">
                      {r.targetType} · {r.targetScope}
                    </span>
                  </td>
                  <td>
                    <code>{r.variant}</code>
                    <span className="cell-sub">{r.scanners.join(', ')}</span>
                  </td>
                  <td>
                    <EntityList refs={r.entities} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

/** "Where is log4j?": one issue, package or rule across every entity, target and variant. */
export default function IssueSearchPage() {
  const location = useLocation();
  const query = parseIssueSearchQuery(location.search);
  const path = issueSearchPath(query);
  const found = useResource<IssueSearch>(path, { keepPrevious: true });
  const onSearch = useCallback((q: string) => navigate(issueSearchHref({ ...parseIssueSearchQuery(window.location.search), q }), { replace: true }), []);

  useEffect(() => {
    document.title = query.q ? `Where is ${query.q}? · Lantern` : 'Where is an issue? · Lantern';
  }, [query.q]);

  return (
    <div className="page">
      <div className="page-header">
        <h1>Where is an issue?</h1>
        <p className="page-subtitle">Every entity, target and variant that has it now: by CVE or another id or alias, package, or rule.</p>
      </div>
      <div className="filter-bar" role="search" aria-label="Search the issues of every entity">
        <SearchBox value={query.q} onSearch={onSearch} label="CVE, alias, package or rule" placeholder="e.g. CVE-2021-44228, log4j-core…" />
        <FilterMenu
          label="Severity"
          options={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABEL[s] }))}
          selected={query.severity}
          onChange={(values) => navigate(issueSearchHref({ ...query, severity: values.filter((v): v is (typeof SEVERITIES)[number] => (SEVERITIES as readonly string[]).includes(v)) }))}
        />
      </div>
      {path === null ? (
        <EmptyState title={query.q ? `Type at least ${MIN_SEARCH} characters.` : 'Search for a vulnerability, a package or a rule.'}>
          <p>
            For example <Link href={issueSearchHref({ q: 'log4j', severity: [] })}>log4j</Link>: the answer lists each entity that shows it, with counts, and each target
            and variant that has it.
          </p>
        </EmptyState>
      ) : found.status === 'error' ? (
        <ErrorState error={found.error as Error} what="the search" onRetry={found.reload} />
      ) : !found.data ? (
        <Loading what="the search" />
      ) : (
        <Results found={found.data} />
      )}
    </div>
  );
}
