import { type RemediationTally, SEVERITIES, type SlaCompliance } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { navigate, useLocation } from '../routing/router.js';
import { readSlaDays, SLA_DAYS } from '../routing/search-params.js';
import { formatCount } from '../ui/format.js';
import { RefLink } from '../ui/RefLink.js';
import { SEVERITY_LABEL, SeverityIcon } from '../ui/Severity.js';
import { ErrorState, Loading } from '../ui/states.js';
import { complianceText, mttrText } from './sla-text.js';

const SHOWN = 15;

function ComplianceTable<T extends RemediationTally>({ title, kind, rows, nameOf }: { title: string; kind: 'group' | 'system' | 'domain'; rows: T[]; nameOf: (row: T) => string }) {
  const shown = rows.slice(0, SHOWN);
  return (
    <div aria-label={title} role="group">
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">No fixes in this period.</p>
      ) : (
        <div className="table-scroll">
          <table className="compact-table" data-testid={`sla-${kind}`}>
            <caption className="visually-hidden">{title}: share of fixes made within SLA, worst first</caption>
            <thead>
              <tr>
                <th scope="col">{kind === 'group' ? 'Owner' : kind === 'system' ? 'System' : 'Domain'}</th>
                <th scope="col" className="num">
                  Fixed
                </th>
                <th scope="col" className="num">
                  Within SLA
                </th>
                <th scope="col" className="num">
                  Compliance
                </th>
                <th scope="col" className="num">
                  MTTR
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={nameOf(row)} data-key={nameOf(row)}>
                  <th scope="row">
                    <RefLink refText={nameOf(row)} kind={kind} />
                  </th>
                  <td className="num">{formatCount(row.fixed)}</td>
                  <td className="num">{formatCount(row.fixedWithinSla)}</td>
                  <td className="num" data-testid="sla-compliance-cell" title={row.slaCompliance === null ? 'No fix with an SLA in this period' : `${row.fixedWithinSla} of ${row.fixedWithinSla + row.fixedLate} fixes with an SLA`}>
                    {complianceText(row)}
                  </td>
                  <td className="num" data-testid="sla-mttr-cell">
                    {mttrText(row)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > shown.length && <p className="muted">The {shown.length} least compliant of {formatCount(rows.length)}.</p>}
    </div>
  );
}

/** The dashboard's SLA section: compliance per owner, system and domain and MTTR per severity over 30, 90 or 180 days. */
export function SlaComplianceSection() {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const days = readSlaDays(params);
  const data = useResource<SlaCompliance>(`/api/insights/sla-compliance?days=${days}`, { keepPrevious: true });
  const choose = (next: number) => {
    const changed = new URLSearchParams(location.search);
    changed.set('slaDays', String(next));
    navigate(`/dashboard?${changed.toString()}`, { replace: true });
  };
  return (
    <section className="card" aria-labelledby="sla-title" data-testid="sla-compliance">
      <div className="card-header">
        <h2 id="sla-title">Remediation within SLA</h2>
        <label className="select-filter">
          <span>Period</span>
          <select value={days} onChange={(e) => choose(Number(e.target.value))} data-testid="sla-period">
            {SLA_DAYS.map((d) => (
              <option key={d} value={d}>
                Last {d} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted">Issues fixed in the period, each judged against the SLA in force when it was fixed. False positives are not fixes.</p>
      {data.status === 'error' && <ErrorState error={data.error as Error} what="SLA compliance" onRetry={data.reload} />}
      {!data.data && data.status === 'loading' && <Loading what="SLA compliance" />}
      {data.data && <SlaNumbers data={data.data} />}
    </section>
  );
}

function SlaNumbers({ data }: { data: SlaCompliance }) {
  return (
    <>
      <div className="totals">
        <div className="total-tile">
          <span className="total-label">Fixed within SLA</span>
          <span className="total-value" data-testid="sla-overall">
            {complianceText(data.overall)}
          </span>
          <span className="total-share">
            {formatCount(data.overall.fixedWithinSla)} of {formatCount(data.overall.fixedWithinSla + data.overall.fixedLate)} fixes with an SLA
          </span>
        </div>
        {SEVERITIES.map((s) => (
          <div key={s} className={`total-tile sev-tile-${s}`}>
            <span className="total-label">
              <SeverityIcon severity={s} />
              MTTR {SEVERITY_LABEL[s].toLowerCase()}
            </span>
            <span className="total-value" data-testid={`sla-mttr-${s}`}>
              {mttrText(data.bySeverity[s])}
            </span>
            <span className="total-share">{formatCount(data.bySeverity[s].fixed)} fixed</span>
          </div>
        ))}
      </div>
      <div className="dashboard-grid">
        <ComplianceTable title="By owner" kind="group" rows={data.byOwner} nameOf={(r) => r.owner} />
        <ComplianceTable title="By system" kind="system" rows={data.bySystem} nameOf={(r) => r.system} />
        <ComplianceTable title="By domain" kind="domain" rows={data.byDomain} nameOf={(r) => r.domain} />
      </div>
    </>
  );
}
