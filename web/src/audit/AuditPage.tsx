import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { AuditEntry, AuditPage as AuditAnswer } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { navigate, useLocation } from '../routing/router.js';
import { formatDateTime } from '../ui/format.js';
import { SearchBox } from '../ui/SearchBox.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { AUDIT_ACTIONS, AUDIT_OBJECT_TYPES, type AuditQuery, auditPath, auditSearch, detailLines, parseAuditQuery } from './audit-query.js';

/** A select of known values that keeps a value from the URL it does not know, so that it shows and can be cleared. */
function ChoiceFilter({ label, value, values, onChange }: { label: string; value: string; values: readonly string[]; onChange: (value: string) => void }) {
  const shown = value && !values.includes(value) ? [...values, value] : values;
  return (
    <label className="select-filter">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">Any</option>
        {shown.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

function AuditRow({ entry, onPrincipal }: { entry: AuditEntry; onPrincipal: (id: string) => void }) {
  const details = detailLines(entry.details);
  return (
    <tr data-key={entry.id}>
      <td className="col-date">
        <time dateTime={entry.at} title={entry.at}>
          {formatDateTime(entry.at)}
        </time>
      </td>
      <td className="col-name">
        <button type="button" className="link-button break" title={`${entry.principal}: show only this principal's entries`} onClick={() => onPrincipal(entry.principal)}>
          {entry.principalName}
        </button>
      </td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td className="col-target">
        {entry.objectType}
        {entry.objectId !== null && <span className="mono"> {entry.objectId}</span>}
      </td>
      <td>
        <code>{entry.scope}</code>
      </td>
      <td className="col-secondary mono">{entry.clientAddress ?? <span className="muted">local</span>}</td>
      <td className="col-where">
        {details.length > 0 && (
          <dl className="audit-details">
            {details.map(([key, value]) => (
              <div key={key}>
                <dt>{key}:</dt> <dd className="break">{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </td>
    </tr>
  );
}

/**
 * The audit log, newest first: who changed what, where, when and from which address. Filters live
 * in the URL; "Load more" follows the API's cursor for as long as this view stays open.
 */
export default function AuditPage() {
  const location = useLocation();
  const query = parseAuditQuery(location.search);
  const path = auditPath(query);
  const first = useResource<AuditAnswer>(path, { keepPrevious: true });
  // Further pages belong to the view they continue: a new filter starts again from the first.
  const [more, setMore] = useState<{ path: string; pages: AuditAnswer[]; loading: boolean; error: Error | null }>({ path, pages: [], loading: false, error: null });
  const current = more.path === path ? more : { path, pages: [], loading: false, error: null };

  useEffect(() => {
    document.title = 'Audit · Lantern';
  }, []);
  // Coming back to a view starts from its newest entries again: pages loaded before may overlap them now.
  useEffect(() => setMore((m) => (m.path === path ? m : { path, pages: [], loading: false, error: null })), [path]);

  const go = useCallback((patch: Partial<AuditQuery>, replace = false) => {
    navigate(`/audit${auditSearch({ ...parseAuditQuery(window.location.search), ...patch })}`, { replace });
  }, []);
  const onPrincipal = useCallback((text: string) => go({ principal: text }, true), [go]);

  const pages = first.data && first.status !== 'error' ? [first.data, ...current.pages] : [];
  const entries = pages.flatMap((p) => p.items);
  const cursor = pages.at(-1)?.nextCursor ?? null;
  const filtered = query.principal || query.action || query.objectType || query.since || query.until;

  const loadMore = async () => {
    if (cursor === null) return;
    setMore({ ...current, loading: true, error: null });
    try {
      const page = await api.get<AuditAnswer>(auditPath(query, cursor));
      setMore((m) => (m.path === path ? { path, pages: [...m.pages, page], loading: false, error: null } : m));
    } catch (error) {
      setMore((m) => (m.path === path ? { ...m, loading: false, error: error as Error } : m));
    }
  };

  return (
    <div className="page">
      <div className="page-header">
        <h1>Audit</h1>
        <p className="page-subtitle">Every change, newest first: who made it, where, when and from which address.</p>
      </div>
      <div className="filter-bar" role="search" aria-label="Filter the audit log">
        <SearchBox value={query.principal} onSearch={onPrincipal} label="Principal id" placeholder="Principal id: user:…, token:3…" />
        <ChoiceFilter label="Action" value={query.action} values={AUDIT_ACTIONS} onChange={(action) => go({ action })} />
        <ChoiceFilter label="Object" value={query.objectType} values={AUDIT_OBJECT_TYPES} onChange={(objectType) => go({ objectType })} />
        <label className="select-filter">
          <span>Since</span>
          <input type="date" value={query.since} max={query.until || undefined} onChange={(e) => go({ since: e.target.value })} />
        </label>
        <label className="select-filter">
          <span>Until</span>
          <input type="date" value={query.until} min={query.since || undefined} onChange={(e) => go({ until: e.target.value })} />
        </label>
        {filtered && (
          <button type="button" className="link-button" onClick={() => navigate('/audit')}>
            Clear filters
          </button>
        )}
      </div>
      {first.status === 'error' && <ErrorState error={first.error as Error} what="the audit log" onRetry={first.reload} />}
      {first.status === 'loading' && !first.data && <Loading what="the audit log" />}
      {first.data &&
        first.status !== 'error' &&
        (entries.length === 0 ? (
          <EmptyState title={filtered ? 'No entry matches these filters.' : 'Nothing has been changed yet.'} />
        ) : (
          <>
            <div className="table-scroll" aria-busy={first.status === 'loading' ? 'true' : undefined}>
              <table className={`data-table audit-table${first.status === 'loading' ? ' is-busy' : ''}`} data-testid="audit-table">
                <caption className="visually-hidden">Audit log entries, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col" className="col-date">Time</th>
                    <th scope="col" className="col-name">Principal</th>
                    <th scope="col">Action</th>
                    <th scope="col">Object</th>
                    <th scope="col">Scope</th>
                    <th scope="col" className="col-secondary">Client address</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((entry) => (
                    <AuditRow key={entry.id} entry={entry} onPrincipal={(principal) => go({ principal })} />
                  ))}
                </tbody>
              </table>
            </div>
            <div className="load-more">
              <span className="muted" aria-live="polite">
                {entries.length} {entries.length === 1 ? 'entry' : 'entries'} shown{cursor === null ? ', the oldest last' : ''}.
              </span>
              {cursor !== null && (
                <button type="button" className="button" onClick={loadMore} disabled={current.loading}>
                  {current.loading ? 'Loading…' : 'Load more'}
                </button>
              )}
              {current.error && (
                <span className="inline-error" role="alert">
                  Could not load more: {current.error.message}
                </span>
              )}
            </div>
          </>
        ))}
    </div>
  );
}
