import { useEffect } from 'react';
import { type Counts, type Overview, SEVERITIES, type Trend } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { entityHref } from '../routing/routes.js';
import { Link, navigate, useLocation } from '../routing/router.js';
import { readTrendDays } from '../routing/search-params.js';
import { formatCount, formatDay, formatPercent } from '../ui/format.js';
import { RefLink } from '../ui/RefLink.js';
import { NoData, SEVERITY_LABEL, SeverityCount, SeverityCounts, SeverityIcon } from '../ui/Severity.js';
import { percentagesOf, SeverityBar } from '../ui/SeverityBreakdown.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { worstFirst } from './rollups.js';
import { LineChart } from '../ui/LineChart.js';
import { TrendPeriod } from '../ui/TrendPeriod.js';
import { severitySeries, trendChange } from './trend-data.js';
import { TrendNumbers } from './TrendNumbers.js';
import { SlaComplianceSection } from './SlaComplianceSection.js';

const TOP = 10;

function RollupTable<T extends { counts: Counts; entities: number; withData: number }>({ title, rows, nameOf, kind }: { title: string; rows: T[]; nameOf: (row: T) => string; kind: string }) {
  if (rows.length === 0) {
    return (
      <section className="card" aria-label={title}>
        <h2>{title}</h2>
        <p className="muted">No {kind === 'group' ? 'owners' : `${kind}s`} in the catalog yet.</p>
      </section>
    );
  }
  const sorted = worstFirst(rows);
  const shown = sorted.slice(0, 15);
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <div className="table-scroll">
        <table className="compact-table" data-testid={`rollup-${kind}`}>
          <caption className="visually-hidden">{title}: open issues per severity</caption>
          <thead>
            <tr>
              <th scope="col">{kind === 'group' ? 'Owner' : kind === 'system' ? 'System' : 'Domain'}</th>
              <th scope="col" className="num">
                Entities
              </th>
              <th scope="col" className="num">
                With data
              </th>
              <th scope="col">Open issues</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={nameOf(row)}>
                <th scope="row">
                  <RefLink refText={nameOf(row)} kind={kind} />
                </th>
                <td className="num">{formatCount(row.entities)}</td>
                <td className="num">{formatCount(row.withData)}</td>
                <td>{row.withData > 0 ? <SeverityCounts counts={row.counts} /> : <NoData />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sorted.length > shown.length && <p className="muted">The {shown.length} most affected of {formatCount(sorted.length)}.</p>}
    </section>
  );
}

function TrendSection({ days }: { days: number }) {
  const trend = useResource<Trend>(`/api/insights/trend?days=${days}`, { keepPrevious: true });
  const change = trend.data ? trendChange(trend.data) : null;
  return (
    <section className="card trend-card" aria-labelledby="trend-title">
      <div className="card-header">
        <h2 id="trend-title">Open issues over time</h2>
        <TrendPeriod days={days} onChange={(next) => navigate(`/dashboard?days=${next}`, { replace: true })} />
      </div>
      {trend.status === 'error' && <ErrorState error={trend.error as Error} what="the trend" onRetry={trend.reload} />}
      {!trend.data && trend.status === 'loading' && <Loading what="the trend" />}
      {trend.data &&
        (trend.data.points.length === 0 ? (
          <EmptyState title="No scans in this period.">
            <p>The trend fills in as reports are ingested.</p>
          </EmptyState>
        ) : (
          <>
            {change && (
              <p className="trend-summary">
                {formatCount(change.from)} open issues on {formatDay(change.fromDate)}
                {change.fromDate !== trend.data.points[0]?.date ? ' (no data before)' : ''}, {formatCount(change.to)} on {formatDay(change.toDate)}.
              </p>
            )}
            <LineChart dates={trend.data.points.map((p) => p.date)} series={severitySeries(trend.data)} yLabel="Open issues" format={formatCount} testId="trend-chart" />
            <TrendNumbers points={trend.data.points} caption="Open issues per severity at the end of each day" />
          </>
        ))}
    </section>
  );
}

/** A known-exploited or SLA-breached total, when the overview sends it; null (no feed loaded) reads "—", not 0. */
function ExploitationTile({ label, count, testId, hint }: { label: string; count: number | null; testId: string; hint: string }) {
  return (
    <div className="total-tile" title={count === null ? `${hint}: unknown (no feed loaded)` : hint}>
      <span className="total-label">{label}</span>
      <span className={`total-value${count ? ' xcell tone-alert' : ''}`} data-testid={testId}>
        {count === null ? '—' : formatCount(count)}
      </span>
    </div>
  );
}

function TotalsCard({ totals }: { totals: Overview['totals'] }) {
  const shares = percentagesOf(totals.counts);
  return (
    <section className="card totals-card" aria-labelledby="totals-title">
      <h2 id="totals-title">Open issues across the catalog</h2>
      <p className="muted">Each issue counts once, however many entities show its target.</p>
      <div className="totals">
        {SEVERITIES.map((s) => (
          <div key={s} className={`total-tile sev-tile-${s}`}>
            <span className="total-label">
              <SeverityIcon severity={s} />
              {SEVERITY_LABEL[s]}
            </span>
            <span className="total-value" data-testid={`dashboard-total-${s}`}>
              {formatCount(totals.counts[s])}
            </span>
            <span className="total-share">{formatPercent(shares[s], totals.counts[s])} of open issues</span>
          </div>
        ))}
        <div className="total-tile">
          <span className="total-label">Total</span>
          <span className="total-value" data-testid="dashboard-total">
            {formatCount(totals.counts.total)}
          </span>
        </div>
        {totals.knownExploited !== undefined && <ExploitationTile label="Known exploited" count={totals.knownExploited} testId="dashboard-kev" hint="Open issues in CISA's Known Exploited Vulnerabilities catalog" />}
        {totals.slaBreached !== undefined && <ExploitationTile label="SLA breached" count={totals.slaBreached} testId="dashboard-sla-breached" hint="Open issues past their SLA due date" />}
      </div>
      <SeverityBar counts={totals.counts} percentages={shares} />
      <p className="muted">
        {formatCount(totals.withData)} of {formatCount(totals.entities)} entities have security data. <Link href="/catalog?hasData=false">See those without</Link>.
      </p>
    </section>
  );
}

export default function DashboardPage() {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const days = readTrendDays(params);
  const overview = useResource<Overview>('/api/insights/overview?limit=1');
  const top = useResource<Overview>(`/api/insights/overview?hasData=true&sort=-critical&limit=${TOP}`);

  useEffect(() => {
    document.title = 'Security dashboard · Lantern';
  }, []);

  return (
    <div className="page">
      <div className="page-header">
        <h1>Security dashboard</h1>
        <p className="page-subtitle">
          <Link href="/issues">Where is an issue?</Link> Search every entity for a CVE, a package or a rule.
        </p>
      </div>
      {overview.status === 'error' && <ErrorState error={overview.error as Error} what="the totals" onRetry={overview.reload} />}
      {overview.status === 'loading' && <Loading what="the totals" />}
      {overview.data && <TotalsCard totals={overview.data.totals} />}

      <div className="dashboard-grid">
        <section className="card" aria-labelledby="top-title">
          <h2 id="top-title">Most affected entities</h2>
          {top.status === 'error' && <ErrorState error={top.error as Error} what="the most affected entities" onRetry={top.reload} />}
          {top.status === 'loading' && <Loading what="the most affected entities" />}
          {top.data &&
            (top.data.items.length === 0 ? (
              <EmptyState title="No entity has security data yet.">
                <p>
                  Link entities to scanned targets with the <code>harness.io/sto-test-target</code> annotation, and ingest reports.
                </p>
              </EmptyState>
            ) : (
              <div className="table-scroll">
                <table className="compact-table" data-testid="top-entities">
                  <caption className="visually-hidden">Entities with the most critical, then high, issues</caption>
                  <thead>
                    <tr>
                      <th scope="col">Entity</th>
                      {SEVERITIES.map((s) => (
                        <th key={s} scope="col" className="num">
                          <span className="sev-header">
                            <SeverityIcon severity={s} />
                            {SEVERITY_LABEL[s]}
                          </span>
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {top.data.items.map((row) => (
                      <tr key={row.entityRef}>
                        <th scope="row">
                          <Link href={entityHref({ kind: row.kind.toLowerCase(), namespace: row.namespace, name: row.name }, 'vulnerabilities')}>{row.title || row.name}</Link>
                          <span className="cell-sub">{row.kind}</span>
                        </th>
                        {SEVERITIES.map((s) => (
                          <td key={s} className="num">
                            {row.counts ? <SeverityCount severity={s} count={row.counts[s]} /> : null}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </section>
        <TrendSection days={days} />
      </div>

      {overview.data && (
        <div className="dashboard-grid">
          <RollupTable title="By owner" rows={overview.data.byOwner} nameOf={(r) => r.owner} kind="group" />
          <RollupTable title="By system" rows={overview.data.bySystem} nameOf={(r) => r.system} kind="system" />
          {overview.data.byDomain.length > 0 && <RollupTable title="By domain" rows={overview.data.byDomain} nameOf={(r) => r.domain} kind="domain" />}
        </div>
      )}

      <SlaComplianceSection />
    </div>
  );
}
