import { SEVERITIES, type Counts, type Severity } from '../api/types.js';
import { formatCount } from './format.js';

/**
 * Severity is never told by color alone: each level has its name, a shape (octagon with an
 * exclamation mark, triangle, diamond, square, ring) and a color, and a count says what it counts to a screen reader.
 */

export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

const SHAPES: Record<Severity, string> = {
  // An octagon with an exclamation mark cut out.
  critical: 'M4.1 0h3.8L12 4.1v3.8L7.9 12H4.1L0 7.9V4.1zM5.1 2.5v4.6h1.8V2.5zm0 5.9v1.6h1.8V8.4z',
  high: 'M6 0.5l6 11H0z',
  medium: 'M6 0l6 6-6 6-6-6z',
  low: 'M2.5 1.5h7a1 1 0 0 1 1 1v7a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1z',
  info: 'M6 1a5 5 0 1 1 0 10A5 5 0 0 1 6 1zm0 2.2a2.8 2.8 0 1 0 0 5.6 2.8 2.8 0 0 0 0-5.6z',
};

export function SeverityIcon({ severity }: { severity: Severity }) {
  return (
    <svg className={`sev-icon sev-${severity}`} viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
      <path d={SHAPES[severity]} fillRule="evenodd" />
    </svg>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`sev-badge sev-${severity}`}>
      <SeverityIcon severity={severity} />
      {SEVERITY_LABEL[severity]}
    </span>
  );
}

/** A count in a severity column: the shape and number, read out as "3 critical". */
export function SeverityCount({ severity, count }: { severity: Severity; count: number }) {
  if (count === 0) {
    return (
      <span className="sev-count sev-zero" aria-label={`0 ${severity}`}>
        0
      </span>
    );
  }
  return (
    <span className={`sev-count sev-${severity}`} aria-label={`${formatCount(count)} ${severity}`}>
      <SeverityIcon severity={severity} />
      {formatCount(count)}
    </span>
  );
}

/** The five counts in a row, e.g. in a table cell; "no data" when there are none to show. */
export function SeverityCounts({ counts }: { counts: Counts | null }) {
  if (!counts) return <NoData />;
  return (
    <span className="sev-counts">
      {SEVERITIES.map((s) => (
        <SeverityCount key={s} severity={s} count={counts[s]} />
      ))}
    </span>
  );
}

/** No linked target has been scanned: not the same as no issues. */
export function NoData() {
  return (
    <span className="no-data" title="No linked target has been scanned: this is not the same as no issues.">
      <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
        <path d="M6 1a5 5 0 1 1 0 10A5 5 0 0 1 6 1zm0 1.5a3.5 3.5 0 0 0-2.9 5.45l4.85-4.85A3.5 3.5 0 0 0 6 2.5zm2.9 1.55L4.05 8.9A3.5 3.5 0 0 0 8.9 4.05z" fillRule="evenodd" />
      </svg>
      No data
    </span>
  );
}

/** The header cells of the per-severity columns: each severity's shape and name, then the total. */
export function SeverityHeaders() {
  return (
    <>
      {SEVERITIES.map((s) => (
        <th key={s} scope="col" className="num sev-col">
          <span className="sev-header">
            <SeverityIcon severity={s} />
            {SEVERITY_LABEL[s]}
          </span>
        </th>
      ))}
      <th scope="col" className="num">
        Total
      </th>
    </>
  );
}
