import { type Counts, type EntitySummary, SEVERITIES, type Severity, type SummaryTarget } from '../api/types.js';
import type { EntityName } from '../routing/routes.js';
import { entityHref } from '../routing/routes.js';
import { Link } from '../routing/router.js';
import { formatCount, formatDateTime, formatRelative } from '../ui/format.js';
import { SeverityBreakdown } from '../ui/SeverityBreakdown.js';
import { SeverityCount, SeverityHeaders } from '../ui/Severity.js';
import { Stat } from '../ui/Stat.js';
import { EmptyState } from '../ui/states.js';
import { annotationYaml, linkProblems } from './link-advice.js';
import { LinkNotes, UnmatchedLinks } from './LinkDiagnostics.js';
import { ExploitationStats } from './ExploitationStats.js';

const VARIANT_REASONS: Record<string, string> = {
  requested: 'named in the link',
  variant: 'named in the link',
  explicit: 'the baseline',
  regex: 'the baseline (newest matching its pattern)',
  conventional: 'no baseline set; the conventional default branch',
  'most-recent': 'no baseline set; the most recently scanned',
  none: 'nothing scanned',
};

function ScanTime({ at }: { at: string | null }) {
  if (!at) return <span className="muted">never</span>;
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatRelative(at)}
    </time>
  );
}

/** One count per severity column, aligned under SeverityHeaders, then the total. */
function SeverityCells({ counts }: { counts: Counts }) {
  return (
    <>
      {SEVERITIES.map((s) => (
        <td key={s} className="num sev-col">
          <SeverityCount severity={s} count={counts[s]} />
        </td>
      ))}
      <td className="num">{formatCount(counts.total)}</td>
    </>
  );
}

function TargetRows({ targets, name }: { targets: SummaryTarget[]; name: EntityName }) {
  return (
    <div className="table-scroll">
      <table className="compact-table severity-table" data-testid="summary-targets">
        <caption>Linked targets</caption>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Variant shown</th>
            <th scope="col">Scanners</th>
            <SeverityHeaders />
            <th scope="col">Last scan</th>
          </tr>
        </thead>
        <tbody>
          {targets.map((t) => (
            <tr key={`${t.targetId}:${t.variant ?? ''}`} data-target={t.name}>
              <th scope="row">
                <Link href={entityHref(name, 'vulnerabilities', `?target=${t.targetId}`)} title={`This entity's issues in ${t.name}`} data-testid="summary-target-link">
                  {t.name}
                </Link>
                <span className="cell-sub">
                  {t.type} · {t.scope}
                  {t.origins.includes('source-url') ? ' · from the repository URL' : ''} · <Link href={`/targets/${t.targetId}`}>scans ›</Link>
                </span>
              </th>
              <td>
                <code>{t.variant ?? '—'}</code>
                <span className="cell-sub">{t.note ?? VARIANT_REASONS[t.variantReason] ?? t.variantReason}</span>
              </td>
              <td>{t.scanners.length > 0 ? t.scanners.join(', ') : <span className="muted">—</span>}</td>
              <SeverityCells counts={t.counts} />
              <td>
                <ScanTime at={t.lastScanAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** When no link shows data: why, and how to link the entity to its scans. */
function NoSecurityData({ summary }: { summary: EntitySummary }) {
  if (summary.links.length === 0) {
    return (
      <EmptyState title="No security data: this entity is not linked to any scanned target.">
        <p>
          Name the targets its scans are reported under with the <code>harness.io/sto-test-target</code> annotation in its <code>catalog-info.yaml</code>, or give it
          a repository URL (<code>backstage.io/source-location</code>) whose repository is scanned:
        </p>
        <pre className="yaml">
          <code>{annotationYaml({ name: 'registry.example.com/my-service', variant: 'latest' })}</code>
        </pre>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No security data: none of this entity's target links matched a scanned target.">
      <p>This is not the same as no issues. Each link below says why it shows nothing and what to change.</p>
    </EmptyState>
  );
}

/**
 * An entity's security summary; with `rollup`, the summary of a System's, Domain's or Group's
 * members (each issue once), which has no issue list of its own and no links to advise on.
 */
export function SecuritySummaryCard({ summary, name, rollup = false }: { summary: EntitySummary; name: EntityName; rollup?: boolean }) {
  const { unmatched, notes } = linkProblems(summary.links);
  const issuesHref = rollup ? undefined : (severity?: Severity) => entityHref(name, 'vulnerabilities', severity ? `?severity=${severity}` : '');
  return (
    <section className="card security-card" aria-labelledby="security-title" data-testid="security-summary">
      <div className="card-header">
        <h2 id="security-title">{rollup ? 'Security of its members' : 'Security'}</h2>
        {summary.hasData && issuesHref && <Link href={issuesHref()}>View all issues ›</Link>}
      </div>
      {rollup && summary.hasData && <p className="muted">Each issue counts once, however many members show its target.</p>}
      {!summary.hasData ? (
        rollup ? (
          <EmptyState title="No security data: none of its members is linked to a scanned target.">
            <p>This is not the same as no issues. The members below say which of them have links that matched nothing.</p>
          </EmptyState>
        ) : (
          <NoSecurityData summary={summary} />
        )
      ) : (
        <>
          <div className="security-top">
            <SeverityBreakdown counts={summary.counts} percentages={summary.percentages} breakdown={summary.breakdown} hrefFor={issuesHref} testIdPrefix="summary" />
            <dl className="stats">
              <Stat label="Open issues" value={formatCount(summary.counts.total)} testId="summary-total" />
              <Stat label="Fixable" value={formatCount(summary.fixable)} testId="summary-fixable" hint="Issues with a fixed version available" />
              <Stat label="New since previous scan" value={summary.new > 0 && !rollup ? <Link href={entityHref(name, 'vulnerabilities', '?new=true')}>{formatCount(summary.new)}</Link> : '0'} testId="summary-new" />
              <Stat
                label="Exempted"
                value={summary.exempted > 0 && !rollup ? <Link href={entityHref(name, 'vulnerabilities', '?status=exempted')}>{formatCount(summary.exempted)}</Link> : formatCount(summary.exempted)}
                testId="summary-exempted"
                hint="Not counted above: an approved exemption covers them"
              />
              <ExploitationStats summary={summary} name={name} rollup={rollup} />
              <Stat label="Last scan" value={<ScanTime at={summary.lastScanAt} />} testId="summary-last-scan" wide />
            </dl>
          </div>
          {summary.targets.length > 0 && <TargetRows targets={summary.targets} name={name} />}
          {summary.scanners.length > 0 && (
            <div className="table-scroll">
              <table className="compact-table severity-table" data-testid="summary-scanners">
                <caption>By scanner</caption>
                <thead>
                  <tr>
                    <th scope="col">Scanner</th>
                    <SeverityHeaders />
                    <th scope="col">Last scan</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.scanners.map((s) => (
                    <tr key={s.scanner} data-scanner={s.scanner}>
                      <th scope="row">
                        <Link href={entityHref(name, 'vulnerabilities', `?scanner=${encodeURIComponent(s.scanner)}`)} title={`This entity's issues that ${s.scanner} reports`}>
                          {s.scanner}
                        </Link>
                      </th>
                      <SeverityCells counts={s.counts} />
                      <td>
                        <ScanTime at={s.lastScanAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <UnmatchedLinks links={unmatched} />
      <LinkNotes notes={notes} />
    </section>
  );
}
