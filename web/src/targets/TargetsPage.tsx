import { useCallback, useEffect, useState } from 'react';
import { useViewer } from '../access/session.js';
import { queryString } from '../api/client.js';
import type { Target } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { Link, navigate, useLocation } from '../routing/router.js';
import { nextSort, readSort } from '../routing/search-params.js';
import { type Column, DataTable } from '../ui/DataTable.js';
import { RefLink } from '../ui/RefLink.js';
import { SeverityCounts } from '../ui/Severity.js';
import { formatCount, formatDateTime, formatRelative } from '../ui/format.js';
import { SearchBox } from '../ui/SearchBox.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { SORT_KEYS, sortTargets } from './target-sort.js';
import { TARGET_TYPES } from './upload.js';
import { UploadReport } from './UploadReport.js';

function baselineText(target: Target) {
  if (target.baselineVariant) return <code>{target.baselineVariant}</code>;
  if (target.baselineRegex) return <span>newest matching <code>{target.baselineRegex}</code></span>;
  return <span className="muted">not set</span>;
}

const columns: Column<Target>[] = [
  {
    key: 'name',
    header: 'Target',
    sortKey: 'name',
    className: 'col-name',
    cell: (t) => (
      <Link href={`/targets/${t.id}`} tabIndex={-1} className="break">
        {t.name}
      </Link>
    ),
  },
  { key: 'type', header: 'Type', sortKey: 'type', cell: (t) => t.type },
  { key: 'scope', header: 'Scope', sortKey: 'scope', cell: (t) => t.scope },
  { key: 'issues', header: 'Open issues', sortKey: 'issues', descendingFirst: true, cell: (t) => <SeverityCounts counts={t.counts} /> },
  {
    key: 'entities',
    header: 'Entities',
    sortKey: 'entities',
    descendingFirst: true,
    cell: (t) =>
      t.entities.length === 0 ? (
        <span className="muted">none linked</span>
      ) : (
        <span className="entity-refs">
          {t.entities.map((ref) => (
            <RefLink key={ref} refText={ref} kind="component" tabIndex={-1} />
          ))}
        </span>
      ),
  },
  { key: 'baseline', header: 'Baseline', cell: baselineText },
  { key: 'variants', header: 'Variants', className: 'num', cell: (t) => formatCount(t.variants) },
  { key: 'scans', header: 'Scans', sortKey: 'scans', descendingFirst: true, className: 'num', cell: (t) => formatCount(t.scans) },
  {
    key: 'lastScanAt',
    header: 'Last scan',
    sortKey: 'lastScanAt',
    descendingFirst: true,
    className: 'col-date',
    cell: (t) => (t.lastScanAt ? <time dateTime={t.lastScanAt} title={formatDateTime(t.lastScanAt)}>{formatRelative(t.lastScanAt)}</time> : <span className="muted">never</span>),
  },
];

export default function TargetsPage() {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const name = (params.get('name') ?? '').trim();
  const type = TARGET_TYPES.find((t) => t === params.get('type')) ?? '';
  const sort = readSort(params, SORT_KEYS, 'name');
  // Whoever may upload somewhere gets the form: the scope is one of its fields, and the API refuses the others.
  const mayUpload = useViewer().canSomewhere('ingest');
  const uploading = mayUpload && params.get('upload') === 'true';
  const targets = useResource<Target[]>(`/api/targets${queryString({ name, type })}`, { keepPrevious: true });
  const [uploaded, setUploaded] = useState(0);

  const go = useCallback((patch: { name?: string; type?: string; upload?: boolean; sort?: string }, replace = false) => {
    const current = new URLSearchParams(window.location.search);
    const next = { name: current.get('name') ?? '', type: current.get('type') ?? '', upload: current.get('upload') === 'true', sort: current.get('sort') ?? '', ...patch };
    navigate(`/targets${queryString({ name: next.name, type: next.type, sort: next.sort === 'name' ? undefined : next.sort, upload: next.upload ? 'true' : undefined })}`, { replace });
  }, []);
  const onSearch = useCallback((text: string) => go({ name: text }, true), [go]);
  const { reload } = targets;

  useEffect(() => {
    document.title = 'Targets & scans · Lantern';
  }, []);
  useEffect(() => {
    if (uploaded > 0) reload();
  }, [uploaded, reload]);

  return (
    <div className="page">
      <div className="page-header">
        <h1>Targets &amp; scans</h1>
        {mayUpload && (
          <button type="button" className={uploading ? 'button' : 'button button-primary'} aria-expanded={uploading} onClick={() => go({ upload: !uploading })}>
            {uploading ? 'Close upload' : 'Upload a report'}
          </button>
        )}
      </div>
      {uploading && (
        <section className="card">
          <UploadReport onUploaded={() => setUploaded((n) => n + 1)} />
        </section>
      )}
      <div className="filter-bar" role="search" aria-label="Filter the targets">
        <SearchBox value={name} onSearch={onSearch} label="Search targets by name" placeholder="Search by name…" />
        <label className="select-filter">
          <span>Type</span>
          <select value={type} onChange={(e) => go({ type: e.target.value })}>
            <option value="">Any</option>
            {TARGET_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      {targets.status === 'error' && <ErrorState error={targets.error as Error} what="the targets" onRetry={targets.reload} />}
      {targets.status === 'loading' && !targets.data && <Loading what="the targets" />}
      {targets.data &&
        targets.status !== 'error' &&
        (targets.data.length === 0 ? (
          name || type ? (
            <EmptyState title="No target matches these filters." />
          ) : (
            <EmptyState title="No targets yet.">
              <p>
                A target appears with its first report: {mayUpload ? 'upload one above, or ' : ''}run <code>lantern ingest REPORT --target NAME --type TYPE --variant VARIANT</code>.
              </p>
            </EmptyState>
          )
        ) : (
          <DataTable
            caption="Scanned targets"
            testId="targets-table"
            columns={columns}
            rows={sortTargets(targets.data, sort)}
            rowKey={(t) => t.id}
            sort={sort}
            onSort={(key, descendingFirst) => go({ sort: nextSort(sort, key, descendingFirst) }, true)}
            onOpen={(t) => navigate(`/targets/${t.id}`)}
            busy={targets.status === 'loading'}
          />
        ))}
    </div>
  );
}
