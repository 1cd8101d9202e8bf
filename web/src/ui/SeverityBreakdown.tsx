import { type Counts, type Percentages, SEVERITIES, type Severity } from '../api/types.js';
import { Link } from '../routing/router.js';
import { formatCount, formatDateTime, formatPercent, formatRelative } from './format.js';
import { SEVERITY_LABEL, SeverityIcon } from './Severity.js';

/** Whole percentages of a total, for places the API gives only counts. Largest remainders, so they sum to 100. */
export function percentagesOf(counts: Counts): Percentages {
  const result: Percentages = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  if (counts.total <= 0) return result;
  const exact = SEVERITIES.map((s) => ({ s, value: (counts[s] * 100) / counts.total }));
  for (const { s, value } of exact) result[s] = Math.floor(value);
  const left = 100 - SEVERITIES.reduce((sum, s) => sum + result[s], 0);
  const byRemainder = [...exact].sort((a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)) || SEVERITIES.indexOf(a.s) - SEVERITIES.indexOf(b.s));
  for (const { s } of byRemainder.slice(0, left)) result[s] += 1;
  return result;
}

/** The bar's description for screen readers: "3 critical (10%), 12 high (40%), …". */
export function breakdownLabel(counts: Counts, percentages: Percentages): string {
  return SEVERITIES.map((s) => `${formatCount(counts[s])} ${s} (${formatPercent(percentages[s], counts[s])})`).join(', ');
}

function OldestOpen({ at }: { at: string | null }) {
  if (!at) return <span aria-label="none">—</span>;
  return (
    <time dateTime={at} title={`First seen ${formatDateTime(at)}`}>
      {formatRelative(at)}
    </time>
  );
}

/** The stacked bar alone, described in words for screen readers; each segment has its color and fill pattern. */
export function SeverityBar({ counts, percentages }: { counts: Counts; percentages: Percentages }) {
  return (
    <div className="breakdown-bar" role="img" aria-label={`Issues by severity: ${breakdownLabel(counts, percentages)}`}>
      {counts.total === 0 ? (
        <span className="breakdown-empty" />
      ) : (
        SEVERITIES.filter((s) => counts[s] > 0).map((s) => <span key={s} className={`breakdown-segment sev-fill-${s}`} style={{ width: `${Math.max((counts[s] * 100) / counts.total, 1.5)}%` }} />)
      )}
    </div>
  );
}

/**
 * Counts and percentages per severity, with a stacked bar: each segment carries its severity's
 * color and pattern, and the list beside it names every level, so the bar is never the only telling.
 */
export function SeverityBreakdown({
  counts,
  percentages,
  breakdown,
  hrefFor,
  testIdPrefix,
}: {
  counts: Counts;
  percentages: Percentages;
  /** Fixable issues and the oldest open one per severity, when known. */
  breakdown?: { fixable: Record<Severity, number>; oldestOpen: Record<Severity, string | null> };
  hrefFor?: (severity: Severity) => string;
  testIdPrefix: string;
}) {
  return (
    <div className="breakdown">
      <SeverityBar counts={counts} percentages={percentages} />
      <table className="breakdown-table">
        <caption className="visually-hidden">Open issues per severity</caption>
        <thead className={breakdown ? undefined : 'visually-hidden'}>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col" className="num">
              Open
            </th>
            <th scope="col" className="num">
              Share
            </th>
            {breakdown && (
              <>
                <th scope="col" className="num">
                  Fixable
                </th>
                <th scope="col" className="num">
                  Oldest open
                </th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {SEVERITIES.map((s) => (
            <tr key={s}>
              <th scope="row">
                <span className={`sev-label sev-${s}`}>
                  <SeverityIcon severity={s} />
                  {SEVERITY_LABEL[s]}
                </span>
              </th>
              <td className="num" data-testid={`${testIdPrefix}-count-${s}`}>
                {hrefFor && counts[s] > 0 ? <Link href={hrefFor(s)}>{formatCount(counts[s])}</Link> : formatCount(counts[s])}
              </td>
              <td className="num muted" data-testid={`${testIdPrefix}-percent-${s}`}>
                {formatPercent(percentages[s], counts[s])}
              </td>
              {breakdown && (
                <>
                  <td className="num" data-testid={`${testIdPrefix}-fixable-${s}`}>
                    {formatCount(breakdown.fixable[s])}
                  </td>
                  <td className="num muted">
                    <OldestOpen at={breakdown.oldestOpen[s]} />
                  </td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
