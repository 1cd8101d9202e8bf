import { type FormEvent, useId, useState } from 'react';
import { api } from '../api/client.js';
import type { IngestResult, Scan } from '../api/types.js';
import { Link } from '../routing/router.js';
import { formatCount } from '../ui/format.js';
import { SeverityCounts } from '../ui/Severity.js';
import { REPORT_FORMATS, suggestedTargetType, TARGET_TYPES, type UploadFields, uploadPath, uploadProblems } from './upload.js';

/** Uploading a scanner report from the browser: the same ingest as `lantern ingest` and POST /api/scans. */
export function UploadReport({ initial, onUploaded }: { initial?: Partial<UploadFields>; onUploaded: (result: IngestResult) => void }) {
  const id = useId();
  const [fields, setFields] = useState<UploadFields>({ target: '', type: 'repository', variant: '', scope: '', format: '', baseline: false, commit: '', ...initial });
  const [file, setFile] = useState<File | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<IngestResult | null>(null);
  const [targetId, setTargetId] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const set = (patch: Partial<UploadFields>) => setFields((f) => ({ ...f, ...patch }));
  // The type follows what the report looks like until someone picks one (or the target already has one).
  const [typeChosen, setTypeChosen] = useState(initial?.type !== undefined);
  const [head, setHead] = useState('');
  const [suggested, setSuggested] = useState<string | null>(null);
  const suggest = (format: string, text: string) => {
    const type = suggestedTargetType(format, text);
    setSuggested(type ?? null);
    if (type && !typeChosen) set({ type });
  };
  const pick = (chosen: File | null) => {
    setFile(chosen);
    if (!chosen) return;
    chosen
      .slice(0, 65_536)
      .text()
      .then((text) => {
        setHead(text);
        suggest(fields.format, text);
      })
      .catch(() => setHead(''));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = uploadProblems(fields, file);
    setProblems(found);
    setResult(null);
    setFailure(null);
    if (found.length > 0 || !file) return;
    setSending(true);
    try {
      const ingested = await api.postBytes<IngestResult>(uploadPath(fields), file);
      // The ingest result names the target; its scan says which target id to link to.
      const scan = await api.get<Scan>(`/api/scans/${ingested.scanId}`).catch(() => null);
      setTargetId(scan?.targetId ?? null);
      setResult(ingested);
      onUploaded(ingested);
    } catch (error) {
      setFailure((error as Error).message);
    } finally {
      setSending(false);
    }
  };

  const href = targetId === null ? null : `/targets/${targetId}`;
  return (
    <form className="upload-form" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>Upload a report</h2>
      <p className="muted">A scanner's report file (JSON or SARIF, optionally gzip-compressed), as <code>lantern ingest</code> takes it.</p>
      <div className="form-grid">
        <label>
          Report file
          <input type="file" required onChange={(e) => pick(e.target.files?.[0] ?? null)} />
        </label>
        <label>
          Target
          <input type="text" required value={fields.target} placeholder="The repository, image or URL scanned" onChange={(e) => set({ target: e.target.value })} />
        </label>
        <label>
          Target type
          <select
            value={fields.type}
            onChange={(e) => {
              setTypeChosen(true);
              set({ type: e.target.value });
            }}
          >
            {TARGET_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          {suggested && (
            <span className="field-hint" data-testid="type-hint">
              {suggested === fields.type ? `Suggested by the report: ${suggested}.` : `The report looks like a ${suggested} scan.`}
            </span>
          )}
        </label>
        <label>
          Variant
          <input type="text" required value={fields.variant} placeholder="The branch, tag or image tag scanned" onChange={(e) => set({ variant: e.target.value })} />
        </label>
        <label>
          Scope
          <input type="text" value={fields.scope} placeholder="ORG.PROJECT or account (default: default.default)" onChange={(e) => set({ scope: e.target.value })} />
        </label>
        <label>
          Format
          <select
            value={fields.format}
            onChange={(e) => {
              set({ format: e.target.value });
              suggest(e.target.value, head);
            }}
          >
            <option value="">Detect automatically</option>
            {REPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label>
          Commit
          <input type="text" value={fields.commit} placeholder="Optional: the commit scanned" onChange={(e) => set({ commit: e.target.value })} />
        </label>
        <label className="check-filter">
          <input type="checkbox" checked={fields.baseline} onChange={(e) => set({ baseline: e.target.checked })} />
          Make this variant the baseline
        </label>
      </div>
      <button type="submit" className="button button-primary" disabled={sending}>
        {sending ? 'Uploading…' : 'Upload'}
      </button>
      {problems.length > 0 && (
        <ul className="form-problems" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {failure && (
        <p className="inline-error" role="alert">
          The report was not ingested: {failure}
        </p>
      )}
      {result && (
        <div className="upload-result" role="status" data-testid="upload-result">
          {result.duplicate ? (
            <p>
              This exact report was already ingested for {result.target} {result.variant} (scan {result.scanId}): nothing changed.
            </p>
          ) : (
            <p>
              Ingested as scan {result.scanId} of {href ? <Link href={href}>{result.target}</Link> : result.target} [{result.scope}] {result.variant}, read as {result.format}:{' '}
              {formatCount(result.counts.total)} issues — {formatCount(result.new)} new, {formatCount(result.common)} common, {formatCount(result.remediated)} remediated.
            </p>
          )}
          <SeverityCounts counts={result.counts} />
          {result.errors.length > 0 && (
            <ul className="form-problems">
              {result.errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
