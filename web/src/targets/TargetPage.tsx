import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useViewer } from '../access/session.js';
import { api, queryString } from '../api/client.js';
import type { Scan, ScanIssuePage, ScanIssuePart, TargetDetail } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { Link, navigate, useLocation } from '../routing/router.js';
import { readPositiveInteger } from '../routing/search-params.js';
import { safeHref } from '../security/identifiers.js';
import { type Column, DataTable } from '../ui/DataTable.js';
import { formatCount, formatDateTime, formatRelative, formatVersions } from '../ui/format.js';
import { SeverityBadge, SeverityCounts } from '../ui/Severity.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { UploadReport } from './UploadReport.js';

const IssueDrawer = lazy(() => import('../entity/IssueDrawer.js'));

const BASELINE_REASONS: Record<string, string> = {
  explicit: 'set explicitly',
  regex: 'the newest variant matching the baseline pattern',
  conventional: 'no baseline set: the conventional default branch',
  'most-recent': 'no baseline set: the most recently scanned variant',
  none: 'nothing scanned yet',
};

interface TargetView {
  scan: number | null;
  issue: number | null;
  variant: string;
  upload: boolean;
}

function readView(search: string): TargetView {
  const params = new URLSearchParams(search);
  const scan = readPositiveInteger(params, 'scan', 0);
  const issue = readPositiveInteger(params, 'issue', 0);
  return { scan: scan || null, issue: issue || null, variant: params.get('variant') ?? '', upload: params.get('upload') === 'true' };
}

function viewHref(targetId: number, view: TargetView): string {
  return `/targets/${targetId}${queryString({ variant: view.variant, scan: view.scan, issue: view.issue, upload: view.upload ? 'true' : undefined })}`;
}

/** Where a scan's report came from, as its upload said: branch, commit and the pipeline run. */
function ScanSource({ scan }: { scan: Scan }) {
  const pipeline = safeHref(scan.pipelineUrl);
  if (!scan.branch && !scan.commit && !scan.pipelineUrl) return <span className="muted">—</span>;
  return (
    <span className="scan-source">
      {scan.branch && <code title="Branch">{scan.branch}</code>}
      {scan.commit && (
        <span className="mono" title={`Commit ${scan.commit}`}>
          {scan.commit.slice(0, 12)}
        </span>
      )}
      {scan.pipelineUrl &&
        (pipeline && /^https?:/.test(pipeline) ? (
          <a href={pipeline} target="_blank" rel="noopener noreferrer nofollow" data-testid="scan-pipeline">
            pipeline run
          </a>
        ) : (
          <span className="break">{scan.pipelineUrl}</span>
        ))}
    </span>
  );
}

const scanColumns: Column<Scan>[] = [
  { key: 'scanId', header: 'Scan', className: 'num', cell: (s) => `#${s.scanId}` },
  {
    key: 'scannedAt',
    header: 'Scanned',
    className: 'col-date',
    cell: (s) => (
      <time dateTime={s.scannedAt} title={formatDateTime(s.scannedAt)}>
        {formatRelative(s.scannedAt)}
      </time>
    ),
  },
  { key: 'variant', header: 'Variant', cell: (s) => <code>{s.variant}</code> },
  {
    key: 'scanner',
    header: 'Scanner',
    cell: (s) => (
      <>
        {s.scanner}
        <span className="cell-sub">
          {s.scanType}
          {s.scannerVersion ? ` · ${s.scannerVersion}` : ''}
        </span>
      </>
    ),
  },
  { key: 'source', header: 'Branch · commit · pipeline', cell: (s) => <ScanSource scan={s} /> },
  { key: 'counts', header: 'Issues', cell: (s) => <SeverityCounts counts={s.counts} /> },
  { key: 'new', header: 'New', className: 'num', cell: (s) => formatCount(s.new) },
  { key: 'common', header: 'Common', className: 'num', cell: (s) => formatCount(s.common) },
  { key: 'remediated', header: 'Remediated', className: 'num', cell: (s) => formatCount(s.remediated) },
  { key: 'compared', header: 'Compared with', cell: (s) => (s.comparedScanId ? `#${s.comparedScanId}` : <span className="muted">first scan</span>) },
];

/** Issues of a scan the panel shows per part; the API pages them, and more than this is said, not listed. */
const SCAN_ISSUES_SHOWN = 200;

function IssueList({ scanId, part, title, onOpen }: { scanId: number; part: ScanIssuePart; title: string; onOpen: (id: number) => void }) {
  const page = useResource<ScanIssuePage>(`/api/scans/${scanId}/issues${queryString({ part, limit: SCAN_ISSUES_SHOWN })}`);
  const issues = page.data?.items ?? [];
  return (
    <section className="scan-issues-group" aria-label={title} data-testid={`scan-${part}`}>
      <h3>
        {title} {page.data && <span className="count-pill">{formatCount(page.data.total)}</span>}
      </h3>
      {page.status === 'error' && <ErrorState error={page.error as Error} what={`the scan's ${part} issues`} onRetry={page.reload} />}
      {page.status === 'loading' && <Loading what={`the scan's ${part} issues`} />}
      {!page.data ? null : issues.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="plain-list issue-lines">
          {issues.map((i) => (
            <li key={i.id}>
              <SeverityBadge severity={i.severity} />{' '}
              <button type="button" className="link-button" onClick={() => onOpen(i.id)}>
                {i.title}
              </button>
              <span className="muted mono">
                {' '}
                {[i.vulnerabilityId ?? i.ruleId, i.package ? `${i.package} ${formatVersions(i.installedVersion, i.fixedVersion)}` : null].filter((x) => x && x !== i.title).join(' ')}
              </span>
            </li>
          ))}
        </ul>
      )}
      {page.data && page.data.total > issues.length && (
        <p className="muted">
          Showing the first {formatCount(issues.length)} of {formatCount(page.data.total)}.
        </p>
      )}
    </section>
  );
}

function ScanIssuesPanel({ scan, onOpen }: { scan: Scan; onOpen: (id: number) => void }) {
  const panel = useRef<HTMLElement>(null);
  // Picking a scan in the table brings its details into view: they open below a long table.
  useEffect(() => {
    panel.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [scan.scanId]);
  return (
    <section className="card" aria-labelledby="scan-issues-title" ref={panel} data-testid="scan-details">
      <h2 id="scan-issues-title">
        Scan #{scan.scanId}: {scan.scanner} on {scan.variant}
      </h2>
      <p className="muted">
        Scanned {formatDateTime(scan.scannedAt)}
        {scan.comparedScanId ? `; compared with scan #${scan.comparedScanId}` : '; the first scan of its kind, so everything is new'}.
      </p>
      {(scan.branch || scan.commit || scan.pipelineUrl) && (
        <p>
          From <ScanSource scan={scan} />
        </p>
      )}
      {scan.errors.length > 0 && (
        <ul className="form-problems">
          {scan.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <div className="scan-issues">
        <IssueList scanId={scan.scanId} part="new" title="New" onOpen={onOpen} />
        <IssueList scanId={scan.scanId} part="common" title="Common" onOpen={onOpen} />
        <IssueList scanId={scan.scanId} part="remediated" title="Remediated" onOpen={onOpen} />
      </div>
    </section>
  );
}

function BaselineControl({ target, onChanged }: { target: TargetDetail; onChanged: () => void }) {
  const [variant, setVariant] = useState(target.baseline.variant ?? target.baseline.shown ?? '');
  const [status, setStatus] = useState<{ error?: string; saved?: boolean }>({});
  const save = async () => {
    setStatus({});
    try {
      await api.putJson(`/api/targets/${target.id}/baseline`, { variant });
      setStatus({ saved: true });
      onChanged();
    } catch (error) {
      setStatus({ error: (error as Error).message });
    }
  };
  if (target.variants.length === 0) return null;
  return (
    <div className="baseline-control">
      <label className="select-filter">
        <span>Baseline</span>
        <select value={variant} onChange={(e) => setVariant(e.target.value)}>
          {target.variants.map((v) => (
            <option key={v.name} value={v.name}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button" onClick={save} disabled={variant === '' || variant === target.baseline.variant}>
        Set baseline
      </button>
      {status.saved && <span role="status">Baseline set.</span>}
      {status.error && (
        <span className="inline-error" role="alert">
          {status.error}
        </span>
      )}
    </div>
  );
}

export default function TargetPage({ targetId }: { targetId: number }) {
  const location = useLocation();
  const view = readView(location.search);
  const target = useResource<TargetDetail>(`/api/targets/${targetId}`);
  const scans = useResource<Scan[]>(`/api/targets/${targetId}/scans${queryString({ variant: view.variant })}`, { keepPrevious: true });
  const go = (patch: Partial<TargetView>) => navigate(viewHref(targetId, { ...view, ...patch }));
  const viewer = useViewer();

  useEffect(() => {
    if (target.data) document.title = `${target.data.name} · Targets · Lantern`;
  }, [target.data]);

  if (target.status === 'error') {
    return (
      <div className="page">
        <p className="breadcrumb">
          <Link href="/targets">Targets &amp; scans</Link>
        </p>
        <ErrorState error={target.error as Error} what={`target ${targetId}`} onRetry={target.reload} />
      </div>
    );
  }
  if (!target.data) return <Loading what="the target" />;
  const t = target.data;
  const mayUpload = viewer.can('ingest', t.scope);
  const selected = scans.data?.find((s) => s.scanId === view.scan) ?? null;

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href="/targets">Targets &amp; scans</Link> <span aria-hidden="true">›</span> {t.type}
      </p>
      <div className="page-header">
        <h1 className="break">{t.name}</h1>
        {mayUpload && (
          <button type="button" className="button" aria-expanded={view.upload} onClick={() => go({ upload: !view.upload })}>
            {view.upload ? 'Close upload' : 'Upload a report'}
          </button>
        )}
      </div>
      <dl className="facts">
        <div className="fact">
          <dt>Type</dt>
          <dd>{t.type}</dd>
        </div>
        <div className="fact">
          <dt>Scope</dt>
          <dd>{t.scope}</dd>
        </div>
        <div className="fact">
          <dt>Shown variant</dt>
          <dd>
            {t.baseline.shown ? <code>{t.baseline.shown}</code> : <span className="muted">none</span>}{' '}
            <span className="muted">({t.baseline.note ?? BASELINE_REASONS[t.baseline.reason] ?? t.baseline.reason})</span>
          </dd>
        </div>
        {t.baseline.regex && (
          <div className="fact">
            <dt>Baseline pattern</dt>
            <dd>
              <code>{t.baseline.regex}</code>
            </dd>
          </div>
        )}
      </dl>
      {viewer.can('set-baseline', t.scope) && <BaselineControl key={`${t.baseline.variant}`} target={t} onChanged={target.reload} />}
      {mayUpload && view.upload && (
        <section className="card">
          <UploadReport
            initial={{ target: t.name, type: t.type, scope: t.scope === 'account' ? 'account' : t.scope, variant: t.baseline.shown ?? '' }}
            onUploaded={() => {
              target.reload();
              scans.reload();
            }}
          />
        </section>
      )}

      <section className="card" aria-labelledby="scans-title">
        <div className="card-header">
          <h2 id="scans-title">Scans</h2>
          <label className="select-filter">
            <span>Variant</span>
            <select value={view.variant} onChange={(e) => go({ variant: e.target.value, scan: null })}>
              <option value="">All variants</option>
              {t.variants.map((v) => (
                <option key={v.name} value={v.name}>
                  {v.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        {scans.status === 'error' && <ErrorState error={scans.error as Error} what="the scans" onRetry={scans.reload} />}
        {scans.status === 'loading' && !scans.data && <Loading what="the scans" />}
        {scans.data &&
          (scans.data.length === 0 ? (
            <EmptyState title="No scans yet.">{mayUpload && <p>Upload a report for this target to see its issues.</p>}</EmptyState>
          ) : (
            <DataTable
              caption="Scans of this target, newest first"
              testId="scans-table"
              columns={scanColumns}
              rows={scans.data}
              rowKey={(s) => s.scanId}
              onOpen={(s) => go({ scan: s.scanId, issue: null })}
              rowClassName={(s) => (s.scanId === view.scan ? 'is-open' : undefined)}
              busy={scans.status === 'loading'}
            />
          ))}
      </section>
      {selected && <ScanIssuesPanel scan={selected} onOpen={(issue) => go({ issue })} />}
      {view.issue !== null && (
        <Suspense fallback={<Loading what="the issue" />}>
          <IssueDrawer issueId={view.issue} entity={null} onClose={() => go({ issue: null })} />
        </Suspense>
      )}
    </div>
  );
}
