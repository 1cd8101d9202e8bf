import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { useViewer } from '../access/session.js';
import { api } from '../api/client.js';
import type { Exemption, ExemptionListing } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { Link, navigate, useLocation } from '../routing/router.js';
import { safeHref } from '../security/identifiers.js';
import { formatDate, formatDateTime } from '../ui/format.js';
import { SearchBox } from '../ui/SearchBox.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import {
  type ApprovalFields,
  approvalBody,
  approvalProblems,
  DURATION_LABELS,
  durationBody,
  durationsFor,
  type DurationChoice,
  EMPTY_APPROVAL,
  expiresWithin,
  firstEndDay,
  LEVELS,
  REASON_LABELS,
  REASONS,
  rejectionProblem,
  revocationProblem,
} from './exemption-form.js';
import { EXEMPTION_VIEWS, type ExemptionQuery, type ExemptionView, exemptionSearch, exemptionsPath, isExemptionFiltered, parseExemptionQuery, VIEW_LABELS } from './exemption-query.js';

const LEVEL_TEXT: Record<Exemption['level'], string> = { target: 'this issue', project: 'the project', org: 'the org', account: 'the account' };
const EXPIRING_CHOICES = [7, 30, 90] as const;

/** What an exemption covers, in words: the issue in its target, or an id across a project, org or the account. */
function Subject({ exemption }: { exemption: ExemptionListing }) {
  const what = exemption.issueTitle ?? exemption.key ?? `issue ${exemption.issueId ?? exemption.sourceIssueId ?? ''}`;
  return (
    <>
      <span className="issue-title break">{what}</span>
      {exemption.key && exemption.issueTitle && exemption.key !== exemption.issueTitle && <span className="cell-sub mono">{exemption.key}</span>}
      <span className="cell-sub">
        {exemption.level === 'target' ? (
          <>
            in {exemption.targetId !== null ? <Link href={`/targets/${exemption.targetId}`}>{exemption.targetName ?? `target ${exemption.targetId}`}</Link> : 'its target'} ({exemption.appliesAt})
          </>
        ) : (
          <>every target of {exemption.level === 'account' ? 'the account' : exemption.appliesAt}</>
        )}
      </span>
    </>
  );
}

function When({ at }: { at: string | null }) {
  if (!at) return <span className="muted">—</span>;
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatDate(at)}
    </time>
  );
}

function DurationSelect({ id, value, reason, keep, onChange }: { id: string; value: DurationChoice | ''; reason: Exemption['reason']; keep: string; onChange: (value: DurationChoice | '') => void }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value as DurationChoice | '')}>
      <option value="">{keep}</option>
      {durationsFor(reason).map((d) => (
        <option key={d} value={d}>
          {DURATION_LABELS[d]}
        </option>
      ))}
    </select>
  );
}

type Done = (message: string) => void;

/** Approve, with the level, scope and duration the approver may change; the comment is optional. */
function ApproveForm({ exemption, onDone, onClose }: { exemption: ExemptionListing; onDone: Done; onClose: () => void }) {
  const id = useId();
  const [fields, setFields] = useState<ApprovalFields>(EMPTY_APPROVAL);
  const [problems, setProblems] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const set = (patch: Partial<ApprovalFields>) => setFields((f) => ({ ...f, ...patch }));
  const fromIssue = exemption.issueId !== null || exemption.sourceIssueId !== null;
  const levels = fromIssue ? LEVELS : LEVELS.filter((l) => l !== 'target');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = approvalProblems(fields, exemption);
    setProblems(found);
    if (found.length > 0) return;
    setSending(true);
    try {
      const decided = await api.postJson<Exemption>(`/api/exemptions/${exemption.id}/approve`, approvalBody(fields, exemption));
      onDone(`Exemption ${decided.id} approved${decided.level !== exemption.level ? ` at ${decided.level} level` : ''}${decided.expiresAt ? `, until ${formatDateTime(decided.expiresAt)}` : ', with no expiry'}.`);
    } catch (error) {
      setProblems([(error as Error).message]);
    } finally {
      setSending(false);
    }
  };
  return (
    <form className="decision-form" onSubmit={submit} noValidate aria-label={`Approve exemption ${exemption.id}`}>
      <div className="form-grid">
        <label htmlFor={`${id}-level`}>
          Covers
          <select id={`${id}-level`} value={fields.level} onChange={(e) => set({ level: e.target.value as ApprovalFields['level'] })}>
            <option value="">As requested ({LEVEL_TEXT[exemption.level]})</option>
            {levels
              .filter((l) => l !== exemption.level)
              .map((l) => (
                <option key={l} value={l}>
                  {l === 'target' ? 'Narrow to the issue it was asked from' : `Its id in ${LEVEL_TEXT[l]}`}
                </option>
              ))}
          </select>
        </label>
        {!fromIssue && fields.level !== '' && fields.level !== 'account' && (
          <label htmlFor={`${id}-scope`}>
            {fields.level === 'org' ? 'Org' : 'Project (ORG.PROJECT)'}
            <input id={`${id}-scope`} type="text" value={fields.scope} onChange={(e) => set({ scope: e.target.value })} />
          </label>
        )}
        <label htmlFor={`${id}-duration`}>
          Duration (from now)
          <DurationSelect id={`${id}-duration`} value={fields.duration} reason={exemption.reason} keep="As requested" onChange={(duration) => set({ duration })} />
        </label>
        {fields.duration === 'custom' && (
          <label htmlFor={`${id}-until`}>
            Ends on
            <input id={`${id}-until`} type="date" min={firstEndDay()} value={fields.until} onChange={(e) => set({ until: e.target.value })} />
          </label>
        )}
        <label htmlFor={`${id}-comment`}>
          Comment (optional)
          <input id={`${id}-comment`} type="text" value={fields.comment} onChange={(e) => set({ comment: e.target.value })} />
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={sending}>
          {sending ? 'Approving…' : 'Confirm approval'}
        </button>
        <button type="button" className="button" onClick={onClose} disabled={sending}>
          Back
        </button>
      </div>
      {problems.length > 0 && (
        <ul className="form-problems" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </form>
  );
}

/** Reject or revoke (a comment is required), cancel one's own request, or ask again: one small form each. */
function CommentForm({
  exemption,
  action,
  onDone,
  onClose,
}: {
  exemption: ExemptionListing;
  action: 'reject' | 'cancel' | 'reopen' | 'revoke';
  onDone: Done;
  onClose: () => void;
}) {
  const id = useId();
  const [comment, setComment] = useState('');
  const [duration, setDuration] = useState<DurationChoice | ''>('');
  const [until, setUntil] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const words = {
    reject: { label: 'Why it is rejected', button: 'Confirm rejection', done: 'rejected' },
    cancel: { label: 'Comment (optional)', button: 'Cancel the request', done: 'cancelled' },
    reopen: { label: 'New justification (optional: the old one is kept otherwise)', button: 'Ask again', done: 'asked again' },
    revoke: { label: 'Why it is revoked', button: 'Confirm revocation', done: 'revoked: the issues it covered count again' },
  }[action];
  const required = action === 'reject' || action === 'revoke';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = action === 'reject' ? rejectionProblem(comment) : action === 'revoke' ? revocationProblem(comment) : duration === 'custom' && !until ? 'Choose the day the exemption ends.' : null;
    setProblem(found);
    if (found) return;
    setSending(true);
    const text = comment.trim();
    try {
      if (action === 'reopen') {
        const made = await api.postJson<Exemption>(`/api/exemptions/${exemption.id}/reopen`, { ...(text ? { comment: text } : {}), ...(duration === '' ? {} : durationBody({ duration, until })) });
        onDone(`Exemption ${exemption.id} asked again as request ${made.id}, pending a decision.`);
      } else {
        await api.postJson<Exemption>(`/api/exemptions/${exemption.id}/${action}`, text ? { comment: text } : {});
        onDone(`Exemption ${exemption.id} ${words.done}.`);
      }
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setSending(false);
    }
  };
  return (
    <form className="decision-form" onSubmit={submit} noValidate aria-label={`${words.button}: exemption ${exemption.id}`}>
      <div className="form-grid">
        <label htmlFor={`${id}-comment`}>
          {words.label}
          <textarea id={`${id}-comment`} rows={2} value={comment} aria-invalid={problem && required ? true : undefined} onChange={(e) => setComment(e.target.value)} />
        </label>
        {action === 'reopen' && (
          <label htmlFor={`${id}-duration`}>
            Duration
            <DurationSelect id={`${id}-duration`} value={duration} reason={exemption.reason} keep="The default for its reason" onChange={setDuration} />
          </label>
        )}
        {action === 'reopen' && duration === 'custom' && (
          <label htmlFor={`${id}-until`}>
            Ends on
            <input id={`${id}-until`} type="date" min={firstEndDay()} value={until} onChange={(e) => setUntil(e.target.value)} />
          </label>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className={`button ${action === 'reopen' ? 'button-primary' : 'button-danger'}`} disabled={sending}>
          {sending ? 'Sending…' : words.button}
        </button>
        <button type="button" className="button" onClick={onClose} disabled={sending}>
          Back
        </button>
      </div>
      {problem && (
        <p className="inline-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

type Opened = { id: number; action: 'approve' | 'reject' | 'cancel' | 'reopen' | 'revoke' } | null;

const ACTION_LABELS = { approve: 'Approve', reject: 'Reject', cancel: 'Cancel request', reopen: 'Ask again', revoke: 'Revoke' } as const;

function ExemptionRow({ exemption, view, opened, setOpened, onDone }: { exemption: ExemptionListing; view: ExemptionView; opened: Opened; setOpened: (o: Opened) => void; onDone: Done }) {
  const link = safeHref(exemption.link);
  const decided = view !== 'queue' && view !== 'pending';
  // Revoking is offered where it undoes something: on an exemption that applies now.
  const actions = (['approve', 'reject', 'cancel', 'reopen', 'revoke'] as const).filter((a) => exemption.actions.includes(a) && (a !== 'revoke' || exemption.status === 'approved'));
  const open = opened?.id === exemption.id ? opened.action : null;
  const columns = decided ? 7 : 6;
  return (
    <>
      <tr data-key={exemption.id} className={open ? 'is-open' : undefined}>
        <td className="mono">{exemption.id}</td>
        <td className="col-title">
          <Subject exemption={exemption} />
        </td>
        <td className="col-where">
          <strong>{REASON_LABELS[exemption.reason] ?? exemption.reason}</strong>
          <span className="cell-sub exemption-comment break">{exemption.comment}</span>
          {link && (
            <span className="cell-sub">
              <a href={link} target="_blank" rel="noopener noreferrer nofollow" className="break">
                {exemption.link}
              </a>
            </span>
          )}
          {exemption.reopenedFrom !== null && <span className="cell-sub">asks again for exemption {exemption.reopenedFrom}</span>}
        </td>
        <td>
          <span className="break">{exemption.requestedBy ?? <span className="muted">unknown</span>}</span>
          <span className="cell-sub">
            <When at={exemption.createdAt} />
          </span>
        </td>
        <td className="col-date">
          {exemption.expiresAt ? <When at={exemption.expiresAt} /> : <span className="muted">no expiry</span>}
          {exemption.status === 'approved' && expiresWithin(exemption.expiresAt, 7) && <span className="badge badge-expiring">Expires soon</span>}
          {exemption.status === 'pending' && exemption.expiresAt && <span className="cell-sub">if approved now</span>}
        </td>
        {decided && (
          <td>
            {exemption.decidedBy ? (
              <>
                <span className="break">{exemption.decidedBy}</span>
                <span className="cell-sub">
                  <When at={exemption.decidedAt} />
                </span>
              </>
            ) : (
              <span className="muted">—</span>
            )}
            {exemption.decisionComment && <span className="cell-sub break">“{exemption.decisionComment}”</span>}
          </td>
        )}
        <td className="col-actions">
          {actions.map((a) => (
            <button key={a} type="button" className={`button button-small${a === 'approve' ? ' button-primary' : ''}`} aria-expanded={open === a} onClick={() => setOpened(open === a ? null : { id: exemption.id, action: a })}>
              {ACTION_LABELS[a]}
            </button>
          ))}
        </td>
      </tr>
      {open && (
        <tr className="decision-row">
          <td colSpan={columns}>
            {open === 'approve' ? (
              <ApproveForm exemption={exemption} onDone={onDone} onClose={() => setOpened(null)} />
            ) : (
              <CommentForm exemption={exemption} action={open} onDone={onDone} onClose={() => setOpened(null)} />
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function Choice<T extends string>({ label, value, values, labels, onChange }: { label: string; value: T | ''; values: readonly T[]; labels: Record<T, string>; onChange: (value: T | '') => void }) {
  return (
    <label className="select-filter">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as T | '')}>
        <option value="">Any</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {labels[v]}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Exemptions: the queue of requests the principal may decide, and every state's list with who
 * asked, who decided and when. Each row offers only what the API says the principal may do now.
 */
export default function ExemptionsPage() {
  const viewer = useViewer();
  const location = useLocation();
  const query = parseExemptionQuery(location.search);
  const decider = viewer.canSomewhere('decide-exemption');
  const view: ExemptionView = query.view ?? (decider ? 'queue' : 'pending');
  const list = useResource<ExemptionListing[]>(exemptionsPath(query, view), { keepPrevious: true });
  const [opened, setOpened] = useState<Opened>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    document.title = 'Exemptions · Lantern';
  }, []);

  const go = useCallback((patch: Partial<ExemptionQuery>, replace = false) => {
    setOpened(null);
    navigate(`/exemptions${exemptionSearch({ ...parseExemptionQuery(window.location.search), ...patch })}`, { replace });
  }, []);
  const onRequester = useCallback((requester: string) => go({ requester }, true), [go]);
  const onScope = useCallback((scope: string) => go({ scope }, true), [go]);
  const done = (text: string) => {
    setOpened(null);
    setMessage(text);
    list.reload();
  };

  const views = EXEMPTION_VIEWS.filter((v) => v !== 'queue' || decider);
  const rows = list.data ?? [];
  const decided = view !== 'queue' && view !== 'pending';
  return (
    <div className="page exemptions-page">
      <div className="page-header">
        <h1>Exemptions</h1>
        <p className="page-subtitle">Requests to leave issues out of the counts: who asked and why, who decided and when.</p>
      </div>
      <nav className="tabs" aria-label="Exemption states">
        {views.map((v) => (
          <Link key={v} href={`/exemptions${exemptionSearch({ ...query, view: v })}`} className={`tab${v === view ? ' is-current' : ''}`} aria-current={v === view ? 'page' : undefined}>
            {VIEW_LABELS[v]}
          </Link>
        ))}
      </nav>
      <div className="filter-bar" role="search" aria-label="Filter the exemptions">
        <Choice label="Reason" value={query.reason} values={REASONS} labels={REASON_LABELS} onChange={(reason) => go({ reason })} />
        <Choice label="Covers" value={query.level} values={LEVELS} labels={LEVEL_TEXT} onChange={(level) => go({ level })} />
        <SearchBox value={query.scope} onSearch={onScope} label="Scope (and below)" placeholder="Scope: acme or acme.pay" />
        <SearchBox value={query.requester} onSearch={onRequester} label="Requester" placeholder="Requester: name or id" />
        {view === 'approved' && (
          <label className="select-filter">
            <span>Expiring within</span>
            <select value={query.expiring} onChange={(e) => go({ expiring: Number(e.target.value) })}>
              <option value={0}>Any time</option>
              {[...new Set([...EXPIRING_CHOICES, ...(query.expiring > 0 ? [query.expiring] : [])])].map((d) => (
                <option key={d} value={d}>
                  {d} days
                </option>
              ))}
            </select>
          </label>
        )}
        {isExemptionFiltered(query) && (
          <button type="button" className="link-button" onClick={() => go({ reason: '', level: '', scope: '', requester: '', expiring: 0 })}>
            Clear filters
          </button>
        )}
      </div>
      {message && (
        <p className="notice" role="status" data-testid="exemption-message">
          {message}
        </p>
      )}
      {list.status === 'error' && <ErrorState error={list.error as Error} what="the exemptions" onRetry={list.reload} />}
      {list.status === 'loading' && !list.data && <Loading what="the exemptions" />}
      {list.data &&
        list.status !== 'error' &&
        (rows.length === 0 ? (
          <EmptyState title={isExemptionFiltered(query) ? 'No exemption matches these filters.' : view === 'queue' ? 'Nothing waits for your decision.' : `No ${VIEW_LABELS[view].toLowerCase()} exemption.`} />
        ) : (
          <div className="table-scroll" aria-busy={list.status === 'loading' ? 'true' : undefined}>
            <table className={`data-table exemptions-table${list.status === 'loading' ? ' is-busy' : ''}`} data-testid="exemptions-table">
              <caption className="visually-hidden">{VIEW_LABELS[view]} exemptions, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col" className="col-title">
                    Covers
                  </th>
                  <th scope="col">Reason and justification</th>
                  <th scope="col">Requested</th>
                  <th scope="col" className="col-date">
                    Expires
                  </th>
                  {decided && <th scope="col">Decided</th>}
                  <th scope="col" className="col-actions">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <ExemptionRow key={e.id} exemption={e} view={view} opened={opened} setOpened={setOpened} onDone={done} />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </div>
  );
}
