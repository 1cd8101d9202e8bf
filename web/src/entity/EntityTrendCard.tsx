import { useState } from 'react';
import type { Trend } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { severitySeries, trendChange } from '../dashboard/trend-data.js';
import { TrendNumbers } from '../dashboard/TrendNumbers.js';
import type { EntityName } from '../routing/routes.js';
import { DEFAULT_TREND_DAYS } from '../routing/search-params.js';
import { formatCount, formatDay } from '../ui/format.js';
import { LineChart } from '../ui/LineChart.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { TrendPeriod } from '../ui/TrendPeriod.js';

/** `GET /api/insights/trend?entity=…`: this entity's open issues per severity per day. */
export function entityTrendPath(entity: EntityName, days: number): string {
  return `/api/insights/trend?days=${days}&entity=${encodeURIComponent(`${entity.kind}:${entity.namespace}/${entity.name}`)}`;
}

/** The entity's open issues per severity per day, as a chart and, on request, as numbers. Loaded with the chart library only where it shows. */
export default function EntityTrendCard({ name }: { name: EntityName }) {
  const [days, setDays] = useState(DEFAULT_TREND_DAYS);
  const trend = useResource<Trend>(entityTrendPath(name, days), { keepPrevious: true });
  const change = trend.data ? trendChange(trend.data) : null;
  const points = trend.data?.points ?? [];
  return (
    <section className="card trend-card entity-trend" aria-labelledby="entity-trend-title" data-testid="entity-trend">
      <div className="card-header">
        <h2 id="entity-trend-title">Open issues over time</h2>
        <TrendPeriod days={days} onChange={setDays} />
      </div>
      {trend.status === 'error' && <ErrorState error={trend.error as Error} what="the trend" onRetry={trend.reload} />}
      {!trend.data && trend.status === 'loading' && <Loading what="the trend" />}
      {trend.data &&
        (points.length === 0 ? (
          <EmptyState title="No scans in this period.">
            <p>The trend fills in as reports are ingested.</p>
          </EmptyState>
        ) : (
          <>
            {change && (
              <p className="trend-summary" data-testid="entity-trend-summary">
                {formatCount(change.from)} open issues on {formatDay(change.fromDate)}, {formatCount(change.to)} on {formatDay(change.toDate)}.
              </p>
            )}
            <LineChart dates={points.map((p) => p.date)} series={severitySeries(trend.data)} yLabel="Open issues" format={formatCount} testId="entity-trend-chart" />
            <TrendNumbers points={points} caption="This entity's open issues per severity at the end of each day" />
          </>
        ))}
    </section>
  );
}
