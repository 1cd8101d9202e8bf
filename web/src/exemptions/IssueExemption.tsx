import { useState } from 'react';
import { useViewer } from '../access/session.js';
import type { Exemption, IssueDetail } from '../api/types.js';
import { Link } from '../routing/router.js';
import { safeHref } from '../security/identifiers.js';
import { formatDate, formatDateTime } from '../ui/format.js';
import { expiresWithin, REASON_LABELS } from './exemption-form.js';
import ExemptionRequestForm from './ExemptionRequestForm.js';
import { RequestedNotice } from './RequestedNotice.js';

const STATUS_TEXT: Record<Exemption['status'], string> = {
  pending: 'Exemption requested, waiting for a decision',
  approved: 'Exempted',
  rejected: 'Exemption rejected',
  expired: 'Exemption expired',
  cancelled: 'Exemption request cancelled',
};

/** The exemption an issue has (approved, or asked for it and pending): why, by whom, until when. */
export function ExemptionFacts({ exemption }: { exemption: Exemption }) {
  const link = safeHref(exemption.link);
  const soon = exemption.status === 'approved' && expiresWithin(exemption.expiresAt, 7);
  return (
    <div className={`exemption exemption-${exemption.status}`} data-testid="issue-exemption">
      <p className="exemption-status">
        <strong>{STATUS_TEXT[exemption.status]}</strong> ({REASON_LABELS[exemption.reason] ?? exemption.reason}, {exemption.level} level)
        {exemption.expiresAt ? (
          <>
            , {exemption.status === 'pending' ? 'would expire' : 'expires'} <time dateTime={exemption.expiresAt}>{formatDateTime(exemption.expiresAt)}</time>
          </>
        ) : (
          ', no expiry'
        )}
        {soon && <span className="badge badge-expiring">Expires soon</span>}
      </p>
      <p className="exemption-comment">“{exemption.comment}”</p>
      <p className="muted">
        Requested by {exemption.requestedBy ?? 'someone'} on {formatDate(exemption.createdAt)}
        {exemption.decidedBy && exemption.decidedAt ? ` · decided by ${exemption.decidedBy} on ${formatDate(exemption.decidedAt)}` : ''}
        {link && (
          <>
            {' · '}
            <a href={link} target="_blank" rel="noopener noreferrer nofollow">
              link
            </a>
          </>
        )}
      </p>
    </div>
  );
}

/**
 * The exemption part of the issue panel: the issue's exemption if it has one, and the request form
 * for a principal who may ask at the issue's scope (the API refuses anyone else all the same).
 */
export function IssueExemption({ issue }: { issue: IssueDetail }) {
  const viewer = useViewer();
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<Exemption[]>([]);
  const current = issue.exemption;
  const mayRequest = viewer.can('request-exemption', issue.targetScope) && (current === null || (current.status !== 'pending' && current.status !== 'approved'));
  if (current === null && !mayRequest && created.length === 0) return null;
  return (
    <section className="issue-exemption" aria-label="Exemption">
      {current && <ExemptionFacts exemption={current} />}
      <RequestedNotice created={created} />
      {mayRequest && !open && created.length === 0 && (
        <button type="button" className="button" onClick={() => setOpen(true)}>
          Request an exemption
        </button>
      )}
      {open && (
        <ExemptionRequestForm
          issues={[issue]}
          onCancel={() => setOpen(false)}
          onRequested={(made) => {
            setCreated(made);
            setOpen(false);
          }}
        />
      )}
      {current?.status === 'pending' && (
        <p className="muted">
          <Link href="/exemptions?view=pending">The pending requests ›</Link>
        </p>
      )}
    </section>
  );
}
