import { SEVERITIES, type Trend } from '../api/types.js';
import { formatCount, formatDay } from '../ui/format.js';
import { NoData, SEVERITY_LABEL } from '../ui/Severity.js';

/** A trend's numbers behind a disclosure, for those who read a table rather than a chart: a day before any data says so. */
export function TrendNumbers({ points, caption }: { points: Trend['points']; caption: string }) {
  return (
    <details className="trend-numbers">
      <summary>Show the numbers</summary>
      <div className="table-scroll">
        <table className="compact-table">
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {SEVERITIES.map((s) => (
                <th key={s} scope="col" className="num">
                  {SEVERITY_LABEL[s]}
                </th>
              ))}
              <th scope="col" className="num">
                Total
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.date}>
                <th scope="row">{formatDay(p.date)}</th>
                {p.withData === 0 ? (
                  <td colSpan={SEVERITIES.length + 1}>
                    <NoData />
                  </td>
                ) : (
                  <>
                    {SEVERITIES.map((s) => (
                      <td key={s} className="num">
                        {formatCount(p[s])}
                      </td>
                    ))}
                    <td className="num">{formatCount(p.total)}</td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
