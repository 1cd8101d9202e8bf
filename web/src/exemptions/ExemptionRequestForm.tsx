import { type FormEvent, type ReactNode, useEffect, useId, useMemo, useState } from 'react';
import { api } from '../api/client.js';
import type { Exemption, ExemptionEffect } from '../api/types.js';
import {
  type Coverage,
  coverages,
  DURATION_LABELS,
  durationsFor,
  EMPTY_FORM,
  effectText,
  type ExemptionFormFields,
  exemptionFormProblems,
  firstEndDay,
  LEVEL_LABELS,
  LEVELS,
  levelsFor,
  MAX_JUSTIFICATION,
  REASON_LABELS,
  REASONS,
  type RequestableIssue,
  requestBody,
} from './exemption-form.js';

type Preview = { status: 'loading' } | { status: 'ready'; effects: ExemptionEffect[] } | { status: 'error'; message: string };

/** What the chosen coverage would hide now, asked again whenever the issues or the level change. */
function usePreview(list: Coverage[]): Preview {
  const key = JSON.stringify(list);
  const [preview, setPreview] = useState<{ key: string; value: Preview }>({ key: '', value: { status: 'loading' } });
  useEffect(() => {
    let live = true;
    const wanted: Coverage[] = JSON.parse(key);
    Promise.all(wanted.map((c) => api.postJson<ExemptionEffect>('/api/exemptions/preview', c))).then(
      (effects) => live && setPreview({ key, value: { status: 'ready', effects } }),
      (error: Error) => live && setPreview({ key, value: { status: 'error', message: error.message } }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return preview.key === key ? preview.value : { status: 'loading' };
}

function Field({ id, label, problem, hint, children }: { id: string; label: string; problem: string | undefined; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className={`form-field${problem ? ' has-problem' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {problem && (
        <span className="field-problem" id={`${id}-problem`}>
          {problem}
        </span>
      )}
    </div>
  );
}

/**
 * The request of an exemption for one issue or several: reason, justification, link, duration and
 * what it covers, with the effect (the server's preview) shown before anything is sent.
 */
export default function ExemptionRequestForm({
  issues,
  onRequested,
  onCancel,
}: {
  issues: readonly RequestableIssue[];
  onRequested: (created: Exemption[]) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [fields, setFields] = useState<ExemptionFormFields>(EMPTY_FORM);
  const [tried, setTried] = useState(false);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const levels = useMemo(() => LEVELS.filter((l) => issues.some((i) => levelsFor(i).includes(l))), [issues]);
  const list = useMemo(() => coverages(issues, fields.level), [issues, fields.level]);
  const preview = usePreview(list);
  const problems = tried ? exemptionFormProblems(fields) : {};
  const set = (patch: Partial<ExemptionFormFields>) => setFields((f) => ({ ...f, ...patch }));
  const durations = durationsFor(fields.reason);
  const describedBy = (field: keyof ExemptionFormFields, hint = false) =>
    [hint ? `${id}-${field}-hint` : '', problems[field] ? `${id}-${field}-problem` : ''].filter((x) => x !== '').join(' ') || undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    setFailure(null);
    if (Object.keys(exemptionFormProblems(fields)).length > 0) return;
    setSending(true);
    const created: Exemption[] = [];
    try {
      for (const coverage of list) created.push(await api.postJson<Exemption>('/api/exemptions', requestBody(coverage, fields)));
      onRequested(created);
    } catch (error) {
      const done = created.length > 0 ? ` (${created.length} of ${list.length} requests were sent: exemption ${created.map((c) => c.id).join(', ')})` : '';
      setFailure(`${(error as Error).message}${done}`);
      if (created.length > 0) onRequested(created);
    } finally {
      setSending(false);
    }
  };

  const subject = issues.length === 1 ? 'this issue' : `${issues.length} issues`;
  return (
    <form className="exemption-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`} data-testid="exemption-form">
      <h3 id={`${id}-title`}>Request an exemption of {subject}</h3>
      <p className="muted">A security engineer of its scope approves or rejects the request; until then the issues count as before.</p>
      <Field id={`${id}-reason`} label="Reason" problem={problems.reason}>
        <select
          id={`${id}-reason`}
          value={fields.reason}
          aria-invalid={problems.reason ? true : undefined}
          aria-describedby={describedBy('reason')}
          onChange={(e) => {
            const reason = e.target.value as ExemptionFormFields['reason'];
            // No expiry is a false positive's only: another reason falls back to a duration it allows.
            set({ reason, ...(fields.duration === 'none' && reason !== 'false_positive' ? { duration: '30d' as const } : {}) });
          }}
        >
          <option value="">Choose…</option>
          {REASONS.map((r) => (
            <option key={r} value={r}>
              {REASON_LABELS[r]}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-justification`} label="Justification" problem={problems.justification} hint={`Why this is safe to leave, for the approver and the audit log (up to ${MAX_JUSTIFICATION} characters).`}>
        <textarea
          id={`${id}-justification`}
          rows={3}
          value={fields.justification}
          aria-invalid={problems.justification ? true : undefined}
          aria-describedby={describedBy('justification', true)}
          onChange={(e) => set({ justification: e.target.value })}
        />
      </Field>
      <Field id={`${id}-link`} label="Link (optional)" problem={problems.link}>
        <input
          id={`${id}-link`}
          type="url"
          value={fields.link}
          placeholder="https://… a ticket or a design note"
          aria-invalid={problems.link ? true : undefined}
          aria-describedby={describedBy('link')}
          onChange={(e) => set({ link: e.target.value })}
        />
      </Field>
      <Field id={`${id}-duration`} label="Duration" problem={problems.duration}>
        <select id={`${id}-duration`} value={fields.duration} aria-invalid={problems.duration ? true : undefined} aria-describedby={describedBy('duration')} onChange={(e) => set({ duration: e.target.value as ExemptionFormFields['duration'] })}>
          {durations.map((d) => (
            <option key={d} value={d}>
              {DURATION_LABELS[d]}
            </option>
          ))}
          {!durations.includes(fields.duration) && <option value={fields.duration}>{DURATION_LABELS[fields.duration]}</option>}
        </select>
      </Field>
      {fields.duration === 'custom' && (
        <Field id={`${id}-until`} label="Ends on" problem={problems.until}>
          <input id={`${id}-until`} type="date" min={firstEndDay()} value={fields.until} aria-invalid={problems.until ? true : undefined} aria-describedby={describedBy('until')} onChange={(e) => set({ until: e.target.value })} />
        </Field>
      )}
      <fieldset className="form-field level-choice">
        <legend>Covers</legend>
        {levels.map((l) => (
          <label key={l} className="check-filter">
            <input type="radio" name={`${id}-level`} value={l} checked={fields.level === l} onChange={() => set({ level: l })} />
            {issues.length > 1 && l === 'target' ? 'Each issue in its target' : LEVEL_LABELS[l]}
          </label>
        ))}
      </fieldset>
      <p className="exemption-effect" role="status" data-testid="exemption-effect">
        {preview.status === 'loading' ? (
          <span className="muted">Working out what it would hide…</span>
        ) : preview.status === 'error' ? (
          <span className="inline-error">The effect could not be worked out: {preview.message}</span>
        ) : (
          <>
            Once approved: <strong>{effectText(preview.effects)}</strong>.
          </>
        )}
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={sending}>
          {sending ? 'Requesting…' : list.length > 1 ? `Request ${list.length} exemptions` : 'Request exemption'}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={sending}>
          Cancel
        </button>
      </div>
      {tried && Object.keys(problems).length > 0 && (
        <p className="inline-error" role="alert">
          The request was not sent: {Object.values(problems).join(' ')}
        </p>
      )}
      {failure && (
        <p className="inline-error" role="alert">
          The request was not sent: {failure}
        </p>
      )}
    </form>
  );
}
