import type { ScorecardTrend } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { ScoreValue } from '../ui/CheckStatus.js';
import { formatCount, formatDay, formatScore } from '../ui/format.js';
import { LineChart } from '../ui/LineChart.js';
import { TrendPeriod } from '../ui/TrendPeriod.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { type ScorecardQuery, trendPath } from './scorecard-query.js';
import { scorecardSeries, scoredEnds } from './trend-series.js';

/** A scorecard's pass rate and average score per day over the view's owners and systems: in words, drawn, and as a table. */
export function ScorecardTrendCard({ scorecardId, query, go }: { scorecardId: string; query: ScorecardQuery; go: (next: ScorecardQuery, replace?: boolean) => void }) {
  const trend = useResource<ScorecardTrend>(trendPath(scorecardId, query), { keepPrevious: true });
  const ends = trend.data ? scoredEnds(trend.data) : null;
  const rate = (value: number | null) => (value === null ? 'no pass rate' : formatScore(value));
  return (
    <section className="card trend-card" aria-labelledby="scorecard-trend-title">
      <div className="card-header">
        <h2 id="scorecard-trend-title">Over time</h2>
        <TrendPeriod days={query.days} onChange={(days) => go({ ...query, days }, true)} />
      </div>
      {trend.status === 'error' && <ErrorState error={trend.error as Error} what="the trend" onRetry={trend.reload} />}
      {!trend.data && trend.status === 'loading' && <Loading what="the trend" />}
      {trend.data &&
        (ends === null ? (
          <EmptyState title="No entity had a score in this period.">
            <p>The trend fills in as the scorecard is evaluated: after each ingest and catalog change, and every hour.</p>
          </EmptyState>
        ) : (
          <>
            <p className="trend-summary" data-testid="scorecard-trend-summary">
              Pass rate {rate(ends.first.passRate)} on {formatDay(ends.first.date)}, {rate(ends.last.passRate)} on {formatDay(ends.last.date)}.
            </p>
            <LineChart
              dates={trend.data.points.map((p) => p.date)}
              series={scorecardSeries(trend.data)}
              yLabel="Percent"
              yRange={[0, 100]}
              format={formatScore}
              testId="scorecard-trend-chart"
            />
            <details className="trend-numbers">
              <summary>Show the numbers</summary>
              <div className="table-scroll">
                <table className="compact-table">
                  <caption className="visually-hidden">The scorecard at the end of each day</caption>
                  <thead>
                    <tr>
                      <th scope="col">Day</th>
                      <th scope="col" className="num">
                        Entities
                      </th>
                      <th scope="col" className="num">
                        Scored
                      </th>
                      <th scope="col" className="num">
                        Passing
                      </th>
                      <th scope="col" className="num">
                        Pass rate
                      </th>
                      <th scope="col" className="num">
                        Average score
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {trend.data.points.map((p) => (
                      <tr key={p.date}>
                        <th scope="row">{formatDay(p.date)}</th>
                        <td className="num">{formatCount(p.entities)}</td>
                        <td className="num">{formatCount(p.scored)}</td>
                        <td className="num">{formatCount(p.passing)}</td>
                        <td className="num">
                          <ScoreValue value={p.passRate} none="—" />
                        </td>
                        <td className="num">
                          <ScoreValue value={p.averageScore} none="—" />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        ))}
    </section>
  );
}
