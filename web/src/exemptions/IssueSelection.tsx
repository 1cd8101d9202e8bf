import { lazy, Suspense, useState } from 'react';
import { useViewer } from '../access/session.js';
import type { Exemption, IssueRow } from '../api/types.js';
import type { Column } from '../ui/DataTable.js';
import { formatDate, formatDateTime } from '../ui/format.js';
import { expiresWithin, REASON_LABELS, type RequestableIssue } from './exemption-form.js';
import { RequestedNotice } from './RequestedNotice.js';

// The form loads when it is first opened: most visits to the tab never request an exemption.
const ExemptionRequestForm = lazy(() => import('./ExemptionRequestForm.js'));

/**
 * Row selection in the Vulnerabilities tab, for an exemption request of several issues at once: a
 * checkbox column for the rows whose target's scope lets the principal request, and the bar that
 * opens the request form for the selected ones.
 */
export function useIssueSelection(rows: readonly IssueRow[], scopeOf: (targetId: number) => string | undefined, enabled: boolean) {
  const viewer = useViewer();
  const [selected, setSelected] = useState<Map<number, RequestableIssue & { title: string }>>(new Map());
  const selectable = (row: IssueRow) => {
    const scope = scopeOf(row.targetId);
    return scope !== undefined && viewer.can('request-exemption', scope);
  };
  const pageRows = rows.filter(selectable);
  const toggle = (chosen: IssueRow[], on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      for (const row of chosen) {
        if (on) next.set(row.id, { id: row.id, targetId: row.targetId, targetScope: scopeOf(row.targetId) as string, vulnerabilityId: row.vulnerabilityId, ruleId: row.ruleId, title: row.title });
        else next.delete(row.id);
      }
      return next;
    });
  const allOnPage = pageRows.length > 0 && pageRows.every((r) => selected.has(r.id));
  const column: Column<IssueRow> = {
    key: 'select',
    className: 'col-select',
    header: <input type="checkbox" aria-label="Select every issue on this page" checked={allOnPage} onChange={(e) => toggle(pageRows, e.target.checked)} />,
    cell: (row) =>
      selectable(row) ? <input type="checkbox" aria-label={`Select ${row.title} in ${row.targetName}`} checked={selected.has(row.id)} onChange={(e) => toggle([row], e.target.checked)} /> : null,
  };
  return { column: enabled && pageRows.length + selected.size > 0 ? column : null, selected: [...selected.values()], clear: () => setSelected(new Map()) };
}

/** How many issues are selected, and the request form for them. */
export function SelectionBar({ selected, clear }: { selected: Array<RequestableIssue & { title: string }>; clear: () => void }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<Exemption[]>([]);
  return (
    <>
      {selected.length > 0 && (
        <div className="selection-bar" data-testid="selection-bar">
          <span>
            {selected.length} {selected.length === 1 ? 'issue' : 'issues'} selected
          </span>
          {!open && (
            <button type="button" className="button" onClick={() => setOpen(true)}>
              Request an exemption
            </button>
          )}
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setOpen(false);
              clear();
            }}
          >
            Clear selection
          </button>
        </div>
      )}
      {open && selected.length > 0 && (
        <Suspense fallback={<p className="muted">Loading the request form…</p>}>
          <ExemptionRequestForm
            issues={selected}
            onCancel={() => setOpen(false)}
            onRequested={(made) => {
              setCreated(made);
              setOpen(false);
              clear();
            }}
          />
        </Suspense>
      )}
      <RequestedNotice created={created} />
    </>
  );
}

/** The column the exempted view adds: which exemption, why, and until when. */
export const EXEMPTION_COLUMN: Column<IssueRow> = {
  key: 'exemption',
  header: 'Exemption',
  className: 'col-exemption',
  cell: (row) =>
    row.exemption ? (
      <>
        <span>{REASON_LABELS[row.exemption.reason] ?? row.exemption.reason}</span>
        <span className="cell-sub">
          {row.exemption.expiresAt ? (
            <>
              until{' '}
              <time dateTime={row.exemption.expiresAt} title={formatDateTime(row.exemption.expiresAt)}>
                {formatDate(row.exemption.expiresAt)}
              </time>
            </>
          ) : (
            'no expiry'
          )}
          {' · '}
          {row.exemption.level} level, #{row.exemption.id}
        </span>
        {expiresWithin(row.exemption.expiresAt, 7) && <span className="badge badge-expiring">Expires soon</span>}
      </>
    ) : (
      <span className="muted">—</span>
    ),
};
