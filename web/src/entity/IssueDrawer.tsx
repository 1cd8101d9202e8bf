import type { ReactNode } from 'react';
import type { IssueDetail, IssueRow, Occurrence } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { SafeMarkdown } from '../markdown/SafeMarkdown.js';
import type { EntityName } from '../routing/routes.js';
import { Link } from '../routing/router.js';
import { identifierUrl, safeHref } from '../security/identifiers.js';
import { Drawer } from '../ui/Drawer.js';
import { formatDateTime, formatFileLocation, formatLines } from '../ui/format.js';
import { SeverityBadge } from '../ui/Severity.js';
import { ErrorState, Loading } from '../ui/states.js';
import { IssueExemption } from '../exemptions/IssueExemption.js';
import { detailLabel, remediationParts } from './issue-text.js';
import { occurrenceSource } from './occurrence-source.js';
import { ExploitationSection } from './ExploitationSection.js';

function Row({ label, children }: { label: string; children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function ExternalLink({ href, title, children }: { href: string; title?: string; children: ReactNode }) {
  return (
    <a href={href} title={title} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}

/** A scanner's extra detail: a URL as a link (when safe), anything else as text. */
function DetailValue({ value }: { value: string | number | boolean }) {
  const href = typeof value === 'string' ? safeHref(value) : null;
  return href && /^https?:/.test(href) ? <ExternalLink href={href}>{String(value)}</ExternalLink> : <>{String(value)}</>;
}

function OccurrenceItem({ occurrence }: { occurrence: Occurrence }) {
  const source = occurrenceSource(occurrence);
  const where = occurrence.filePath ? formatFileLocation(occurrence.filePath, occurrence.startLine, occurrence.endLine) : null;
  const endpoint = occurrence.url ?? (occurrence.host ? `${occurrence.host}${occurrence.port ? `:${occurrence.port}` : ''}` : null);
  return (
    <li className="occurrence">
      <p className="occurrence-where">
        {where ? (
          source ? (
            <ExternalLink href={source.href} title={source.title}>
              <span className="mono" data-testid="occurrence-source-link">
                {where}
              </span>
            </ExternalLink>
          ) : (
            <span className="mono">{where}</span>
          )
        ) : (
          <span className="mono">{occurrence.component ?? occurrence.resource ?? endpoint ?? 'No location reported'}</span>
        )}
        <span className="muted">
          {' '}
          · {occurrence.scanner} · {occurrence.variant}
        </span>
      </p>
      <dl className="occurrence-facts">
        <Row label="Source root">{where && occurrence.baseId ? <span className="mono">{occurrence.baseId}</span> : null}</Row>
        {where && <Row label="Component">{occurrence.component}</Row>}
        <Row label="Dependency path">{occurrence.dependencyPath && occurrence.dependencyPath.length > 0 ? occurrence.dependencyPath.join(' → ') : null}</Row>
        <Row label="Image layer">{occurrence.layer ? <span className="mono break">{occurrence.layer}</span> : null}</Row>
        {where && <Row label="Resource">{occurrence.resource}</Row>}
        {(where || occurrence.component || occurrence.resource) && <Row label="Endpoint">{endpoint}</Row>}
        <Row label="Secret">{occurrence.secretMasked ? <span className="mono">{occurrence.secretMasked}</span> : null}</Row>
        <Row label="Commit">{occurrence.commit ? <span className="mono">{occurrence.commit.slice(0, 12)}</span> : null}</Row>
        <Row label="Author">{occurrence.author}</Row>
        {occurrence.details &&
          Object.entries(occurrence.details).map(([key, value]) => (
            <Row key={key} label={detailLabel(key)}>
              {value === null || value === '' ? null : <DetailValue value={value} />}
            </Row>
          ))}
      </dl>
      {occurrence.snippet && (
        <pre className="snippet" aria-label={`Code at ${formatLines(occurrence.startLine, occurrence.endLine) || 'the reported place'}`}>
          <code>{occurrence.snippet}</code>
        </pre>
      )}
    </li>
  );
}

export function IssueBody({ issue }: { issue: IssueDetail }) {
  const remediation = remediationParts(issue);
  const identifiers = issue.identifiers.length > 0 ? issue.identifiers : [issue.vulnerabilityId ?? issue.ruleId].filter((id): id is string => !!id).map((id) => ({ type: 'OTHER' as const, id, url: null }));
  return (
    <>
      <dl className="issue-facts">
        <Row label="Kind">{issue.kind}</Row>
        <Row label="Package">{issue.package ? <span className="mono">{issue.package}</span> : null}</Row>
        <Row label="Installed">{issue.installedVersion ? <span className="mono">{issue.installedVersion}</span> : null}</Row>
        <Row label="Fixed version">{issue.fixedVersion ? <span className="mono" data-testid="issue-fixed-version">{issue.fixedVersion}</span> : issue.package ? <span className="muted">No fix known</span> : null}</Row>
        <Row label="Ecosystem">{issue.ecosystem}</Row>
        <Row label="License">{issue.license}</Row>
        <Row label="Rule">{issue.ruleId ? <span className="mono">{issue.ruleId}</span> : null}</Row>
        <Row label="Target">
          <Link href={`/targets/${issue.targetId}`}>{issue.targetName}</Link> <span className="muted">({issue.targetScope})</span>
        </Row>
        <Row label="First seen">{formatDateTime(issue.firstSeenAt)}</Row>
        <Row label="Last seen">{formatDateTime(issue.lastSeenAt)}</Row>
        <Row label="Tags">{issue.tags.length > 0 ? issue.tags.join(', ') : null}</Row>
      </dl>

      <IssueExemption issue={issue} />

      <h3>Scanners</h3>
      <ul className="plain-list scanner-list">
        {issue.scanners.map((s, i) => (
          <li key={`${s.scanner}-${i}`}>
            <strong>{s.scanner}</strong>: <SeverityBadge severity={s.severity} />
            {s.scannerSeverity && <span className="muted"> reported as “{s.scannerSeverity}”</span>}
            {s.score !== null && <span className="muted">, score {s.score}</span>}
            <span className="muted"> · scanned {formatDateTime(s.scannedAt)}</span>
          </li>
        ))}
      </ul>

      {identifiers.length > 0 && (
        <>
          <h3>Identifiers</h3>
          <ul className="plain-list identifier-list">
            {identifiers.map((identifier) => {
              const href = safeHref(identifier.url) ?? identifierUrl(identifier.id);
              return (
                <li key={identifier.id}>
                  {href ? (
                    <>
                      <ExternalLink href={href}>
                        <span className="mono" data-testid="identifier-link">
                          {identifier.id}
                        </span>
                      </ExternalLink>
                      <span className="identifier-site">{new URL(href).hostname}</span>
                    </>
                  ) : (
                    <span className="mono">{identifier.id}</span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}

      <h3>Description</h3>
      {issue.description ? <SafeMarkdown text={issue.description} /> : <p className="muted">The scanner gave no description.</p>}

      {(remediation.upgrade || remediation.text) && (
        <>
          <h3>Remediation</h3>
          {remediation.upgrade && (
            <p>
              Upgrade <span className="mono">{remediation.upgrade.package}</span> to <span className="mono">{remediation.upgrade.version}</span> or later.
            </p>
          )}
          {remediation.text && <SafeMarkdown text={remediation.text} />}
        </>
      )}

      {issue.references.length > 0 && (
        <>
          <h3>References</h3>
          <ul className="plain-list reference-list">
            {issue.references.map((reference) => {
              const href = safeHref(reference);
              return <li key={reference}>{href ? <ExternalLink href={href}>{reference}</ExternalLink> : <span className="break">{reference}</span>}</li>;
            })}
          </ul>
        </>
      )}

      <h3>Occurrences ({issue.occurrences.length})</h3>
      {issue.occurrences.length === 0 ? (
        <p className="muted">No occurrence in the current scans.</p>
      ) : (
        <ul className="plain-list occurrence-list">
          {issue.occurrences.map((o, i) => (
            <OccurrenceItem key={i} occurrence={o} />
          ))}
        </ul>
      )}
    </>
  );
}

/** One issue in full, over the page that lists it; the URL's `issue` parameter keeps it open. */
export default function IssueDrawer({ issueId, entity, row, onClose }: { issueId: number; entity: EntityName | null; row?: IssueRow | undefined; onClose: () => void }) {
  const entityParam = entity ? `?entity=${encodeURIComponent(`${entity.kind}:${entity.namespace}/${entity.name}`)}` : '';
  const issue = useResource<IssueDetail>(`/api/insights/issues/${issueId}${entityParam}`);
  const title = issue.data ? (
    <>
      <SeverityBadge severity={issue.data.severity} />
      <h2 id="issue-title" className="drawer-heading">
        {issue.data.title}
      </h2>
      {(issue.data.vulnerabilityId ?? issue.data.ruleId) !== issue.data.title && <p className="drawer-sub mono">{issue.data.vulnerabilityId ?? issue.data.ruleId}</p>}
    </>
  ) : (
    <h2 className="drawer-heading">Issue {issueId}</h2>
  );
  return (
    <Drawer title={title} onClose={onClose} label={issue.data ? `Issue: ${issue.data.title}` : `Issue ${issueId}`}>
      {issue.status === 'error' && <ErrorState error={issue.error as Error} what={`issue ${issueId}`} onRetry={issue.reload} />}
      {issue.status === 'loading' && <Loading what="the issue" />}
      {issue.data && <ExploitationSection issue={issue.data} row={row} entity={entity} />}
      {issue.data && <IssueBody issue={issue.data} />}
    </Drawer>
  );
}
